// Root-span attributes of the WebSocket Hibernation API handlers: the message's type and size in
// bytes (UTF-8 for text, as it crossed the wire), the close code and whether the close was clean.
// No payload and no close reason: both are user data.
export function websocketMessageAttributes(message) {
  if (typeof message === 'string') return { 'edgescope.websocket.message.type': 'text', 'edgescope.websocket.message.size': utf8Length(message) };
  if (message instanceof ArrayBuffer || ArrayBuffer.isView(message)) {
    return { 'edgescope.websocket.message.type': 'binary', 'edgescope.websocket.message.size': message.byteLength };
  }
  return {};
}

export function websocketCloseAttributes(code, wasClean) {
  const attributes = {};
  if (typeof code === 'number') attributes['edgescope.websocket.close.code'] = code;
  if (typeof wasClean === 'boolean') attributes['edgescope.websocket.close.was_clean'] = wasClean;
  return attributes;
}

// UTF-8 length without encoding the string (a message may be 1 MiB): surrogate pairs are 4
// bytes, lone surrogates become U+FFFD (3 bytes), as TextEncoder writes them.
function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
