// Response bodies from a collector are read only as far as a log line needs. An error page can
// be megabytes (or a stream that never ends); reading it whole would hold the connection and the
// invocation's memory for nothing. Whatever is not read is cancelled, which closes the
// connection (an unread body would otherwise hold one of the invocation's 6 connections).
export const ERROR_BODY_PREFIX_BYTES = 1024;

const decoder = new TextDecoder(); // non-fatal: a cut inside a UTF-8 sequence becomes U+FFFD

// Reads at most maxBytes of the body, then cancels the rest. Never throws.
export async function readBodyPrefix(response, maxBytes = ERROR_BODY_PREFIX_BYTES) {
  return decoder.decode((await readBodyBytes(response, maxBytes, false)).bytes);
}

// The body's first maxBytes bytes, and whether there was more (a protobuf body cut short is not
// the message it started as: partial-success.js must know). Cancels the rest. Never throws.
// findEnd: false when only the prefix matters (a log line), so a body that stalls right at the
// bound is not waited on.
export async function readBodyBytes(response, maxBytes, findEnd = true) {
  // The usual answer (a declared `{}` or a short partial success): one read, no reader loop.
  const whole = await readDeclaredBody(response, maxBytes);
  if (whole !== null) return { bytes: whole, truncated: false };
  const body = response.body;
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  let reader;
  try {
    reader = body.getReader();
  } catch {
    return { bytes: new Uint8Array(0), truncated: false }; // already locked or consumed
  }
  const chunks = [];
  let size = 0;
  let truncated = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = value.subarray(0, maxBytes - size);
      chunks.push(take);
      size += take.length;
      if (take.length < value.length) {
        truncated = true;
        break;
      }
      if (size >= maxBytes) {
        if (!findEnd) break;
        // Exactly at the bound: one more read tells a body that ends here from a longer one.
        const more = await reader.read();
        truncated = !more.done && more.value.length > 0;
        break;
      }
    }
  } catch {
    // the connection failed mid-body: what arrived is what there is
  } finally {
    // Cancelling a finished stream is a no-op; on a stream that is still sending it closes the
    // connection. Releasing first would leave the stream readable and unread.
    await reader.cancel().catch(() => {});
  }
  return { bytes: joinChunks(chunks, size), truncated };
}

// A body whose length is declared (Content-Length, no Content-Encoding) and at most maxBytes is read
// whole in one call: HTTP framing ends it at that length (RFC 9112 6.3), so the bound holds
// without a reader loop, and reading it to its end releases the connection as cancelling would
// (workerd cancels a stalled unread response "to prevent deadlock" and asks that every response
// body be read or cancelled). An encoded body is excluded: the runtime decodes it, and its decoded
// size is not the declared one. -> the body's bytes, or null when its length is not declared so
// (the body is then left untouched). Never throws: a failed read is an empty body.
export async function readDeclaredBody(response, maxBytes) {
  // Any Content-Encoding (identity too, which no collector sends) takes the bounded read. A
  // Response exists only once its framing parsed, so the length is a valid integer when present.
  const length = +(response.headers.get('content-length') ?? NaN);
  if (response.headers.has('content-encoding') || !(length <= maxBytes)) return null;
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch {
    return new Uint8Array(0); // the connection failed mid-body, or already read
  }
}

// Releases a body the caller does not need. A short declared body (at most the error prefix) is
// read to its end: measured in workerd, finishing a 2-byte body costs less CPU than cancelling it
// (bench/exporter-overhead.mjs, the two POST floors), as a finished exchange leaves the
// connection reusable. Anything else is cancelled unread (discardBody). Never throws.
export async function releaseBody(response) {
  if ((await readDeclaredBody(response, ERROR_BODY_PREFIX_BYTES)) === null) await discardBody(response);
}

// Discards a body without reading it.
export async function discardBody(response) {
  try {
    await response.body?.cancel();
  } catch {
    // already consumed, or the connection failed: either way nothing is held
  }
}

function joinChunks(chunks, size) {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

// The collector's own words for a log line, from an error body's prefix: OTLP/HTTP failure bodies
// are a google.rpc.Status (OpenTelemetry Protocol specification, "Failures": JSON-encoded when the
// request was JSON), whose `message` is what a human needs; many other collectors answer
// { "error": "..." }. Anything else is shown as it came, on one line, at most maxChars.
export function collectorMessage(text, maxChars = 200) {
  let message = text;
  try {
    const doc = JSON.parse(text);
    if (typeof doc?.message === 'string' && doc.message !== '') message = doc.message;
    else if (typeof doc?.error === 'string' && doc.error !== '') message = doc.error;
  } catch {
    // not JSON, or a JSON prefix cut at the read bound: shown as text
  }
  return message.replace(/\s+/g, ' ').trim().slice(0, maxChars);
}
