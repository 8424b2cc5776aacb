// A strict validator for OTLP/HTTP JSON request bodies, driven by the opentelemetry-proto message
// definitions (otlp-schema.js) and the proto3 JSON mapping
// (protobuf.dev/programming-guides/json), with the exceptions OTLP makes to it
// (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding").
//
// It checks what a careful *sender* must emit, which is stricter than what an OTLP receiver must
// accept. Receivers also take numbers for 64-bit integers, enum names, the original snake_case
// keys, null for a default and unknown fields (which they ignore); a payload that leans on any of
// that is rejected here, because edgescope promises the canonical form:
//   - keys are the lowerCamelCase JSON names; a key the message does not define is an error;
//   - null is never a value (a field at its default is left out);
//   - int64/uint64/fixed64 (and the sint/sfixed variants) are decimal strings; 32-bit integers
//     are JSON numbers, in range; double is a number or "NaN"/"Infinity"/"-Infinity";
//   - enums are integers (OTLP: "Values of enum fields MUST be encoded as integer values") and must
//     be a value the enum defines;
//   - traceId/spanId/parentSpanId are lowercase hex of exactly 16/8 bytes, never all zero (OTLP's
//     exception to base64 for these bytes fields); other bytes fields are base64;
//   - strings are well-formed Unicode (proto strings are UTF-8: a lone surrogate is not);
//   - at most one member of a oneof is set;
//   - every *UnixNano time that is present lies in 2000..2100, which catches 0 and a time sent in
//     seconds or milliseconds instead of nanoseconds;
// plus OTLP's own semantic rules in otlp-rules.js. Every element of every repeated field is
// checked. Errors are DecodeErrors naming the JSON path of the offending value.
import { DecodeError, describe } from '../decode-error.js';
import { checkMessage } from './otlp-rules.js';
import { jsonName, otlpRequestType, otlpSchema, typeName } from './otlp-schema.js';

export function validateOtlpJson(signal, doc) {
  validateMessage(otlpRequestType(signal), doc, '$');
}

const layouts = new WeakMap();

// Per message type: its fields by JSON name and by proto name, and its real oneofs (proto3
// `optional` fields are synthetic one-member oneofs, which need no exclusivity check).
function layoutOf(type) {
  let layout = layouts.get(type);
  if (layout) return layout;
  layout = { byJson: new Map(), byProto: new Map(), oneofs: [] };
  for (const field of type.fieldsArray) {
    if (field.map) throw new Error(`${typeName(type)}.${field.name}: map fields are not used by opentelemetry-proto and not supported here`);
    layout.byJson.set(jsonName(field.name), field);
    layout.byProto.set(field.name, field);
  }
  for (const oneof of type.oneofsArray) {
    const synthetic = oneof.fieldsArray.length === 1 && oneof.fieldsArray[0].options?.proto3_optional;
    if (!synthetic) layout.oneofs.push({ name: oneof.name, keys: oneof.fieldsArray.map((f) => jsonName(f.name)) });
  }
  layouts.set(type, layout);
  return layout;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function validateMessage(type, value, path) {
  if (!isObject(value)) throw new DecodeError(path, `expected a JSON object (${typeName(type)}), got ${describe(value)}`);
  const layout = layoutOf(type);
  for (const key of Object.keys(value)) {
    const field = layout.byJson.get(key);
    const at = `${path}.${key}`;
    if (!field) {
      const snake = layout.byProto.get(key);
      if (snake) throw new DecodeError(at, `OTLP JSON keys are lowerCamelCase: use "${jsonName(snake.name)}", not the proto field name`);
      throw new DecodeError(at, `unknown field: ${typeName(type)} has no field "${key}" (it has ${[...layout.byJson.keys()].join(', ')})`);
    }
    const v = value[key];
    if (v === null) throw new DecodeError(at, 'null is not a value; leave a field at its default out');
    if (field.repeated) {
      if (!Array.isArray(v)) throw new DecodeError(at, `expected an array (repeated ${field.type}), got ${describe(v)}`);
      v.forEach((item, i) => validateValue(field, item, `${at}[${i}]`));
    } else {
      validateValue(field, v, at);
    }
  }
  for (const oneof of layout.oneofs) {
    const set = oneof.keys.filter((k) => k in value);
    if (set.length > 1) throw new DecodeError(path, `at most one of oneof ${oneof.name} may be set, found ${set.join(' and ')}`);
  }
  checkMessage(type, value, path);
}

function validateValue(field, v, path) {
  const { protobuf } = otlpSchema();
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return validateMessage(resolved, v, path);
  if (resolved instanceof protobuf.Enum) return validateEnum(resolved, v, path);
  if (field.type === 'bytes' && HEX_ID_BYTES[field.name]) return validateHexId(field.name, v, path);
  validateScalar(field.type, v, path);
  if (/_unix_nano$/.test(field.name)) validateTime(v, path);
}

function validateEnum(enumType, v, path) {
  const names = Object.keys(enumType.values);
  if (typeof v === 'string' && names.includes(v)) {
    throw new DecodeError(path, `OTLP JSON encodes enums as integers: ${enumType.values[v]}, not "${v}"`);
  }
  if (!Number.isInteger(v) || !Object.values(enumType.values).includes(v)) {
    throw new DecodeError(path, `expected an integer value of ${typeName(enumType)} (${names.map((n) => `${enumType.values[n]}=${n}`).join(', ')}), got ${describe(v)}`);
  }
}

// OTLP: trace and span ids are hex, not base64. The lowercase form is what OTLP/JSON senders emit
// (and what the W3C traceparent uses); an all-zero id is invalid (W3C Trace Context 3.2.2.3-4).
const HEX_ID_BYTES = { trace_id: 16, span_id: 8, parent_span_id: 8 };

function validateHexId(name, v, path) {
  const digits = HEX_ID_BYTES[name] * 2;
  if (typeof v !== 'string' || v.length !== digits || !/^[0-9a-f]+$/.test(v)) {
    throw new DecodeError(path, `expected ${digits} lowercase hex digits (OTLP ${name}), got ${describe(v)}`);
  }
  if (/^0+$/.test(v)) throw new DecodeError(path, `an all-zero ${name} is invalid; leave the field out for none`);
}

const INT32_RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const INT64_RANGES = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const NON_FINITE = ['NaN', 'Infinity', '-Infinity'];
const FLOAT_MAX = 3.4028234663852886e38;

function validateScalar(type, v, path) {
  const fail = (expected) => {
    throw new DecodeError(path, `expected ${expected}, got ${describe(v)}`);
  };
  if (type in INT64_RANGES) {
    // proto3 JSON: "int64, fixed64, uint64 — JSON value will be a decimal string."
    if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v)) fail(`a ${type} as a decimal string (proto3 JSON mapping)`);
    const [min, max] = INT64_RANGES[type];
    const n = BigInt(v);
    if (n < min || n > max) fail(`a ${type} in ${min}..${max}`);
  } else if (type in INT32_RANGES) {
    const [min, max] = INT32_RANGES[type];
    if (!Number.isInteger(v) || v < min || v > max) fail(`a ${type} as a JSON number in ${min}..${max}`);
  } else if (type === 'double' || type === 'float') {
    if (typeof v === 'string' ? !NON_FINITE.includes(v) : typeof v !== 'number') fail(`a ${type} as a JSON number (or "NaN", "Infinity", "-Infinity")`);
    if (type === 'float' && typeof v === 'number' && Math.abs(v) > FLOAT_MAX) fail('a float in range');
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') fail('true or false');
  } else if (type === 'string') {
    if (typeof v !== 'string') fail('a string');
    if (!v.isWellFormed()) throw new DecodeError(path, 'string is not well-formed Unicode (a lone surrogate cannot be encoded as UTF-8)');
  } else if (type === 'bytes') {
    // proto3 JSON: standard or URL-safe base64, padding optional.
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v) || v.replace(/=+$/, '').length % 4 === 1) fail('base64 bytes');
  } else {
    throw new Error(`${path}: unsupported proto scalar type ${type}`);
  }
}

// 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in nanoseconds. Anything outside is not a real
// event time for a Worker: 0 (unset), or seconds/milliseconds/microseconds mistaken for nanoseconds.
const EARLIEST_NS = 946_684_800n * 1_000_000_000n;
const LATEST_NS = 4_102_444_800n * 1_000_000_000n;

function validateTime(v, path) {
  const ns = BigInt(v);
  if (ns >= EARLIEST_NS && ns < LATEST_NS) return;
  const hint = ns === 0n ? ' (0 means unset)' : ns < EARLIEST_NS ? ' (seconds, milliseconds or microseconds instead of nanoseconds?)' : '';
  throw new DecodeError(path, `expected nanoseconds since the Unix epoch for a time in 2000..2100, got ${v}${hint}`);
}
