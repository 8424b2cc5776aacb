// The one helper for bytes across the boundary: strings go in through the core's scratch buffer
// with TextEncoder.encodeInto, bytes come out with .slice() so they stay valid after the core
// reuses or grows its memory (bindings/edgescope.h, "Conventions").
import { AttributeType } from './tables.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class CoreMemory {
  constructor(exports) {
    this.exports = exports;
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
