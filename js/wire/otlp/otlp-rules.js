// OTLP's semantic rules, which the proto types alone cannot express: what the comments in the
// opentelemetry-proto .proto files call required, MUST or must. otlp-json.js calls checkMessage on
// every message after its fields passed the type checks, so values here are already well-typed.
//
// Where the proto only encourages something that edgescope always does (a start time on sum and
// histogram points, a severity on logs, at least one record in each list), it is required here
// too: a payload without it means the encoder lost something.
import { DecodeError } from '../decode-error.js';
import { jsonName, typeName } from './otlp-schema.js';

export function checkMessage(type, value, path) {
  if (Array.isArray(value.attributes)) uniqueKeys(value.attributes, `${path}.attributes`);
  RULES[typeName(type)]?.(value, path, type);
}

const fail = (path, problem) => {
  throw new DecodeError(path, problem);
};

// "Attribute keys MUST be unique (it is not allowed to have more than one attribute with the same
// key)" (common.proto, and every message that has attributes).
function uniqueKeys(list, path) {
  const seen = new Map();
  list.forEach((kv, i) => {
    if (seen.has(kv.key)) fail(`${path}[${i}].key`, `duplicate attribute key ${JSON.stringify(kv.key)} (also at [${seen.get(kv.key)}]); keys MUST be unique`);
    seen.set(kv.key, i);
  });
}

function required(value, path, key, what = 'required') {
  if (!(key in value)) fail(`${path}.${key}`, `missing; ${what}`);
}

function nonEmptyString(value, path, key, why) {
  if (typeof value[key] !== 'string' || value[key] === '') fail(`${path}.${key}`, `expected a non-empty string; ${why}`);
}

function nonEmptyList(value, path, key) {
  if (!Array.isArray(value[key]) || value[key].length === 0) fail(`${path}.${key}`, 'expected at least one element; an empty or missing list carries nothing');
}

// Exactly one member of the named oneof, by the names the schema gives it.
function exactlyOne(type, value, path, oneofName, why) {
  const keys = type.oneofs[oneofName].fieldsArray.map((f) => jsonName(f.name));
  const set = keys.filter((k) => k in value);
  if (set.length !== 1) fail(path, `expected exactly one of ${keys.join(', ')}; ${why}`);
}

function notAfter(value, path, earlierKey, laterKey) {
  if (earlierKey in value && laterKey in value && BigInt(value[earlierKey]) > BigInt(value[laterKey])) {
    fail(`${path}.${laterKey}`, `${value[laterKey]} is before ${earlierKey} ${value[earlierKey]}`);
  }
}

// Sum, Histogram, ExponentialHistogram: "UNSPECIFIED is the default AggregationTemporality, it
// MUST not be used"; each point of a delta or cumulative series has a start time.
function aggregated(value, path) {
  nonEmptyList(value, path, 'dataPoints');
  if (!value.aggregationTemporality) fail(`${path}.aggregationTemporality`, 'missing or 0 (UNSPECIFIED), which MUST NOT be used');
  value.dataPoints.forEach((point, i) => required(point, `${path}.dataPoints[${i}]`, 'startTimeUnixNano', 'a delta or cumulative point needs its start time'));
}

function dataPoint(value, path) {
  required(value, path, 'timeUnixNano', '"TimeUnixNano is required" (metrics.proto)');
  notAfter(value, path, 'startTimeUnixNano', 'timeUnixNano');
}

const sumOf = (counts) => counts.reduce((a, c) => a + BigInt(c), 0n);

const RULES = {
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest': (v, p) => nonEmptyList(v, p, 'resourceSpans'),
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest': (v, p) => nonEmptyList(v, p, 'resourceMetrics'),
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest': (v, p) => nonEmptyList(v, p, 'resourceLogs'),
  'opentelemetry.proto.trace.v1.ResourceSpans': (v, p) => nonEmptyList(v, p, 'scopeSpans'),
  'opentelemetry.proto.trace.v1.ScopeSpans': (v, p) => nonEmptyList(v, p, 'spans'),
  'opentelemetry.proto.metrics.v1.ResourceMetrics': (v, p) => nonEmptyList(v, p, 'scopeMetrics'),
  'opentelemetry.proto.metrics.v1.ScopeMetrics': (v, p) => nonEmptyList(v, p, 'metrics'),
  'opentelemetry.proto.logs.v1.ResourceLogs': (v, p) => nonEmptyList(v, p, 'scopeLogs'),
  'opentelemetry.proto.logs.v1.ScopeLogs': (v, p) => nonEmptyList(v, p, 'logRecords'),

  'opentelemetry.proto.common.v1.KeyValue': (v, p) => {
    nonEmptyString(v, p, 'key', 'an attribute key MUST be a non-empty string');
    required(v, p, 'value', 'an attribute has a value');
  },
  'opentelemetry.proto.common.v1.KeyValueList': (v, p) => uniqueKeys(v.values ?? [], `${p}.values`),
  'opentelemetry.proto.common.v1.AnyValue': (v, p, type) => exactlyOne(type, v, p, 'value', 'edgescope never sends an empty value'),

  // trace.proto: trace_id and span_id "This field is required."; name "semantically required to be
  // set to non-empty string"; start and end "semantically required ... end_time >= start_time";
  // flags: "When creating new spans, bits 10-31 (most-significant 22-bits) MUST be zero."
  'opentelemetry.proto.trace.v1.Span': (v, p) => {
    required(v, p, 'traceId');
    required(v, p, 'spanId');
    nonEmptyString(v, p, 'name', 'a span name is semantically required');
    required(v, p, 'startTimeUnixNano', 'semantically required');
    required(v, p, 'endTimeUnixNano', 'semantically required');
    notAfter(v, p, 'startTimeUnixNano', 'endTimeUnixNano');
    if ((v.flags ?? 0) >>> 10 !== 0) fail(`${p}.flags`, `bits 10-31 MUST be zero, got ${v.flags}`);
  },
  'opentelemetry.proto.trace.v1.Span.Event': (v, p) => {
    required(v, p, 'timeUnixNano');
    nonEmptyString(v, p, 'name', 'an event name is semantically required');
  },
  'opentelemetry.proto.trace.v1.Span.Link': (v, p) => {
    required(v, p, 'traceId');
    required(v, p, 'spanId');
    if ((v.flags ?? 0) >>> 10 !== 0) fail(`${p}.flags`, `bits 10-31 MUST be zero, got ${v.flags}`);
  },

  // logs.proto: severity "UNSPECIFIED ... MUST NOT be used"; flags "reserved and must be set to 0"
  // above the low 8 bits; a span id without its trace id identifies nothing.
  'opentelemetry.proto.logs.v1.LogRecord': (v, p) => {
    required(v, p, 'timeUnixNano', 'edgescope always knows when a log was written');
    if (!v.severityNumber) fail(`${p}.severityNumber`, 'missing or 0 (UNSPECIFIED), which MUST NOT be used');
    if ('spanId' in v) required(v, p, 'traceId', 'a spanId needs its traceId');
    if ((v.flags ?? 0) >>> 8 !== 0) fail(`${p}.flags`, `bits 8-31 are reserved and must be 0, got ${v.flags}`);
  },

  'opentelemetry.proto.metrics.v1.Metric': (v, p, type) => {
    nonEmptyString(v, p, 'name', 'a metric has a name');
    exactlyOne(type, v, p, 'data', 'the data field determines the metric type');
  },
  'opentelemetry.proto.metrics.v1.Gauge': (v, p) => nonEmptyList(v, p, 'dataPoints'),
  'opentelemetry.proto.metrics.v1.Sum': aggregated,
  'opentelemetry.proto.metrics.v1.Histogram': aggregated,
  'opentelemetry.proto.metrics.v1.ExponentialHistogram': aggregated,
  'opentelemetry.proto.metrics.v1.Summary': (v, p) => nonEmptyList(v, p, 'dataPoints'),
  'opentelemetry.proto.metrics.v1.NumberDataPoint': (v, p, type) => {
    dataPoint(v, p);
    exactlyOne(type, v, p, 'value', 'a number data point carries its value');
  },
  // metrics.proto, HistogramDataPoint: bucket_counts has one more element than explicit_bounds,
  // "The sum of the bucket_counts must equal the value in the count field", explicit_bounds "must
  // be strictly increasing", both or neither are present, and "If count is zero then [sum] must be
  // zero".
  'opentelemetry.proto.metrics.v1.HistogramDataPoint': (v, p) => {
    dataPoint(v, p);
    const counts = v.bucketCounts ?? [];
    const bounds = v.explicitBounds ?? [];
    const count = BigInt(v.count ?? '0');
    if (counts.length === 0 && bounds.length > 0) fail(`${p}.bucketCounts`, 'missing while explicitBounds is set; both or neither');
    if (counts.length > 0 && counts.length !== bounds.length + 1) {
      fail(`${p}.bucketCounts`, `has ${counts.length} elements; expected explicitBounds.length + 1 = ${bounds.length + 1}`);
    }
    if (counts.length > 0 && sumOf(counts) !== count) fail(`${p}.count`, `is ${count} but the bucket counts add up to ${sumOf(counts)}`);
    bounds.forEach((b, i) => {
      if (typeof b !== 'number') fail(`${p}.explicitBounds[${i}]`, `expected a finite bound, got ${b}`);
      if (i > 0 && !(b > bounds[i - 1])) fail(`${p}.explicitBounds[${i}]`, `${b} does not exceed ${bounds[i - 1]}; bounds must be strictly increasing`);
    });
    if (count === 0n && (v.sum ?? 0) !== 0) fail(`${p}.sum`, 'must be zero when count is zero');
    if (typeof v.min === 'number' && typeof v.max === 'number' && v.min > v.max) fail(`${p}.max`, `${v.max} is below min ${v.min}`);
  },
  // metrics.proto, ExponentialHistogramDataPoint: count "must be equal to the sum of the
  // bucket_counts values in the positive and negative Buckets plus the zero_count field"; the data
  // model bounds the scale to [-10, 20]; "If count is zero then [sum] must be zero".
  'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint': (v, p) => {
    dataPoint(v, p);
    const scale = v.scale ?? 0;
    if (!Number.isInteger(scale) || scale < -10 || scale > 20) fail(`${p}.scale`, `expected an integer from -10 to 20, got ${scale}`);
    const count = BigInt(v.count ?? '0');
    const total = BigInt(v.zeroCount ?? '0') + sumOf(v.positive?.bucketCounts ?? []) + sumOf(v.negative?.bucketCounts ?? []);
    if (total !== count) fail(`${p}.count`, `is ${count} but zeroCount and the bucket counts add up to ${total}`);
    if (count === 0n && (v.sum ?? 0) !== 0) fail(`${p}.sum`, 'must be zero when count is zero');
    if (typeof v.min === 'number' && typeof v.max === 'number' && v.min > v.max) fail(`${p}.max`, `${v.max} is below min ${v.min}`);
  },
  'opentelemetry.proto.metrics.v1.SummaryDataPoint': dataPoint,
  'opentelemetry.proto.metrics.v1.Exemplar': (v, p, type) => {
    required(v, p, 'timeUnixNano');
    exactlyOne(type, v, p, 'value', 'an exemplar carries its value');
    if ('spanId' in v) required(v, p, 'traceId', 'a spanId needs its traceId');
  },
};
