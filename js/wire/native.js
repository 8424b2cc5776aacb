// Decoders for both wire formats into one normalised record shape, strict enough to catch an
// encoder bug: a payload that is not what the format promises is rejected with a DecodeError
// naming the path of the bad field. The native ingest JSON is checked here; OTLP/HTTP JSON in
// decode-otlp.js, against the opentelemetry-proto definitions.
import { DecodeError } from './decode-error.js';

export { DecodeError } from './decode-error.js';
export { decodeOtlp } from './decode-otlp.js';

const STATUS = ['unset', 'ok', 'error'];
const LEVELS = { 5: 'debug', 9: 'info', 13: 'warn', 17: 'error', 21: 'fatal' };

function need(cond, path, expected) {
  if (!cond) throw new DecodeError(path, `expected ${expected}`);
}
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isHex = (v, n) => typeof v === 'string' && v.length === n && /^[0-9a-f]+$/.test(v);
const isBatchId = (v) => typeof v === 'string' && /^[0-9a-f]{32}(?:-[01]){0,32}$/.test(v);

export function decodeNative(doc) {
  need(isObject(doc), '$', 'an object');
  need(typeof doc.service === 'string' && doc.service !== '', '$.service', 'a non-empty string');
  // The payload's batch id (receivers de-duplicate on it); a half of a payload split after a 413
  // adds "-0" or "-1" per split.
  need(doc.batchId === undefined || isBatchId(doc.batchId), '$.batchId', "32 hex digits, then '-0' or '-1' per split");
  const out = { batchId: doc.batchId ?? null, spans: [], metrics: [], logs: [] };
  for (const key of ['spans', 'metrics', 'logs']) {
    if (doc[key] === undefined) continue;
    need(Array.isArray(doc[key]) && doc[key].length > 0, `$.${key}`, 'a non-empty array when present');
  }
  (doc.spans ?? []).forEach((s, i) => {
    const p = `$.spans[${i}]`;
    need(isObject(s), p, 'an object');
    need(isHex(s.traceId, 32), `${p}.traceId`, '32 hex digits');
    need(isHex(s.spanId, 16), `${p}.spanId`, '16 hex digits');
    need(s.parentSpanId === undefined || isHex(s.parentSpanId, 16), `${p}.parentSpanId`, '16 hex digits');
    need(typeof s.operationName === 'string', `${p}.operationName`, 'a string');
    need(typeof s.startTime === 'number' && typeof s.endTime === 'number', `${p}.startTime/endTime`, 'numbers');
    need(s.duration === s.endTime - s.startTime, `${p}.duration`, 'endTime - startTime');
    need(STATUS.includes(s.status), `${p}.status`, 'ok, error or unset');
    need(isObject(s.attributes) && Array.isArray(s.events), `${p}.attributes/events`, 'an object and an array');
    out.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? null,
      name: s.operationName,
      service: s.service,
      kind: s.kind,
      startTime: s.startTime,
      endTime: s.endTime,
      status: s.status,
      statusMessage: s.statusMessage ?? '',
      attributes: s.attributes,
      events: s.events.map((e) => ({ name: e.name, time: e.timestamp, attributes: e.attributes })),
    });
  });
  (doc.metrics ?? []).forEach((m, i) => {
    const p = `$.metrics[${i}]`;
    need(isObject(m) && typeof m.name === 'string', `${p}.name`, 'a string');
    need(['counter', 'gauge', 'histogram'].includes(m.type), `${p}.type`, 'counter, gauge or histogram');
    need(typeof m.value === 'number' && typeof m.timestamp === 'number', `${p}.value/timestamp`, 'numbers');
    need(isObject(m.tags), `${p}.tags`, 'an object');
    const type = m.type === 'counter' && m.monotonic === false ? 'updowncounter' : m.type;
    const metric = { name: m.name, type, value: m.value, unit: m.unit, time: m.timestamp, tags: m.tags, service: doc.service };
    if (m.type === 'histogram') Object.assign(metric, { count: m.count, sum: m.sum, min: m.min, max: m.max, bounds: m.bounds, bucketCounts: m.bucketCounts });
    if (m.type === 'histogram' && m.exponential !== undefined) {
      // The sketch (its count, sum, min and max repeat the point's); p50/p95/p99 are per-flush estimates.
      const e = m.exponential;
      need(isObject(e), `${p}.exponential`, 'an object');
      need(Number.isInteger(e.scale) && e.scale >= -10 && e.scale <= 20, `${p}.exponential.scale`, 'an integer from -10 to 20');
      need(Number.isSafeInteger(e.zeroCount) && e.zeroCount >= 0, `${p}.exponential.zeroCount`, 'a non-negative integer');
      let total = e.zeroCount;
      for (const side of ['positive', 'negative']) {
        const b = e[side];
        need(isObject(b) && Number.isInteger(b.offset) && Array.isArray(b.bucketCounts), `${p}.exponential.${side}`, '{ offset, bucketCounts }');
        b.bucketCounts.forEach((c, j) => need(Number.isSafeInteger(c) && c >= 0, `${p}.exponential.${side}.bucketCounts[${j}]`, 'a non-negative integer'));
        total += b.bucketCounts.reduce((a, c) => a + c, 0);
      }
      need(total === m.count, `${p}.exponential`, `zeroCount and bucket counts adding up to count ${m.count} (they add up to ${total})`);
      const { scale, zeroCount, positive, negative } = e;
      Object.assign(metric, { exponential: { scale, zeroCount, positive, negative }, p50: m.p50, p95: m.p95, p99: m.p99 });
    }
    out.metrics.push(metric);
  });
  (doc.logs ?? []).forEach((l, i) => {
    const p = `$.logs[${i}]`;
    need(isObject(l) && typeof l.message === 'string', `${p}.message`, 'a string');
    need(Object.values(LEVELS).includes(l.level), `${p}.level`, 'debug, info, warn, error or fatal');
    need(isObject(l.context), `${p}.context`, 'an object');
    out.logs.push({
      time: l.timestamp,
      level: l.level,
      message: l.message,
      attributes: l.context,
      error: l.error ?? null,
      traceId: l.metadata?.traceId ?? null,
      spanId: l.metadata?.spanId ?? null,
      service: doc.service,
    });
  });
  return out;
}
