// A decoded Export*ServiceRequest (proto.js or json.js: the same plain objects) into edgescope's
// canonical records (../schema.js), the shape the native decoder gives, so one store and one
// query API serve both. Each resource's `service.name` attribute names the service (OpenTelemetry
// resource semantic conventions; without it, their fallback `unknown_service`). Times: nanoseconds
// to milliseconds since the epoch, kept to the microsecond.
//
// Two kinds of trouble, told apart as OTLP/HTTP tells them apart:
//   - a record the OTLP data model forbids (a span without a 16-byte trace id or an 8-byte span
//     id; an id of the wrong length): a DecodeError naming its path, and the collector answers
//     400 for the whole request (OTLP "Bad Data": the request is malformed, not retryable);
//   - valid OTLP that edgescope's records cannot hold: a summary metric, a cumulative sum or
//     histogram (edgescope stores deltas: metric points are added up into rollups, so a running
//     total would be counted again every time it is sent), a number point without a value or
//     with a value that is not finite (NaN, ±Infinity: D1 would store NULL), a histogram whose
//     count, sum, min or max is not finite or whose buckets do not add up to its count, an
//     exponential histogram outside the sketch limits (sketch-limits.js: scale -10..20, at most
//     4096 buckets per side), a span or data point without its time (a time of 0 would date it
//     1970 and put it outside every query window; a log without one is dated by its observed
//     time, else when received: ingest/store.js). Those records are left out and counted in
//     `rejected`, with messages naming the field (the first few distinct ones), which the
//     collector reports as a partial success (OTLP "Partial Success"); the rest is stored.
//
// A histogram without `sum` is valid OTLP (the data model: sum SHOULD NOT be set when negative
// values were recorded). It is stored with `sum` NULL and `value` 0 (the column is NOT NULL):
// its count, buckets, sketch, min and max are kept; rollups add its sum as 0.
import { DecodeError } from '../decode-error.js';
import { SIGNALS } from './messages.js';
import { sketchProblem } from './sketch-limits.js';

// Distinct problems named in a partial success's error_message; the count covers every record.
const MAX_PROBLEMS = 5;

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];
// logs.proto SeverityNumber: TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL
// 21-24. edgescope has no trace level: TRACE is stored as debug.
const LEVEL_BY_RANGE = ['debug', 'debug', 'info', 'warn', 'error', 'fatal'];
const LEVEL_BY_TEXT = { trace: 'debug', debug: 'debug', info: 'info', information: 'info', warn: 'warn', warning: 'warn', error: 'error', fatal: 'fatal', critical: 'fatal' };
const DELTA = 1; // AggregationTemporality AGGREGATION_TEMPORALITY_DELTA

export const UNKNOWN_SERVICE = 'unknown_service';

// signal: 'traces' | 'metrics' | 'logs'; request: the decoded object.
// -> { spans, metrics, logs, rejected, message, services, resource }
export function otlpRecords(signal, request) {
  const { keys } = SIGNALS[signal];
  const [resourceKey, scopeKey, recordsKey] = keys;
  const out = { spans: [], metrics: [], logs: [], rejected: 0, message: '', services: [], resource: null };
  const problems = new Set();
  let unnamed = 0;
  const reject = (n, why) => {
    out.rejected += n;
    if (problems.has(why)) return;
    if (problems.size < MAX_PROBLEMS) problems.add(why);
    else unnamed += 1;
  };
  const resources = request[resourceKey] ?? [];
  resources.forEach((res, r) => {
    const rp = `$.${resourceKey}[${r}]`;
    const resourceAttributes = keyValues(res.resource?.attributes);
    const named = resourceAttributes['service.name'];
    const service = typeof named === 'string' && named !== '' ? named : UNKNOWN_SERVICE;
    if (!out.services.includes(service)) out.services.push(service);
    if (r === 0) out.resource = resourceAttributes;
    (res[scopeKey] ?? []).forEach((scope, s) => {
      (scope[recordsKey] ?? []).forEach((rec, i) => {
        const p = `${rp}.${scopeKey}[${s}].${recordsKey}[${i}]`;
        if (signal === 'traces') {
          const record = span(rec, service, p, reject);
          if (record) out.spans.push(record);
        } else if (signal === 'logs') out.logs.push(log(rec, service, p));
        else metricPoints(rec, service, out.metrics, reject, p);
      });
    });
  });
  // With several resources the batch row names all their services; each record keeps its own.
  if (resources.length !== 1) out.resource = null;
  out.message = [...problems].join('; ') + (unnamed > 0 ? `; and ${unnamed} other problem(s)` : '');
  return out;
}

// An id of `bytes` bytes as hex, or null when absent or empty. `required`: absent is an error.
function id(value, bytes, path, required) {
  if (value === undefined || value === '') {
    if (required) throw new DecodeError(path, `missing; required (a ${bytes}-byte id)`);
    return null;
  }
  if (value.length !== bytes * 2) throw new DecodeError(path, `expected a ${bytes}-byte id, got ${value.length / 2} bytes`);
  // W3C Trace Context: an all-zero id is invalid. For an optional id it means none.
  if (/^0+$/.test(value)) {
    if (required) throw new DecodeError(path, `an all-zero id is invalid (W3C Trace Context)`);
    return null;
  }
  return value;
}

// int64 attribute values: a number when exact, a BigInt beyond 2^53 so no digit is lost (sql.js
// stores it as a string).
const int64 = (n) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);

function anyValue(v) {
  if (v === undefined) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return int64(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return keyValues(v.kvlistValue.values);
  if ('bytesValue' in v) return v.bytesValue;
  return null; // an empty AnyValue: OTLP's "empty value"
}

function keyValues(list) {
  const out = {};
  for (const kv of list ?? []) out[kv.key ?? ''] = anyValue(kv.value);
  return out;
}

const nanosToMs = (ns) => Number((ns ?? 0n) / 1000n) / 1000;

// A time in nanoseconds that is present (proto3: 0 is absent).
const hasTime = (ns) => ns !== undefined && ns !== null && BigInt(ns) !== 0n;

function span(s, service, p, reject) {
  // Malformed ids first: they refuse the whole request (400), a missing time only this span.
  const ids = { traceId: id(s.traceId, 16, `${p}.traceId`, true), spanId: id(s.spanId, 8, `${p}.spanId`, true), parentSpanId: id(s.parentSpanId, 8, `${p}.parentSpanId`, false) };
  for (const f of ['startTimeUnixNano', 'endTimeUnixNano']) {
    if (!hasTime(s[f])) {
      reject(1, `${p}.${f}: missing; a span without its times is not stored`);
      return null;
    }
  }
  return {
    ...ids,
    name: s.name ?? '',
    service,
    kind: KINDS[s.kind ?? 0] ?? 'unspecified',
    startTime: nanosToMs(s.startTimeUnixNano),
    endTime: nanosToMs(s.endTimeUnixNano),
    status: STATUS[s.status?.code ?? 0] ?? 'unset',
    statusMessage: s.status?.message ?? '',
    attributes: keyValues(s.attributes),
    events: (s.events ?? []).map((e) => ({ name: e.name ?? '', time: nanosToMs(e.timeUnixNano), attributes: keyValues(e.attributes) })),
  };
}

const DATA = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

const finite = (v) => typeof v === 'number' && Number.isFinite(v);

// The first problem of a histogram point (explicit or exponential), as `field: problem`, or null.
function histogramProblem(kind, dp, count) {
  for (const f of ['sum', 'min', 'max']) {
    if (dp[f] !== undefined && !finite(dp[f])) return `${f}: ${dp[f]} is not a finite number`;
  }
  if (!Number.isSafeInteger(count)) return `count: ${count} is beyond 2^53`;
  if (kind === 'exponentialHistogram') {
    const found = sketchProblem({ scale: dp.scale ?? 0, positive: { offset: dp.positive?.offset ?? 0, bucketCounts: dp.positive?.bucketCounts ?? [] }, negative: { offset: dp.negative?.offset ?? 0, bucketCounts: dp.negative?.bucketCounts ?? [] } });
    if (found) return `${found.field}: ${found.problem}`;
    let total = BigInt(dp.zeroCount ?? 0n);
    for (const side of ['positive', 'negative']) for (const c of dp[side]?.bucketCounts ?? []) total += BigInt(c);
    // metrics.proto: count "MUST be equal to the sum of the bucket_counts fields and zero_count".
    if (total !== BigInt(count)) return `count: ${count}, but zeroCount and the bucket counts add up to ${total}`;
    return null;
  }
  const counts = dp.bucketCounts ?? [];
  const bounds = dp.explicitBounds ?? [];
  if (counts.length > 0) {
    // metrics.proto: bucket_counts has explicit_bounds + 1 elements, and adds up to count.
    if (counts.length !== bounds.length + 1) return `bucketCounts: ${counts.length} counts for ${bounds.length} explicitBounds (expected ${bounds.length + 1})`;
    const total = counts.reduce((a, c) => a + BigInt(c), 0n);
    if (total !== BigInt(count)) return `count: ${count}, but the bucket counts add up to ${total}`;
  }
  if (!bounds.every(finite)) return 'explicitBounds: every bound must be a finite number';
  return null;
}

function metricPoints(m, service, into, reject, p) {
  const kind = DATA.find((k) => k in m);
  if (!kind) return; // a metric without data carries no points
  const points = m[kind].dataPoints ?? [];
  if (kind === 'summary') return reject(points.length, 'summary metrics are not stored (edgescope keeps counters, gauges and histograms)');
  if (kind !== 'gauge' && m[kind].aggregationTemporality !== DELTA) {
    return reject(points.length, 'only delta temporality is stored (set the exporter\'s temporality preference to delta)');
  }
  const type = kind === 'sum' ? (m.sum.isMonotonic ? 'counter' : 'updowncounter') : kind === 'gauge' ? 'gauge' : 'histogram';
  const buckets = (b) => ({ offset: b?.offset ?? 0, bucketCounts: (b?.bucketCounts ?? []).map(Number) });
  points.forEach((dp, j) => {
    const dpPath = `${p}.${kind}.dataPoints[${j}]`;
    if (!hasTime(dp.timeUnixNano)) return reject(1, `${dpPath}.timeUnixNano: missing; a data point without its time is not stored`);
    const base = { name: m.name ?? '', type, unit: m.unit ?? '', time: nanosToMs(dp.timeUnixNano), tags: keyValues(dp.attributes), service };
    if (kind === 'sum' || kind === 'gauge') {
      const value = 'asInt' in dp ? Number(dp.asInt) : 'asDouble' in dp ? dp.asDouble : undefined;
      if (value === undefined) return reject(1, 'a number data point without a value is not stored');
      if (!finite(value)) return reject(1, `${dpPath}.asDouble: ${value} is not a finite number; not stored`);
      return into.push({ ...base, value });
    }
    const count = Number(dp.count ?? 0n);
    const problem = histogramProblem(kind, dp, count);
    if (problem) return reject(1, `${dpPath}.${problem}; not stored`);
    const sum = dp.sum ?? null;
    const histogram = { ...base, value: sum ?? 0, count, sum, min: dp.min, max: dp.max };
    if (kind === 'exponentialHistogram') {
      histogram.exponential = { scale: dp.scale ?? 0, zeroCount: Number(dp.zeroCount ?? 0n), positive: buckets(dp.positive), negative: buckets(dp.negative) };
    } else {
      histogram.bounds = dp.explicitBounds ?? [];
      histogram.bucketCounts = (dp.bucketCounts ?? []).map(Number);
    }
    return into.push(histogram);
  });
}

function level(l) {
  const n = l.severityNumber ?? 0;
  if (n >= 1 && n <= 24) return LEVEL_BY_RANGE[Math.floor((n - 1) / 4)];
  // SEVERITY_NUMBER_UNSPECIFIED: the text, when it is a level's name, else info.
  return LEVEL_BY_TEXT[(l.severityText ?? '').toLowerCase()] ?? 'info';
}

// A body that is not a string (a map or an array: structured logs) is stored as its JSON text.
function message(body) {
  const value = anyValue(body);
  if (value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? [...v] : v));
}

function log(l, service, p) {
  const attributes = keyValues(l.attributes);
  const error = attributes['exception.type'] || attributes['exception.message']
    ? { name: attributes['exception.type'], message: attributes['exception.message'], stack: attributes['exception.stacktrace'] }
    : null;
  // logs.proto: "If time_unix_nano is unknown or missing, use observed_time_unix_nano".
  const ns = l.timeUnixNano || l.observedTimeUnixNano;
  return {
    time: ns ? nanosToMs(ns) : undefined,
    level: level(l),
    message: message(l.body),
    attributes,
    error,
    traceId: id(l.traceId, 16, `${p}.traceId`, false),
    spanId: id(l.spanId, 8, `${p}.spanId`, false),
    service,
  };
}
