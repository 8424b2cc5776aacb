// The native ingest JSON ({ version?, service, batchId?, resource?, metrics?, spans?, logs? },
// README.md "Wire formats") into the canonical records, validated field by field against the
// schema (schema.js) and strict enough to catch an encoder bug: a payload that is not what the
// format promises is rejected with a DecodeError naming the path of the bad field. A collector
// answers it with a 400. Worker-safe (no Node built-ins).
import { DecodeError } from './decode-error.js';
import { sketchProblem } from './otlp-decode/sketch-limits.js';
import { ACCEPTED_VERSIONS, EXPONENTIAL, NATIVE_FORMAT_VERSION, PAYLOAD, RECORDS, SHAPES } from './schema.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isHex = (v, n) => typeof v === 'string' && v.length === n && /^[0-9a-f]+$/.test(v);

function need(cond, path, expected) {
  if (!cond) throw new DecodeError(path, `expected ${expected}`);
}

// What a field of each schema type must be, as an error message says it.
function expectation(f) {
  switch (f.type) {
    case 'string': return f.nonEmpty ? 'a non-empty string' : 'a string';
    case 'hex': return `${f.length} hex digits`;
    case 'number': return 'a number';
    case 'integer': return `an integer from ${f.min} to ${f.max}`;
    case 'enum': return `one of ${f.values.join(', ')}`;
    case 'object': return f.shape ? `an object (${f.shape})` : 'an object';
    case 'array': return f.items ? `an array of ${f.items}` : 'an array';
    case 'batchId': return "32 hex digits, then '-0' or '-1' per split";
    default: return f.type;
  }
}

function valid(f, v) {
  switch (f.type) {
    case 'string': return typeof v === 'string' && (!f.nonEmpty || v !== '');
    case 'hex': return isHex(v, f.length);
    case 'number': return typeof v === 'number';
    case 'integer': return Number.isSafeInteger(v) && v >= f.min && v <= f.max;
    case 'enum': return f.values.includes(v);
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'batchId': return typeof v === 'string' && /^[0-9a-f]{32}(?:-[01]){0,32}$/.test(v);
    case 'exponential': return true; // checked by exponential() below
    // Unreachable while schemaProblems() is empty (tests/js/wire-schema.test.js): a schema bug is
    // the collector's fault, so it is a 500 (the sender keeps the data), never a 400.
    default: throw new Error(`js/wire schema: unknown field type ${JSON.stringify(f.type)}`);
  }
}

// One checked value, decoded: an array's items and a shaped object field by field, each at its
// own path ($.spans[0].events[1].timestamp), so no nested value reaches storage unchecked.
function decodeValue(f, v, path) {
  need(valid(f, v), path, expectation(f));
  if (f.type === 'object' && f.shape) return fields(SHAPES[f.shape], v, path);
  if (f.type !== 'array' || f.items === undefined) return v;
  const shape = SHAPES[f.items];
  return v.map((item, j) => {
    const p = `${path}[${j}]`;
    if (!shape) return decodeValue({ type: f.items }, item, p);
    need(isObject(item), p, `an object (${f.items})`);
    return fields(shape, item, p);
  });
}

// A wire name may reach into a nested object ('metadata.traceId'); a missing step is a missing field.
function read(raw, wire) {
  let v = raw;
  for (const step of wire.split('.')) v = isObject(v) ? v[step] : undefined;
  return v;
}

// The schema's fields of one record (histogram-only fields excluded), checked and renamed.
function fields(list, raw, path, service) {
  const out = {};
  for (const f of list) {
    if (f.histogram) continue;
    if (f.fromPayload) {
      out[f.name] = service;
      continue;
    }
    const wire = f.wire ?? f.name;
    const v = read(raw, wire);
    if (v === undefined) {
      need(!f.required, `${path}.${wire}`, expectation(f));
      if (!f.keepUndefined) out[f.name] = f.fallback ?? null;
      continue;
    }
    out[f.name] = decodeValue(f, v, `${path}.${wire}`);
  }
  return out;
}

export function decodeNative(doc) {
  need(isObject(doc), '$', 'an object');
  // An unknown version is refused whole: a newer sender may mean something else by the same names.
  if (doc.version !== undefined) {
    need(ACCEPTED_VERSIONS.includes(doc.version), '$.version',
      `a native format version this decoder reads (${ACCEPTED_VERSIONS.join(' or ')}; newest ${NATIVE_FORMAT_VERSION}), got ${JSON.stringify(doc.version)}`);
  }
  const payload = fields(PAYLOAD, doc, '$');
  const out = { batchId: payload.batchId, version: payload.version, spans: [], metrics: [], logs: [] };
  for (const [kind, { list }] of Object.entries(RECORDS)) {
    if (doc[list] === undefined) continue;
    need(Array.isArray(doc[list]) && doc[list].length > 0, `$.${list}`, 'a non-empty array when present');
    doc[list].forEach((raw, i) => {
      const p = `$.${list}[${i}]`;
      need(isObject(raw), p, 'an object');
      out[list].push(DECODE[kind](raw, p, payload.service));
    });
  }
  return out;
}

const DECODE = {
  span(s, p) {
    const span = fields(RECORDS.span.fields, s, p);
    need(s.duration === s.endTime - s.startTime, `${p}.duration`, 'endTime - startTime');
    return span;
  },
  metric(m, p, service) {
    const metric = fields(RECORDS.metric.fields, m, p, service);
    if (m.type === 'counter' && m.monotonic === false) metric.type = 'updowncounter';
    if (m.type !== 'histogram') return metric;
    const { count, sum, min, max, bounds, bucketCounts } = m;
    Object.assign(metric, { count, sum, min, max, bounds, bucketCounts });
    for (const f of RECORDS.metric.fields) {
      if (f.histogram && f.type !== 'exponential' && m[f.name] !== undefined) metric[f.name] = decodeValue(f, m[f.name], `${p}.${f.name}`);
    }
    if (m.exponential !== undefined) {
      // The sketch (its count, sum, min and max repeat the point's); p50/p95/p99 are per-flush estimates.
      Object.assign(metric, { exponential: exponential(m.exponential, m.count, `${p}.exponential`), p50: m.p50, p95: m.p95, p99: m.p99 });
    }
    return metric;
  },
  log(l, p, service) {
    return fields(RECORDS.log.fields, l, p, service);
  },
};

function exponential(e, count, p) {
  need(isObject(e), p, 'an object');
  const { min, max } = EXPONENTIAL.scale;
  need(Number.isInteger(e.scale) && e.scale >= min && e.scale <= max, `${p}.scale`, `an integer from ${min} to ${max}`);
  need(Number.isSafeInteger(e.zeroCount) && e.zeroCount >= 0, `${p}.zeroCount`, 'a non-negative integer');
  let total = e.zeroCount;
  for (const side of EXPONENTIAL.sides) {
    const b = e[side];
    need(isObject(b) && Number.isInteger(b.offset) && Array.isArray(b.bucketCounts), `${p}.${side}`, '{ offset, bucketCounts }');
    // The sketch limits every decoder shares (otlp-decode/sketch-limits.js): at most 4096 buckets
    // per side, indices a double has at this scale; checked before the counts are walked.
    const found = sketchProblem({ scale: e.scale, [side]: b });
    if (found) throw new DecodeError(`${p}.${found.field}`, found.problem);
    b.bucketCounts.forEach((c, j) => need(Number.isSafeInteger(c) && c >= 0, `${p}.${side}.bucketCounts[${j}]`, 'a non-negative integer'));
    total += b.bucketCounts.reduce((a, c) => a + c, 0);
  }
  need(total === count, p, `zeroCount and bucket counts adding up to count ${count} (they add up to ${total})`);
  const { scale, zeroCount, positive, negative } = e;
  return { scale, zeroCount, positive, negative };
}
