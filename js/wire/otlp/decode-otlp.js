// OTLP/HTTP JSON into the collector's record shape. The body is first validated in full against
// the opentelemetry-proto definitions (otlp-json.js); the mapping below then reads a payload that
// is known to be well-formed. Every data point of every metric becomes one metric record, as one
// native-format MetricPoint would.
import { DecodeError } from '../decode-error.js';
import { validateOtlpJson } from './otlp-json.js';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];
const LEVELS = { 5: 'debug', 9: 'info', 13: 'warn', 17: 'error', 21: 'fatal' };

const SIGNAL_KEYS = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
};

export function decodeOtlp(signal, doc) {
  const keys = SIGNAL_KEYS[signal];
  if (!keys) throw new DecodeError('signal', `expected traces, metrics or logs, got ${JSON.stringify(signal)}`);
  validateOtlpJson(signal, doc);
  const [resourceKey, scopeKey, recordsKey] = keys;
  const out = { spans: [], metrics: [], logs: [] };
  doc[resourceKey].forEach((res, r) => {
    const rp = `$.${resourceKey}[${r}]`;
    const service = keyValues(res.resource?.attributes)['service.name'];
    // OpenTelemetry resource semantic conventions: service.name is the one required attribute.
    if (typeof service !== 'string' || service === '') throw new DecodeError(`${rp}.resource`, 'expected a service.name attribute with a string value');
    res[scopeKey].forEach((scope, s) => {
      scope[recordsKey].forEach((rec, i) => {
        if (signal === 'traces') out.spans.push(span(rec, service));
        else if (signal === 'metrics') out.metrics.push(...metricPoints(rec, service, `${rp}.${scopeKey}[${s}].${recordsKey}[${i}]`));
        else out.logs.push(log(rec, service));
      });
    });
  });
  return out;
}

// int64 values (AnyValue.intValue, NumberDataPoint.asInt) arrive as decimal strings; they become a
// number when exact, a BigInt beyond 2^53 so that no digit is lost.
function int64(text) {
  const n = BigInt(text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

// proto3 JSON doubles: a number, or "NaN", "Infinity", "-Infinity".
const double = (v) => (typeof v === 'string' ? Number(v) : v);

function anyValue(v) {
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return int64(v.intValue);
  if ('doubleValue' in v) return double(v.doubleValue);
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return keyValues(v.kvlistValue.values);
  return new Uint8Array(Buffer.from(v.bytesValue, 'base64'));
}

function keyValues(list) {
  const out = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

// Nanoseconds (a decimal string) to milliseconds since the epoch, kept to the microsecond.
const nanosToMs = (v) => Number(BigInt(v) / 1000n) / 1000;

function span(s, service) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId ?? null,
    name: s.name,
    service,
    kind: KINDS[s.kind ?? 0],
    startTime: nanosToMs(s.startTimeUnixNano),
    endTime: nanosToMs(s.endTimeUnixNano),
    status: STATUS[s.status?.code ?? 0],
    statusMessage: s.status?.message ?? '',
    attributes: keyValues(s.attributes),
    events: (s.events ?? []).map((e) => ({ name: e.name, time: nanosToMs(e.timeUnixNano), attributes: keyValues(e.attributes) })),
  };
}

// edgescope records counters, up-down counters, gauges and histograms (explicit or exponential
// buckets); a summary is valid OTLP but has no place in the captured record shape.
function metricPoints(m, service, path) {
  const kind = ['sum', 'gauge', 'histogram', 'exponentialHistogram'].find((k) => k in m);
  if (!kind) {
    throw new DecodeError(`${path}.summary`, 'valid OTLP, but edgescope/testing captures only sum, gauge and histogram metrics');
  }
  const type = kind === 'sum' ? (m.sum.isMonotonic ? 'counter' : 'updowncounter') : kind === 'gauge' ? 'gauge' : 'histogram';
  const buckets = (b) => ({ offset: b?.offset ?? 0, bucketCounts: (b?.bucketCounts ?? []).map(Number) });
  return m[kind].dataPoints.map((dp) => {
    const base = { name: m.name, type, unit: m.unit ?? '', time: nanosToMs(dp.timeUnixNano), tags: keyValues(dp.attributes), service };
    if (kind === 'sum' || kind === 'gauge') return { ...base, value: 'asInt' in dp ? Number(dp.asInt) : double(dp.asDouble) };
    if (kind === 'exponentialHistogram') {
      const exponential = { scale: dp.scale ?? 0, zeroCount: Number(dp.zeroCount ?? '0'), positive: buckets(dp.positive), negative: buckets(dp.negative) };
      return { ...base, value: double(dp.sum), count: Number(dp.count ?? '0'), sum: double(dp.sum), min: double(dp.min), max: double(dp.max), exponential };
    }
    return {
      ...base,
      value: double(dp.sum),
      count: Number(dp.count ?? '0'),
      sum: double(dp.sum),
      min: double(dp.min),
      max: double(dp.max),
      bounds: dp.explicitBounds ?? [],
      bucketCounts: (dp.bucketCounts ?? []).map(Number),
    };
  });
}

function log(l, service) {
  const attributes = keyValues(l.attributes);
  const error = attributes['exception.type'] || attributes['exception.message']
    ? { name: attributes['exception.type'], message: attributes['exception.message'], stack: attributes['exception.stacktrace'] }
    : null;
  return {
    time: nanosToMs(l.timeUnixNano),
    level: LEVELS[l.severityNumber] ?? String(l.severityNumber),
    message: l.body === undefined ? '' : anyValue(l.body),
    attributes,
    error,
    traceId: l.traceId ?? null,
    spanId: l.spanId ?? null,
    service,
  };
}
