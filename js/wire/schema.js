// The one canonical record schema, as data: what a native ingest payload carries (the `wire`
// name, when it differs) and what a decoded record holds (`name`). The native decoder
// (native.js) validates against it, the TypeScript declarations (index.d.ts, written by
// types.js) and the D1 tables (sql.js) are generated from it, so the three cannot drift apart.
// Worker-safe: plain data, no imports.
//
// Field types: 'string', 'hex' (lowercase, `length` digits), 'number' (finite or not, as JSON
// allows), 'integer' (a safe integer within `min`/`max`), 'enum' (one of `values`), 'object' (a
// JSON object of attributes), 'array', 'exponential' (an exponential-histogram sketch, checked by
// native.js). `required` fields must be present on the wire; an optional one decodes to
// `fallback` (null when not given) unless `keepUndefined`.

// The native format version the core writes first in every payload
// (wasm/src/exporting/native_json_encoder.cpp kNativeFormatVersion). A payload without `version`
// comes from a sender older than the field: version 0, the same shape.
export const NATIVE_FORMAT_VERSION = 1;
export const ACCEPTED_VERSIONS = [0, 1];

export const SPAN_STATUS = ['unset', 'ok', 'error'];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];
export const METRIC_TYPES = ['counter', 'gauge', 'histogram'];
// What a decoded metric's type can be: a non-monotonic counter decodes as an updowncounter.
export const DECODED_METRIC_TYPES = ['counter', 'updowncounter', 'gauge', 'histogram'];

// The payload envelope: `service` names the resource, `batchId` de-duplicates (a payload split
// after a 413 adds "-0" or "-1" per split).
export const PAYLOAD = [
  { name: 'version', type: 'integer', min: 0, max: NATIVE_FORMAT_VERSION, fallback: 0 },
  { name: 'service', type: 'string', required: true, nonEmpty: true },
  { name: 'batchId', type: 'batchId' },
  { name: 'resource', type: 'object' },
];

export const RECORDS = {
  span: {
    list: 'spans',
    table: 'spans',
    fields: [
      { name: 'traceId', type: 'hex', length: 32, required: true },
      { name: 'spanId', type: 'hex', length: 16, required: true },
      { name: 'parentSpanId', type: 'hex', length: 16 },
      { name: 'name', wire: 'operationName', type: 'string', required: true },
      { name: 'service', type: 'string', keepUndefined: true },
      { name: 'kind', type: 'string', keepUndefined: true },
      { name: 'startTime', type: 'number', required: true },
      { name: 'endTime', type: 'number', required: true },
      { name: 'status', type: 'enum', values: SPAN_STATUS, required: true },
      { name: 'statusMessage', type: 'string', fallback: '' },
      { name: 'attributes', type: 'object', required: true },
      { name: 'events', type: 'array', items: 'SpanEvent', required: true },
    ],
  },
  metric: {
    list: 'metrics',
    table: 'metric_points',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'type', type: 'enum', values: METRIC_TYPES, decoded: DECODED_METRIC_TYPES, required: true },
      { name: 'value', type: 'number', required: true },
      { name: 'unit', type: 'string', keepUndefined: true },
      { name: 'time', wire: 'timestamp', type: 'number', required: true },
      { name: 'tags', type: 'object', required: true },
      { name: 'service', type: 'string', fromPayload: true },
      // Histogram points only: the explicit buckets, then the exponential sketch when sent.
      { name: 'count', type: 'number', histogram: true },
      { name: 'sum', type: 'number', histogram: true },
      { name: 'min', type: 'number', histogram: true },
      { name: 'max', type: 'number', histogram: true },
      { name: 'bounds', type: 'array', items: 'number', histogram: true },
      { name: 'bucketCounts', type: 'array', items: 'number', histogram: true },
      { name: 'exponential', type: 'exponential', histogram: true },
      { name: 'p50', type: 'number', histogram: true },
      { name: 'p95', type: 'number', histogram: true },
      { name: 'p99', type: 'number', histogram: true },
    ],
  },
  log: {
    list: 'logs',
    table: 'logs',
    fields: [
      { name: 'time', wire: 'timestamp', type: 'number', keepUndefined: true },
      { name: 'level', type: 'enum', values: LOG_LEVELS, required: true },
      { name: 'message', type: 'string', required: true },
      { name: 'attributes', wire: 'context', type: 'object', required: true },
      { name: 'error', type: 'object', ts: 'LogError' },
      { name: 'traceId', wire: 'metadata.traceId', type: 'hex', length: 32 },
      { name: 'spanId', wire: 'metadata.spanId', type: 'hex', length: 16 },
      { name: 'service', type: 'string', fromPayload: true },
    ],
  },
};

// The exponential-histogram sketch (OTLP ExponentialHistogramDataPoint: scale -10..20 is the
// range the spec's mapping functions are defined for).
export const EXPONENTIAL = { scale: { min: -10, max: 20 }, sides: ['positive', 'negative'] };
