// The size in bytes of a value a binding returned, when it can be known without reading a stream
// or copying: a string's UTF-8 length (counted, not encoded), an ArrayBuffer's or view's
// byteLength. Anything else (a ReadableStream, a parsed JSON value) is undefined: not measured.
export function byteSize(value) {
  if (typeof value === 'string') return utf8Length(value);
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return undefined;
}

function utf8Length(text) {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
