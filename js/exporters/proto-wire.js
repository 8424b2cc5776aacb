// A small, strict reader of the protobuf wire format (protobuf.dev/programming-guides/encoding),
// for the two places the exporters read protobuf themselves: a collector's Export*ServiceResponse
// (partial-success.js) and a payload being split after a 413 (split-proto.js). It never trusts the
// bytes: every length is checked against the end of its enclosing message, a varint longer than
// 10 bytes, a field number 0, a group (wire types 3 and 4, unused by OTLP) or an unknown wire type
// is a ProtoWireError naming the offset, and nothing is ever read past the given range.

export class ProtoWireError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtoWireError';
  }
}

export const WIRE = Object.freeze({ VARINT: 0, I64: 1, LEN: 2, I32: 5 });

// A varint at `pos` -> [value, next]. The value is a Number, exact up to 2^53 (lengths, tags and
// counts beyond that are out of range anyway); use varint64 for a 64-bit value.
export function varint(bytes, pos, end) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new ProtoWireError(`truncated varint at byte ${pos}`);
    const b = bytes[pos + i];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos + i + 1];
    scale *= 128;
  }
  throw new ProtoWireError(`varint longer than 10 bytes at byte ${pos}`);
}

// A varint as a signed 64-bit BigInt (int64: two's complement in 10 bytes when negative).
export function varint64(bytes, pos, end) {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new ProtoWireError(`truncated varint at byte ${pos}`);
    const b = bytes[pos + i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return [BigInt.asIntN(64, value), pos + i + 1];
  }
  throw new ProtoWireError(`varint longer than 10 bytes at byte ${pos}`);
}

// The fields of one message in bytes[start, end), in wire order:
// [{ field, wire, start, end, valueStart }] where [start, end) is the whole field (tag included)
// and, for a LEN field, [valueStart, end) its contents.
export function fields(bytes, start = 0, end = bytes.length) {
  const out = [];
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = varint(bytes, pos, end);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field < 1 || field > 0x1fffffff) throw new ProtoWireError(`field number ${field} out of range at byte ${pos}`);
    let valueStart = afterTag;
    let next;
    switch (wire) {
      case WIRE.VARINT:
        next = varint(bytes, afterTag, end)[1];
        break;
      case WIRE.I64:
        next = afterTag + 8;
        break;
      case WIRE.I32:
        next = afterTag + 4;
        break;
      case WIRE.LEN: {
        const [length, afterLength] = varint(bytes, afterTag, end);
        valueStart = afterLength;
        next = afterLength + length;
        break;
      }
      default:
        throw new ProtoWireError(`field ${field} at byte ${pos} has wire type ${wire} (groups and unknown wire types are not OTLP)`);
    }
    if (next > end) throw new ProtoWireError(`field ${field} at byte ${pos} runs past the end of its message (byte ${end})`);
    out.push({ field, wire, start: pos, end: next, valueStart });
    pos = next;
  }
  return out;
}

// A LEN field's contents; a field of another wire type is a ProtoWireError naming `what`.
export function lenValue(bytes, f, what) {
  if (f.wire !== WIRE.LEN) throw new ProtoWireError(`${what} (field ${f.field}) at byte ${f.start} has wire type ${f.wire}, expected 2 (length-delimited)`);
  return bytes.subarray(f.valueStart, f.end);
}

// The bytes of one length-delimited field: tag, length, contents.
export function lenField(field, contents) {
  const head = [];
  let tag = field * 8 + WIRE.LEN;
  while (tag >= 0x80) {
    head.push((tag & 0x7f) | 0x80);
    tag >>>= 7;
  }
  head.push(tag);
  let n = contents.length;
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  head.push(n);
  const out = new Uint8Array(head.length + contents.length);
  out.set(head, 0);
  out.set(contents, head.length);
  return out;
}

// Concatenates byte arrays.
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
