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
//     total would be counted again every time it is sent), a number point without a value. Those
//     records are left out and counted in `rejected` with one message, which the collector
//     reports as a partial success (OTLP "Partial Success"); the rest is stored.
import { DecodeError } from '../decode-error.js';
import { SIGNALS } from './messages.js';

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
  const reject = (n, why) => {
    out.rejected += n;
    problems.add(why);
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
        if (signal === 'traces') out.spans.push(span(rec, service, p));
        else if (signal === 'logs') out.logs.push(log(rec, service, p));
        else metricPoints(rec, service, out.metrics, reject);
      });
    });
  });
  // With several resources the batch row names all their services; each record keeps its own.
  if (resources.length !== 1) out.resource = null;
  out.message = [...problems].join('; ');
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

function span(s, service, p) {
  return {
    traceId: id(s.traceId, 16, `${p}.traceId`, true),
    spanId: id(s.spanId, 8, `${p}.spanId`, true),
    parentSpanId: id(s.parentSpanId, 8, `${p}.parentSpanId`, false),
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

function metricPoints(m, service, into, reject) {
  const kind = DATA.find((k) => k in m);
  if (!kind) return; // a metric without data carries no points
  const points = m[kind].dataPoints ?? [];
  if (kind === 'summary') return reject(points.length, 'summary metrics are not stored (edgescope keeps counters, gauges and histograms)');
  if (kind !== 'gauge' && m[kind].aggregationTemporality !== DELTA) {
    return reject(points.length, 'only delta temporality is stored (set the exporter\'s temporality preference to delta)');
  }
  const type = kind === 'sum' ? (m.sum.isMonotonic ? 'counter' : 'updowncounter') : kind === 'gauge' ? 'gauge' : 'histogram';
  const buckets = (b) => ({ offset: b?.offset ?? 0, bucketCounts: (b?.bucketCounts ?? []).map(Number) });
  for (const dp of points) {
    const base = { name: m.name ?? '', type, unit: m.unit ?? '', time: nanosToMs(dp.timeUnixNano), tags: keyValues(dp.attributes), service };
    if (kind === 'sum' || kind === 'gauge') {
      if ('asInt' in dp) into.push({ ...base, value: Number(dp.asInt) });
      else if ('asDouble' in dp) into.push({ ...base, value: dp.asDouble });
      else reject(1, 'a number data point without a value is not stored');
    } else if (kind === 'exponentialHistogram') {
      const exponential = { scale: dp.scale ?? 0, zeroCount: Number(dp.zeroCount ?? 0n), positive: buckets(dp.positive), negative: buckets(dp.negative) };
      into.push({ ...base, value: dp.sum, count: Number(dp.count ?? 0n), sum: dp.sum, min: dp.min, max: dp.max, exponential });
    } else {
      into.push({
        ...base,
        value: dp.sum,
        count: Number(dp.count ?? 0n),
        sum: dp.sum,
        min: dp.min,
        max: dp.max,
        bounds: dp.explicitBounds ?? [],
        bucketCounts: (dp.bucketCounts ?? []).map(Number),
      });
    }
  }
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
