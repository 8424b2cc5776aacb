// The one canonical record schema, as data: what a native ingest payload carries (the `wire`
// name, when it differs) and what a decoded record holds (`name`). The native decoder
// (native.js) validates against it, the TypeScript declarations (index.d.ts, written by
// types.js) and the D1 tables (sql.js) are generated from it, so the three cannot drift apart.
// Worker-safe: plain data (and the check that it is self-consistent), no imports.
//
// Field types: 'string', 'hex' (lowercase, `length` digits), 'number' (finite or not, as JSON
// allows), 'integer' (a safe integer within `min`/`max`), 'enum' (one of `values`), 'object' (a
// JSON object of attributes, or of the named SHAPES entry when `shape` is set), 'array' (whose
// `items` are each a SHAPES entry or a scalar field type), 'exponential' (an exponential-histogram
// sketch, checked by native.js). `required` fields must be present on the wire; an optional one
// decodes to `fallback` (null when not given) unless `keepUndefined` (then it is left out).
// Every `items` and `shape` must name something defined here: schemaProblems() lists any that do
// not, and tests/js/wire-schema.test.js fails on them (an unresolved name used to let a span's
// events through unchecked).

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

// The objects nested in a record, as the core's native encoder writes them
// (wasm/src/exporting/native_json_encoder.cpp): a span's events (encode_span; droppedAttributesCount
// only when Limits::max_attributes refused some, a uint32 like OTLP's Event.dropped_attributes_count)
// and a log's `error`, lifted from its exception.* attributes (encode_log writes each of the three
// only when the attribute was set).
export const SHAPES = {
  SpanEvent: [
    { name: 'name', type: 'string', required: true },
    { name: 'time', wire: 'timestamp', type: 'number', required: true },
    { name: 'attributes', type: 'object', required: true },
    { name: 'droppedAttributesCount', type: 'integer', min: 0, max: 2 ** 32 - 1, keepUndefined: true },
  ],
  LogError: [
    { name: 'name', type: 'string', keepUndefined: true },
    { name: 'message', type: 'string', keepUndefined: true },
    { name: 'stack', type: 'string', keepUndefined: true },
  ],
};

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
      { name: 'error', type: 'object', shape: 'LogError' },
      { name: 'traceId', wire: 'metadata.traceId', type: 'hex', length: 32 },
      { name: 'spanId', wire: 'metadata.spanId', type: 'hex', length: 16 },
      { name: 'service', type: 'string', fromPayload: true },
    ],
  },
};

// The exponential-histogram sketch (OTLP ExponentialHistogramDataPoint: scale -10..20 is the
// range the spec's mapping functions are defined for).
export const EXPONENTIAL = { scale: { min: -10, max: 20 }, sides: ['positive', 'negative'] };

// The field types the native decoder checks, and the ones an array's `items` may name besides a
// SHAPES entry (one value each).
export const FIELD_TYPES = ['string', 'hex', 'number', 'integer', 'enum', 'object', 'array', 'batchId', 'exponential'];
export const SCALAR_TYPES = ['string', 'number'];

// Every reference in the schema that does not resolve, and every field a type needs a bound for
// that lacks it, as "where: what" lines; [] for a sound schema. The schema is an argument so a
// test can show a broken one is caught.
export function schemaProblems({ payload = PAYLOAD, records = RECORDS, shapes = SHAPES } = {}) {
  const problems = [];
  const check = (where, f) => {
    const at = `${where} (${f.name})`;
    if (!FIELD_TYPES.includes(f.type)) problems.push(`${at}: type ${JSON.stringify(f.type)} is not a field type`);
    if (f.type === 'array' && !(Object.hasOwn(shapes, f.items ?? '') || SCALAR_TYPES.includes(f.items))) {
      problems.push(`${at}: items ${JSON.stringify(f.items)} is neither a SHAPES entry nor one of ${SCALAR_TYPES.join(', ')}`);
    }
    if (f.items !== undefined && f.type !== 'array') problems.push(`${at}: items on a ${f.type} field`);
    if (f.shape !== undefined && !(f.type === 'object' && Object.hasOwn(shapes, f.shape))) {
      problems.push(`${at}: shape ${JSON.stringify(f.shape)} is not a SHAPES entry on an object field`);
    }
    if (f.type === 'hex' && !Number.isInteger(f.length)) problems.push(`${at}: a hex field needs its length`);
    if (f.type === 'integer' && !(Number.isSafeInteger(f.min) && Number.isSafeInteger(f.max))) problems.push(`${at}: an integer field needs min and max`);
    if (f.type === 'enum' && !(Array.isArray(f.values) && f.values.length > 0)) problems.push(`${at}: an enum field needs its values`);
  };
  payload.forEach((f, i) => check(`PAYLOAD[${i}]`, f));
  for (const [kind, { fields }] of Object.entries(records)) fields.forEach((f, i) => check(`RECORDS.${kind}.fields[${i}]`, f));
  for (const [name, fields] of Object.entries(shapes)) {
    fields.forEach((f, i) => {
      check(`SHAPES.${name}[${i}]`, f);
      // A shape is decoded field by field from the element itself: nothing to take from the payload.
      if (f.fromPayload || f.histogram) problems.push(`SHAPES.${name}[${i}] (${f.name}): fromPayload/histogram mean nothing in a shape`);
    });
  }
  return problems;
}
