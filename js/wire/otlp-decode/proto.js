// OTLP/HTTP binary protobuf (OTLP specification, "Binary Protobuf Encoding") into plain objects
// keyed by the fields' JSON names, without code generation: workerd refuses functions built from strings
// ("Code generation from strings disallowed"), which is how protobufjs builds its decoders. The
// walk follows the message table in messages.js over the strict wire reader the exporters
// already use (js/exporters/proto-wire.js: every length checked against its enclosing message,
// no varint past 10 bytes, no field number 0, no groups).
//
// Protobuf's parsing rules, as a receiver must apply them (protobuf.dev/programming-guides/
// encoding): unknown field numbers are skipped; a singular scalar seen twice keeps the last value
// and a singular message seen twice is merged; setting a oneof member clears the others; repeated
// scalars are accepted packed or not. What is refused, as a DecodeError naming the JSON path of
// the field and the byte offset: malformed wire data, a known field with another wire type than
// its type's, a string that is not UTF-8, a packed run whose length does not divide, and messages
// nested deeper than MAX_DEPTH (AnyValue nests through arrays and key-value lists).
//
// Values: 64-bit integers as BigInt, 32-bit integers and enums as numbers, doubles as numbers,
// bytes as a Uint8Array copy, trace/span ids as lowercase hex.
import { DecodeError } from '../decode-error.js';
import { fields as wireFields, ProtoWireError, varint, varint64, WIRE } from '../../exporters/proto-wire.js';

export const MAX_DEPTH = 32;

const WIRE_OF = {
  bool: WIRE.VARINT, enum: WIRE.VARINT, int32: WIRE.VARINT, uint32: WIRE.VARINT, sint32: WIRE.VARINT,
  int64: WIRE.VARINT, uint64: WIRE.VARINT, sint64: WIRE.VARINT,
  fixed64: WIRE.I64, sfixed64: WIRE.I64, double: WIRE.I64,
  fixed32: WIRE.I32,
  string: WIRE.LEN, bytes: WIRE.LEN,
};
const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

// bytes: the (gunzipped) body; message: MESSAGES entry. -> the decoded object.
export function decodeProtoMessage(message, bytes) {
  return decodeInto({}, message, bytes, 0, bytes.length, '$', 0);
}

function wireError(path, error) {
  if (error instanceof ProtoWireError) return new DecodeError(path, `${error.message} (not valid protobuf)`);
  return error;
}

function decodeInto(target, message, bytes, start, end, path, depth) {
  if (depth > MAX_DEPTH) throw new DecodeError(path, `messages nested more than ${MAX_DEPTH} deep`);
  let list;
  try {
    list = wireFields(bytes, start, end);
  } catch (e) {
    throw wireError(path, e);
  }
  for (const w of list) {
    const field = message.byNumber.get(w.field);
    if (!field) continue; // unknown field: skipped, as protobuf requires
    const at = `${path}.${field.name}`;
    if (field.message) {
      if (w.wire !== WIRE.LEN) throw new DecodeError(at, `wire type ${w.wire} at byte ${w.start}, expected 2 (a ${field.message.name} message)`);
      if (field.repeated) {
        const items = (target[field.name] ??= []);
        items.push(decodeInto({}, field.message, bytes, w.valueStart, w.end, `${at}[${items.length}]`, depth + 1));
      } else {
        if (field.oneof) clearOneof(target, message, field);
        // A second occurrence of a singular message merges into the first (protobuf "Last One Wins").
        const into = target[field.name] !== undefined ? target[field.name] : {};
        target[field.name] = decodeInto(into, field.message, bytes, w.valueStart, w.end, at, depth + 1);
      }
      continue;
    }
    const expected = WIRE_OF[field.type];
    if (field.repeated && w.wire === WIRE.LEN && expected !== WIRE.LEN) {
      const items = (target[field.name] ??= []);
      readPacked(field, bytes, w.valueStart, w.end, at, items);
      continue;
    }
    if (w.wire !== expected) {
      throw new DecodeError(field.repeated ? `${at}[${target[field.name]?.length ?? 0}]` : at,
        `wire type ${w.wire} at byte ${w.start}, expected ${expected} for ${field.type}${field.repeated && expected !== WIRE.LEN ? ' (or 2, packed)' : ''}`);
    }
    const value = readScalar(field, bytes, w, at);
    if (field.repeated) (target[field.name] ??= []).push(value);
    else {
      if (field.oneof) clearOneof(target, message, field);
      target[field.name] = value;
    }
  }
  return target;
}

function clearOneof(target, message, field) {
  for (const other of message.fields) if (other.oneof === field.oneof && other !== field) delete target[other.name];
}

function readScalar(field, bytes, w, path) {
  const view = () => new DataView(bytes.buffer, bytes.byteOffset + w.valueStart, w.end - w.valueStart);
  try {
    switch (field.type) {
      case 'bool': return varint64(bytes, w.valueStart, w.end)[0] !== 0n;
      case 'enum':
      case 'int32': return Number(BigInt.asIntN(32, varint64(bytes, w.valueStart, w.end)[0]));
      case 'uint32': return Number(BigInt.asUintN(32, varint64(bytes, w.valueStart, w.end)[0]));
      case 'sint32': return zigzag32(Number(BigInt.asUintN(32, varint64(bytes, w.valueStart, w.end)[0])));
      case 'int64': return varint64(bytes, w.valueStart, w.end)[0];
      case 'uint64': return BigInt.asUintN(64, varint64(bytes, w.valueStart, w.end)[0]);
      case 'sint64': {
        const n = BigInt.asUintN(64, varint64(bytes, w.valueStart, w.end)[0]);
        return (n >> 1n) ^ -(n & 1n);
      }
      case 'fixed64': return view().getBigUint64(0, true);
      case 'sfixed64': return view().getBigInt64(0, true);
      case 'double': return view().getFloat64(0, true);
      case 'fixed32': return view().getUint32(0, true);
      case 'string':
        try {
          return utf8.decode(bytes.subarray(w.valueStart, w.end));
        } catch {
          throw new DecodeError(path, `string at byte ${w.start} is not valid UTF-8 (protobuf strings must be)`);
        }
      case 'bytes': {
        const value = bytes.slice(w.valueStart, w.end);
        return field.id ? toHex(value) : value;
      }
      default: throw new Error(`otlp-decode: no reader for ${field.type}`);
    }
  } catch (e) {
    throw wireError(path, e);
  }
}

const zigzag32 = (n) => (n >>> 1) ^ -(n & 1);

// A packed run of a repeated scalar (proto3 writes them packed by default).
function readPacked(field, bytes, start, end, path, items) {
  const wire = WIRE_OF[field.type];
  if (wire === WIRE.VARINT) {
    try {
      for (let pos = start; pos < end; ) {
        const [, next] = varint(bytes, pos, end);
        items.push(readScalar(field, bytes, { start: pos, valueStart: pos, end: next }, `${path}[${items.length}]`));
        pos = next;
      }
    } catch (e) {
      throw wireError(`${path}[${items.length}]`, e);
    }
    return;
  }
  const size = wire === WIRE.I64 ? 8 : 4;
  if ((end - start) % size !== 0) throw new DecodeError(path, `packed ${field.type} run of ${end - start} bytes is not a multiple of ${size}`);
  for (let pos = start; pos < end; pos += size) items.push(readScalar(field, bytes, { start: pos, valueStart: pos, end: pos + size }, `${path}[${items.length}]`));
}
