// The opentelemetry-proto messages an OTLP/HTTP receiver reads, as data: field number, JSON name
// (proto3 lowerCamelCase), scalar type or message, and `repeated`. Transcribed from the official
// .proto files (opentelemetry/proto/{common,resource,trace,metrics,logs}/v1 and
// collector/*/v1/*_service.proto); tests/js/collector-otlp-messages.test.js checks every entry
// against those files as protobufjs reads them, so a number or type cannot drift.
//
// Only the fields edgescope maps are listed. Any other field (scope, links, exemplars, flags,
// dropped counts, schema URLs, entity refs, fields added by later proto versions) is skipped on
// the wire as protobuf requires of a parser ("Unknown fields", protobuf.dev/programming-guides/
// proto3) and ignored in JSON as OTLP requires ("OTLP/JSON receivers MUST ignore message fields
// with unknown names", OTLP specification, "JSON Protobuf Encoding"). Plain data: Worker-safe.
//
// `id: true` marks trace_id/span_id/parent_span_id: bytes on the wire, lowercase hex in OTLP JSON
// (OTLP's exception to proto3 JSON's base64); both decoders give them as hex strings.
// `oneof` names the group whose members exclude each other.

const f = (number, name, type, extra = {}) => ({ number, name, type, repeated: false, ...extra });
const r = (number, name, type, extra = {}) => ({ number, name, type, repeated: true, ...extra });

const DEFS = {
  // common/v1/common.proto
  AnyValue: [
    f(1, 'stringValue', 'string', { oneof: 'value' }),
    f(2, 'boolValue', 'bool', { oneof: 'value' }),
    f(3, 'intValue', 'int64', { oneof: 'value' }),
    f(4, 'doubleValue', 'double', { oneof: 'value' }),
    f(5, 'arrayValue', 'ArrayValue', { oneof: 'value' }),
    f(6, 'kvlistValue', 'KeyValueList', { oneof: 'value' }),
    f(7, 'bytesValue', 'bytes', { oneof: 'value' }),
  ],
  ArrayValue: [r(1, 'values', 'AnyValue')],
  KeyValueList: [r(1, 'values', 'KeyValue')],
  KeyValue: [f(1, 'key', 'string'), f(2, 'value', 'AnyValue')],
  // resource/v1/resource.proto
  Resource: [r(1, 'attributes', 'KeyValue')],

  // trace/v1/trace.proto
  ResourceSpans: [f(1, 'resource', 'Resource'), r(2, 'scopeSpans', 'ScopeSpans')],
  ScopeSpans: [r(2, 'spans', 'Span')],
  Span: [
    f(1, 'traceId', 'bytes', { id: true }),
    f(2, 'spanId', 'bytes', { id: true }),
    f(4, 'parentSpanId', 'bytes', { id: true }),
    f(5, 'name', 'string'),
    f(6, 'kind', 'enum'),
    f(7, 'startTimeUnixNano', 'fixed64'),
    f(8, 'endTimeUnixNano', 'fixed64'),
    r(9, 'attributes', 'KeyValue'),
    r(11, 'events', 'Event'),
    f(15, 'status', 'Status'),
  ],
  Event: [f(1, 'timeUnixNano', 'fixed64'), f(2, 'name', 'string'), r(3, 'attributes', 'KeyValue')],
  Status: [f(2, 'message', 'string'), f(3, 'code', 'enum')],

  // metrics/v1/metrics.proto
  ResourceMetrics: [f(1, 'resource', 'Resource'), r(2, 'scopeMetrics', 'ScopeMetrics')],
  ScopeMetrics: [r(2, 'metrics', 'Metric')],
  Metric: [
    f(1, 'name', 'string'),
    f(3, 'unit', 'string'),
    f(5, 'gauge', 'Gauge', { oneof: 'data' }),
    f(7, 'sum', 'Sum', { oneof: 'data' }),
    f(9, 'histogram', 'Histogram', { oneof: 'data' }),
    f(10, 'exponentialHistogram', 'ExponentialHistogram', { oneof: 'data' }),
    f(11, 'summary', 'Summary', { oneof: 'data' }),
  ],
  Gauge: [r(1, 'dataPoints', 'NumberDataPoint')],
  Sum: [r(1, 'dataPoints', 'NumberDataPoint'), f(2, 'aggregationTemporality', 'enum'), f(3, 'isMonotonic', 'bool')],
  Histogram: [r(1, 'dataPoints', 'HistogramDataPoint'), f(2, 'aggregationTemporality', 'enum')],
  ExponentialHistogram: [r(1, 'dataPoints', 'ExponentialHistogramDataPoint'), f(2, 'aggregationTemporality', 'enum')],
  // A summary is valid OTLP that edgescope's records cannot hold: its points are only counted.
  Summary: [r(1, 'dataPoints', 'SummaryDataPoint')],
  SummaryDataPoint: [],
  NumberDataPoint: [
    f(2, 'startTimeUnixNano', 'fixed64'),
    f(3, 'timeUnixNano', 'fixed64'),
    f(4, 'asDouble', 'double', { oneof: 'value' }),
    f(6, 'asInt', 'sfixed64', { oneof: 'value' }),
    r(7, 'attributes', 'KeyValue'),
  ],
  HistogramDataPoint: [
    f(2, 'startTimeUnixNano', 'fixed64'),
    f(3, 'timeUnixNano', 'fixed64'),
    f(4, 'count', 'fixed64'),
    f(5, 'sum', 'double'),
    r(6, 'bucketCounts', 'fixed64'),
    r(7, 'explicitBounds', 'double'),
    r(9, 'attributes', 'KeyValue'),
    f(11, 'min', 'double'),
    f(12, 'max', 'double'),
  ],
  ExponentialHistogramDataPoint: [
    r(1, 'attributes', 'KeyValue'),
    f(2, 'startTimeUnixNano', 'fixed64'),
    f(3, 'timeUnixNano', 'fixed64'),
    f(4, 'count', 'fixed64'),
    f(5, 'sum', 'double'),
    f(6, 'scale', 'sint32'),
    f(7, 'zeroCount', 'fixed64'),
    f(8, 'positive', 'Buckets'),
    f(9, 'negative', 'Buckets'),
    f(12, 'min', 'double'),
    f(13, 'max', 'double'),
  ],
  Buckets: [f(1, 'offset', 'sint32'), r(2, 'bucketCounts', 'uint64')],

  // logs/v1/logs.proto
  ResourceLogs: [f(1, 'resource', 'Resource'), r(2, 'scopeLogs', 'ScopeLogs')],
  ScopeLogs: [r(2, 'logRecords', 'LogRecord')],
  LogRecord: [
    f(1, 'timeUnixNano', 'fixed64'),
    f(2, 'severityNumber', 'enum'),
    f(3, 'severityText', 'string'),
    f(5, 'body', 'AnyValue'),
    r(6, 'attributes', 'KeyValue'),
    f(9, 'traceId', 'bytes', { id: true }),
    f(10, 'spanId', 'bytes', { id: true }),
    f(11, 'observedTimeUnixNano', 'fixed64'),
  ],

  // collector/{trace,metrics,logs}/v1/*_service.proto
  ExportTraceServiceRequest: [r(1, 'resourceSpans', 'ResourceSpans')],
  ExportMetricsServiceRequest: [r(1, 'resourceMetrics', 'ResourceMetrics')],
  ExportLogsServiceRequest: [r(1, 'resourceLogs', 'ResourceLogs')],
};

// The official full names, for the check against the .proto files.
const PACKAGES = {
  AnyValue: 'common', ArrayValue: 'common', KeyValueList: 'common', KeyValue: 'common', Resource: 'resource',
  ResourceSpans: 'trace', ScopeSpans: 'trace', Span: 'trace', Event: 'trace', Status: 'trace',
  ResourceLogs: 'logs', ScopeLogs: 'logs', LogRecord: 'logs',
  ExportTraceServiceRequest: 'collector.trace', ExportMetricsServiceRequest: 'collector.metrics', ExportLogsServiceRequest: 'collector.logs',
};
const NESTED = { Event: 'Span.Event', Status: 'Status', Buckets: 'ExponentialHistogramDataPoint.Buckets' };

export const SCALARS = new Set(['string', 'bytes', 'bool', 'enum', 'int32', 'uint32', 'sint32', 'fixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'double']);

// name -> { name, fullName, byNumber: Map, byJson: Map, fields: [] }
export const MESSAGES = {};
for (const [name, fields] of Object.entries(DEFS)) {
  const pkg = PACKAGES[name] ?? 'metrics';
  MESSAGES[name] = { name, fullName: `opentelemetry.proto.${pkg}.v1.${NESTED[name] ?? name}`, fields, byNumber: new Map(), byJson: new Map() };
}
for (const message of Object.values(MESSAGES)) {
  for (const field of message.fields) {
    if (!SCALARS.has(field.type)) {
      field.message = MESSAGES[field.type];
      if (!field.message) throw new Error(`otlp-decode: ${message.name}.${field.name} names unknown message ${field.type}`);
    }
    message.byNumber.set(field.number, field);
    message.byJson.set(field.name, field);
  }
}

// OTLP/HTTP: one Export*ServiceRequest per POST to /v1/{traces,metrics,logs}.
export const SIGNALS = {
  traces: { request: MESSAGES.ExportTraceServiceRequest, keys: ['resourceSpans', 'scopeSpans', 'spans'], rejectedField: 'rejectedSpans' },
  metrics: { request: MESSAGES.ExportMetricsServiceRequest, keys: ['resourceMetrics', 'scopeMetrics', 'metrics'], rejectedField: 'rejectedDataPoints' },
  logs: { request: MESSAGES.ExportLogsServiceRequest, keys: ['resourceLogs', 'scopeLogs', 'logRecords'], rejectedField: 'rejectedLogRecords' },
};
