// OTLP/HTTP binary protobuf request bodies (OpenTelemetry Protocol specification, "Binary
// Protobuf Encoding") into the OTLP JSON document the strict validator (otlp-json.js) and the
// record decoder (decode-otlp.js) take, so a payload sent as protobuf is checked and captured
// exactly as the same payload sent as JSON.
//
// Decoding is done by protobufjs over the official opentelemetry-proto definitions
// (otlp-schema.js), an implementation independent of edgescope's encoder. protobufjs is lenient
// where a test collector must not be (it reads a field whatever its wire type, accepts invalid
// UTF-8 in strings and skips unknown fields), so the body is first walked against the same
// reflected types, and anything a correct sender would not produce is a DecodeError naming the
// JSON path and what is wrong:
//   - a truncated field, an over-long varint, a field number 0, a group or unknown wire type;
//   - a field number the message does not define, or a wire type other than its type's (a
//     repeated number may be packed, as proto3 writes it by default);
//   - a singular field that appears twice (protobuf would keep the last; an encoder that writes
//     a field twice is wrong);
//   - a string that is not valid UTF-8; nesting deeper than MAX_DEPTH.
// The message is then mapped to JSON by the proto3 JSON rules with OTLP's exceptions
// (protobuf.dev/programming-guides/json; OTLP "JSON Protobuf Encoding"): lowerCamelCase keys,
// trace/span ids as lowercase hex, other bytes as base64, 64-bit integers as decimal strings,
// enums as integers, non-finite doubles as "NaN"/"Infinity"/"-Infinity", and a field at its
// default left out unless it has presence (a message, a oneof member, a proto3 `optional`).
import { DecodeError } from '../decode-error.js';
import { jsonName, otlpRequestType, otlpSchema, typeName } from './otlp-schema.js';

// AnyValue nests through arrayValue and kvlistValue; a real attribute is a few levels deep.
const MAX_DEPTH = 64;

const WIRE_OF = {
  int32: 0, int64: 0, uint32: 0, uint64: 0, sint32: 0, sint64: 0, bool: 0, enum: 0,
  fixed64: 1, sfixed64: 1, double: 1,
  fixed32: 5, sfixed32: 5, float: 5,
  string: 2, bytes: 2, message: 2,
};
const HEX_ID_FIELDS = new Set(['trace_id', 'span_id', 'parent_span_id']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

// bytes: the (already gunzipped) body. -> the OTLP JSON document; throws DecodeError.
export function otlpProtoToJson(signal, bytes) {
  const type = otlpRequestType(signal);
  checkMessage(type, bytes, 0, bytes.length, '$', 0);
  let message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    // Not expected after the walk above; still a 400 for the body, never a crash.
    throw new DecodeError('$', `protobufjs could not decode ${typeName(type)}: ${error.message}`);
  }
  return toJson(type, message);
}

// ---- the strict walk -------------------------------------------------------------------------

function kindOf(field) {
  const { protobuf } = otlpSchema();
  if (field.resolvedType instanceof protobuf.Type) return 'message';
  if (field.resolvedType instanceof protobuf.Enum) return 'enum';
  return field.type;
}

function checkMessage(type, bytes, start, end, path, depth) {
  if (depth > MAX_DEPTH) throw new DecodeError(path, `messages nested more than ${MAX_DEPTH} deep`);
  const counts = new Map();
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [tag, afterTag] = varint(bytes, pos, end, path);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number < 1) throw new DecodeError(path, `field number 0 at byte ${at} (not valid protobuf)`);
    const field = type.fieldsById[number];
    if (!field) {
      throw new DecodeError(path, `unknown field number ${number} (wire type ${wire}) at byte ${at}: ${typeName(type)} defines ${type.fieldsArray.map((f) => `${f.id} ${f.name}`).join(', ')}`);
    }
    const fieldPath = `${path}.${jsonName(field.name)}`;
    const kind = kindOf(field);
    const expected = WIRE_OF[kind];
    const packed = field.repeated && expected !== 2 && wire === 2;
    if (wire !== expected && !packed) {
      throw new DecodeError(fieldPath, `wire type ${wire} at byte ${at}, expected ${expected} for ${field.repeated ? 'repeated ' : ''}${kind}${field.repeated && expected !== 2 ? ' (or 2, packed)' : ''}`);
    }
    const seen = (counts.get(number) ?? 0) + 1;
    counts.set(number, seen);
    if (!field.repeated && seen > 1) throw new DecodeError(fieldPath, `singular field ${field.name} appears ${seen} times (at byte ${at} again)`);
    const itemPath = field.repeated ? `${fieldPath}[${seen - 1}]` : fieldPath;
    let next;
    if (wire === 0) {
      next = varint(bytes, afterTag, end, fieldPath)[1];
    } else if (wire === 1 || wire === 5) {
      next = afterTag + (wire === 1 ? 8 : 4);
      if (next > end) throw new DecodeError(fieldPath, `truncated ${kind} at byte ${at}`);
    } else if (wire === 2) {
      const [length, body] = varint(bytes, afterTag, end, fieldPath);
      next = body + length;
      if (next > end) throw new DecodeError(fieldPath, `length ${length} at byte ${at} runs past the end of the enclosing message`);
      if (packed) checkPacked(kind, bytes, body, next, fieldPath);
      else if (kind === 'message') checkMessage(field.resolvedType, bytes, body, next, itemPath, depth + 1);
      else if (kind === 'string') {
        try {
          utf8.decode(bytes.subarray(body, next));
        } catch {
          throw new DecodeError(itemPath, 'string is not valid UTF-8 (protobuf strings must be)');
        }
      }
    } else {
      throw new DecodeError(fieldPath, `wire type ${wire} at byte ${at} (groups and unknown wire types are not OTLP)`);
    }
    pos = next;
  }
}

function checkPacked(kind, bytes, start, end, path) {
  const expected = WIRE_OF[kind];
  if (expected === 0) {
    for (let pos = start; pos < end; ) pos = varint(bytes, pos, end, path)[1];
    return;
  }
  const size = expected === 1 ? 8 : 4;
  if ((end - start) % size !== 0) throw new DecodeError(path, `packed ${kind} of ${end - start} bytes is not a multiple of ${size}`);
}

function varint(bytes, pos, end, path) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new DecodeError(path, `truncated varint at byte ${pos}`);
    const b = bytes[pos + i];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos + i + 1];
    scale *= 128;
  }
  throw new DecodeError(path, `varint longer than 10 bytes at byte ${pos}`);
}

// ---- proto3 JSON mapping ---------------------------------------------------------------------

function toJson(type, message) {
  const out = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const key = jsonName(field.name);
    if (field.repeated) {
      if (Array.isArray(value) && value.length > 0) out[key] = value.map((v) => jsonValue(field, v));
      continue;
    }
    // protobufjs sets an own property only for a field that was on the wire.
    if (!Object.hasOwn(message, field.name) || value === null || value === undefined) continue;
    const presence = kindOf(field) === 'message' || field.partOf !== null;
    if (!presence && isDefault(field, value)) continue;
    out[key] = jsonValue(field, value);
  }
  return out;
}

function jsonValue(field, value) {
  const kind = kindOf(field);
  if (kind === 'message') return toJson(field.resolvedType, value);
  if (kind === 'enum') return value;
  if (LONG_TYPES.has(kind)) return longText(value, field);
  if (kind === 'double' || kind === 'float') return Number.isFinite(value) ? value : String(value);
  if (kind === 'bytes') {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return HEX_ID_FIELDS.has(field.name) ? bytes.toString('hex') : bytes.toString('base64');
  }
  return value;
}

// protobufjs returns 64-bit integers as Long objects when the `long` package is present (it is a
// dependency of protobufjs 7); a plain number would already have lost digits past 2^53.
function longText(value, field) {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`edgescope/testing: protobufjs read ${field.name} as an inexact number; the \`long\` package it depends on is missing`);
    return String(value);
  }
  return value.toString();
}

function isDefault(field, value) {
  const kind = kindOf(field);
  if (kind === 'bytes') return value.length === 0;
  if (LONG_TYPES.has(kind)) return typeof value === 'number' ? value === 0 : value.isZero();
  if (kind === 'double' || kind === 'float') return value === 0 && !Object.is(value, -0);
  return value === 0 || value === false || value === '';
}

// ---- responses -------------------------------------------------------------------------------

const RESPONSES = {
  traces: ['opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse', 'rejected_spans'],
  metrics: ['opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse', 'rejected_data_points'],
  logs: ['opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse', 'rejected_log_records'],
};

// The Export*ServiceResponse for a protobuf request: empty for a full success, else with
// partial_success { rejected_<records>, error_message }, encoded by protobufjs.
export function otlpProtoResponse(signal, partial = null) {
  const [name, countField] = RESPONSES[signal];
  const type = otlpSchema().root.lookupType(name);
  if (partial === null) return type.encode(type.create({})).finish();
  const partial_success = { [countField]: partial.rejected, error_message: partial.message };
  return type.encode(type.fromObject({ partial_success })).finish();
}
