// The one helper for bytes across the boundary: strings go in through the core's scratch buffer
// with TextEncoder.encodeInto, bytes come out with .slice() so they stay valid after the core
// reuses or grows its memory (bindings/edgescope.h, "Conventions").
import { AttributeType } from './tables.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// bindings/edgescope.h, "The io block": byte offsets of what calls leave there.
export const IO = Object.freeze({ recording: 0, rejected: 4, context: 8, payload: 40, evicted: 72, scratch: 120, stats: 128, bytes: 512 });
// Strings up to this many UTF-16 units are written by a loop while they are ASCII (no view
// allocated for encodeInto); longer ones, and any with a non-ASCII unit, go through TextEncoder.
const SHORT_TEXT = 64;

export class CoreMemory {
  constructor(exports) {
    this.exports = exports;
    this.ioPtr = exports.es_io();
    this.u8 = new Uint8Array(0); // made on first use (views())
  }

  // Views over the whole memory and the io block. A memory.grow detaches the old buffer (its
  // views read as length 0), so they are re-made after any call that may have allocated.
  views() {
    if (this.u8.length === 0) {
      const buffer = this.exports.memory.buffer;
      this.u8 = new Uint8Array(buffer);
      this.dv = new DataView(buffer);
      this.io32 = new Uint32Array(buffer, this.ioPtr, IO.bytes / 4);
      this.ioF64 = new Float64Array(buffer, this.ioPtr, IO.bytes / 8);
    }
    return this;
  }

  // The io block as uint32 words (index = byte offset / 4), current after the last call.
  get io() {
    return this.views().io32;
  }

  // The scratch buffer's address with room for `capacity` bytes, asking the core only when it
  // has less (its address and size are in the io block, kept current by every es_scratch call,
  // whoever makes it). Its contents survive a resize.
  scratchFor(capacity) {
    const io = this.views().io32;
    if (capacity <= io[IO.scratch / 4 + 1]) return io[IO.scratch / 4];
    const ptr = this.scratch(capacity);
    this.views();
    return ptr;
  }

  // Writes `text` as UTF-8 at `address` (room for text.length * 3 bytes); returns the byte length.
  // TextEncoder and the loop both turn lone surrogates into U+FFFD (the loop stops at the first
  // unit >= 0x80 and hands the string to TextEncoder).
  writeText(address, text) {
    const n = text.length;
    const u8 = this.u8;
    if (n <= SHORT_TEXT) {
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        u8[address + i] = c;
      }
      if (i === n) return n;
    }
    return encoder.encodeInto(text, u8.subarray(address, address + n * 3)).written;
  }

  view(ptr, len) {
    return new Uint8Array(this.exports.memory.buffer, ptr, len);
  }

  // Writes `text` at scratch offset 0; returns its UTF-8 length. TextEncoder turns lone
  // surrogates into U+FFFD, so what enters the core is already valid UTF-8.
  writeString(text) {
    return this.writeStrings(text, '')[0];
  }

  // Writes two strings back to back in the scratch buffer; returns both lengths.
  writeStrings(first, second) {
    const capacity = (first.length + second.length) * 3;
    const ptr = this.exports.es_scratch(capacity);
    if (ptr === 0 && capacity > 0) throw new RangeError(this.lastError());
    const a = encoder.encodeInto(first, this.view(ptr, first.length * 3)).written;
    const b = second ? encoder.encodeInto(second, this.view(ptr + a, second.length * 3)).written : 0;
    return [a, b];
  }

  // Writes array elements at scratch offset 0 in es_stage_array's layout (bindings/edgescope.h);
  // returns the byte length. type: AttributeType (tables.js).
  writeArray(type, items) {
    const n = items.length;
    if (type === AttributeType.string) {
      let capacity = n * 4;
      for (const text of items) capacity += text.length * 3;
      const ptr = this.scratch(capacity);
      const lengths = new DataView(this.exports.memory.buffer, ptr, n * 4);
      let offset = n * 4;
      for (let i = 0; i < n; i++) {
        const text = items[i];
        const written = text === '' ? 0 : encoder.encodeInto(text, this.view(ptr + offset, text.length * 3)).written;
        lengths.setUint32(i * 4, written, true);
        offset += written;
      }
      return offset;
    }
    if (type === AttributeType.bool) {
      const bytes = this.view(this.scratch(n), n);
      for (let i = 0; i < n; i++) bytes[i] = items[i] ? 1 : 0;
      return n;
    }
    const ptr = this.scratch(n * 8);
    const numbers = new DataView(this.exports.memory.buffer, ptr, n * 8);
    for (let i = 0; i < n; i++) numbers.setFloat64(i * 8, items[i], true);
    return n * 8;
  }

  scratch(capacity) {
    const ptr = this.exports.es_scratch(capacity);
    if (ptr === 0 && capacity > 0) throw new RangeError(this.lastError());
    return ptr;
  }

  copyOut(ptr, len) {
    return this.view(ptr, len).slice();
  }

  output() {
    const x = this.exports;
    return decoder.decode(this.view(x.es_output_ptr(), x.es_output_len()));
  }

  lastError() {
    const x = this.exports;
    return decoder.decode(this.view(x.es_error_ptr(), x.es_error_len()));
  }
}
