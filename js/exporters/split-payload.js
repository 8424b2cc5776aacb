// Splits a payload a collector answered 413 ("Payload Too Large") into two halves by records, so
// that each half can be sent on its own (and split again if it is still too large). The JSON
// formats are split here, OTLP protobuf ('otlp-proto') at the wire level in split-proto.js:
//   native     { service, batchId?, resource?, spans?, metrics?, logs? }: the records are the
//              elements of spans, metrics and logs, in that body's order; every other field is
//              kept in both halves, and `batchId` is rewritten to the half's id.
//   otlp-json  Export{Trace,Metrics,Logs}ServiceRequest: the records are the spans, the metric
//              data points and the log records inside resourceX[].scopeX[]; each half keeps the
//              resource, scope and metric descriptor (name, unit, type, temporality) of every
//              record it holds and nothing it does not (no empty resource, scope or metric).
// The records are counted exactly; the parent's record count must match what its body holds
// (a mismatch is a SplitError, never a silently wrong count).
//
// Values survive the round trip through JSON.parse and JSON.stringify: OTLP writes 64-bit
// integers as strings, the native format writes integers only from safe JavaScript integers
// (core-telemetry.js stages a bigint as text), and a double prints as the shortest text that
// reads back as the same double (ECMAScript Number::toString).
//
// Half i gets batchId `${parent}-${i}`: a collector that saw the parent under its Idempotency-Key
// does not mistake a half for it, and a half sent twice is still recognised as itself.
import { SplitError } from './split-error.js';
import { splitProtoPayload } from './split-proto.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const NATIVE_ARRAYS = ['spans', 'metrics', 'logs'];
const OTLP_KEYS = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};
// The Metric.data oneof of metrics.proto: exactly one is set and holds the dataPoints.
const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

export { SplitError };

// -> [first, second], each { signal, records, body: Uint8Array, batchId }. Throws SplitError when
// the payload holds fewer than two records or its body is not the format it claims.
export function splitPayload(payload, format) {
  if (format === 'otlp-proto') return splitProtoPayload(payload);
  const doc = parseBody(payload.body);
  const list = format === 'otlp-json' ? otlpRecords(doc, payload.signal) : nativeRecords(doc);
  if (list.length !== payload.records) {
    throw new SplitError(`the payload says ${payload.records} record(s) but its ${format} body holds ${list.length}`);
  }
  if (list.length < 2) throw new SplitError(`a payload of ${list.length} record(s) cannot be split`);
  const cut = Math.ceil(list.length / 2);
  const ranges = [[0, cut], [cut, list.length]];
  return ranges.map(([from, to], i) => {
    const batchId = payload.batchId === undefined ? undefined : `${payload.batchId}-${i}`;
    const keep = new Set(list.slice(from, to));
    const half = format === 'otlp-json' ? otlpHalf(doc, payload.signal, keep) : nativeHalf(doc, keep, batchId);
    return { signal: payload.signal, records: to - from, body: encoder.encode(JSON.stringify(half)), batchId };
  });
}

function parseBody(body) {
  if (!(body instanceof Uint8Array)) throw new SplitError('the payload body is not a Uint8Array');
  try {
    const doc = JSON.parse(decoder.decode(body));
    if (isObject(doc)) return doc;
  } catch (error) {
    throw new SplitError(`the payload body is not UTF-8 JSON: ${error.message}`);
  }
  throw new SplitError('the payload body is not a JSON object');
}

// Native: every element of spans, metrics and logs is one record (the element object itself,
// compared by identity when the halves are built: JSON.parse makes every object distinct).
function nativeRecords(doc) {
  const list = [];
  for (const key of NATIVE_ARRAYS) {
    if (doc[key] === undefined) continue;
    if (!Array.isArray(doc[key]) || doc[key].some((r) => !isObject(r))) throw new SplitError(`native body: ${key} is not an array of objects`);
    list.push(...doc[key]);
  }
  return list;
}

function nativeHalf(doc, keep, batchId) {
  const half = {};
  for (const [key, value] of Object.entries(doc)) {
    if (NATIVE_ARRAYS.includes(key)) {
      const kept = value.filter((r) => keep.has(r));
      if (kept.length > 0) half[key] = kept;
    } else if (key === 'batchId' && batchId !== undefined) {
      half[key] = batchId;
    } else {
      half[key] = value;
    }
  }
  return half;
}

// OTLP: records in document order (each an object, compared by identity like native records).
function otlpRecords(doc, signal) {
  const keys = OTLP_KEYS[signal];
  if (!keys) throw new SplitError(`an OTLP payload of signal ${JSON.stringify(signal)} cannot be split (traces, metrics or logs)`);
  const [resourceKey, scopeKey, recordKey] = keys;
  const list = [];
  for (const resource of arrayAt(doc, resourceKey, `$.${resourceKey}`)) {
    for (const scope of arrayAt(resource, scopeKey, `$.${resourceKey}[].${scopeKey}`)) {
      for (const item of arrayAt(scope, recordKey, `$...${scopeKey}[].${recordKey}`)) {
        if (signal !== 'metrics') list.push(item);
        else list.push(...arrayAt(metricData(item), 'dataPoints', `$...metrics[].${dataKey(item)}.dataPoints`));
      }
    }
  }
  return list;
}

function otlpHalf(doc, signal, keep) {
  const [resourceKey, scopeKey, recordKey] = OTLP_KEYS[signal];
  const keepRecord = signal === 'metrics' ? (metric) => keepMetric(metric, keep) : (record) => (keep.has(record) ? record : null);
  const resources = [];
  for (const resource of doc[resourceKey]) {
    const scopes = [];
    for (const scope of resource[scopeKey]) {
      const records = scope[recordKey].map(keepRecord).filter((r) => r !== null);
      if (records.length > 0) scopes.push({ ...scope, [recordKey]: records });
    }
    if (scopes.length > 0) resources.push({ ...resource, [scopeKey]: scopes });
  }
  return { ...doc, [resourceKey]: resources };
}

// The metric with only the kept data points, descriptor and data fields (temporality,
// monotonicity) unchanged; null when none of its points is kept.
function keepMetric(metric, keep) {
  const key = dataKey(metric);
  const points = metric[key].dataPoints.filter((p) => keep.has(p));
  return points.length === 0 ? null : { ...metric, [key]: { ...metric[key], dataPoints: points } };
}

function dataKey(metric) {
  const keys = isObject(metric) ? METRIC_DATA.filter((k) => metric[k] !== undefined) : [];
  if (keys.length !== 1) throw new SplitError(`OTLP metric ${JSON.stringify(metric?.name ?? '?')}: expected exactly one of ${METRIC_DATA.join(', ')}`);
  return keys[0];
}

function metricData(metric) {
  return metric[dataKey(metric)];
}

function arrayAt(parent, key, path) {
  const value = isObject(parent) ? parent[key] : undefined;
  if (!Array.isArray(value)) throw new SplitError(`OTLP body: ${path} is not an array`);
  if (value.some((v) => !isObject(v))) throw new SplitError(`OTLP body: ${path} holds a value that is not an object`);
  return value;
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
