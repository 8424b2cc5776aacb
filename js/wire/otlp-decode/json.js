// OTLP/HTTP JSON (OTLP specification, "JSON Protobuf Encoding": the proto3 JSON mapping with
// OTLP's exceptions) into the same plain objects the protobuf decoder (proto.js) gives, walking
// the same message table (messages.js). What a receiver must accept, it accepts:
//   - lowerCamelCase keys; a key the message does not list is ignored ("OTLP/JSON receivers MUST
//     ignore message fields with unknown names"); null stands for the field's default;
//   - 64-bit integers as decimal strings or JSON numbers (proto3 JSON: "Either numbers or strings
//     are accepted"), 32-bit integers as numbers or decimal strings, each within its type's range;
//   - doubles as numbers or "NaN", "Infinity", "-Infinity" (or a decimal string);
//   - enums as integers ("Values of enum fields MUST be encoded as integer values");
//   - trace/span ids as hex (OTLP: "not base64"), upper or lower case, "" for none; other bytes
//     as base64, standard or URL-safe, padding optional.
// Anything else is a DecodeError naming the JSON path: a value of the wrong JSON type, an
// integer out of range or with a fraction, hex or base64 that does not decode, and nesting past
// MAX_DEPTH. Worker-safe: base64 through atob (a Web API), nothing from Node.
import { DecodeError, describe } from '../decode-error.js';
import { MAX_DEPTH } from './proto.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

export function decodeJsonMessage(message, doc) {
  return readMessage(message, doc, '$', 0);
}

function readMessage(message, value, path, depth) {
  if (depth > MAX_DEPTH) throw new DecodeError(path, `messages nested more than ${MAX_DEPTH} deep`);
  if (!isObject(value)) throw new DecodeError(path, `expected a JSON object (${message.name}), got ${describe(value)}`);
  const out = {};
  const oneofs = new Map();
  for (const key of Object.keys(value)) {
    const field = message.byJson.get(key);
    const v = value[key];
    if (!field || v === null || v === undefined) continue;
    const at = `${path}.${key}`;
    if (field.oneof) {
      if (oneofs.has(field.oneof)) throw new DecodeError(path, `at most one of oneof ${field.oneof} may be set, found ${oneofs.get(field.oneof)} and ${key}`);
      oneofs.set(field.oneof, key);
    }
    if (field.repeated) {
      if (!Array.isArray(v)) throw new DecodeError(at, `expected an array (repeated ${field.type}), got ${describe(v)}`);
      out[key] = v.map((item, i) => readValue(field, item, `${at}[${i}]`, depth));
    } else {
      out[key] = readValue(field, v, at, depth);
    }
  }
  return out;
}

function readValue(field, v, path, depth) {
  if (field.message) return readMessage(field.message, v, path, depth + 1);
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') throw new DecodeError(path, `expected a string, got ${describe(v)}`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new DecodeError(path, `expected true or false, got ${describe(v)}`);
      return v;
    case 'enum':
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new DecodeError(path, `expected an enum value as an integer (OTLP JSON encodes enums as integers), got ${describe(v)}`);
      return v;
    case 'double': return double(v, path);
    case 'bytes': return field.id ? hexId(v, path) : base64(v, path);
    default: return integer(field.type, v, path);
  }
}

const RANGES = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};
const WIDE = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

function integer(type, v, path) {
  let n;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^-?(0|[1-9][0-9]{0,19})$/.test(v)) n = BigInt(v);
  else throw new DecodeError(path, `expected a ${type} as an integer or a decimal string, got ${describe(v)}`);
  const [min, max] = RANGES[type];
  if (n < min || n > max) throw new DecodeError(path, `${v} is out of range for ${type} (${min}..${max})`);
  return WIDE.has(type) ? n : Number(n);
}

const NON_FINITE = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function double(v, path) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v in NON_FINITE) return NON_FINITE[v];
    if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(v)) return Number(v);
  }
  throw new DecodeError(path, `expected a double as a number (or "NaN", "Infinity", "-Infinity"), got ${describe(v)}`);
}

function hexId(v, path) {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) {
    throw new DecodeError(path, `expected an id as hex digits (OTLP JSON: trace and span ids are hex, not base64), got ${describe(v)}`);
  }
  return v.toLowerCase();
}

function base64(v, path) {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v) || v.replace(/=+$/, '').length % 4 === 1) {
    throw new DecodeError(path, `expected base64 bytes, got ${describe(v)}`);
  }
  const plain = v.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(plain + '='.repeat((4 - (plain.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
