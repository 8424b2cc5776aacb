// Request-body compression for the HTTP and Direct exporters. Only gzip, and only through the
// runtime's own CompressionStream (Compression Streams standard; in Workers and Node >= 18), so no
// deflate implementation ships in the bundle. OTLP/HTTP names gzip as the one encoding a client
// may use ("OTLP/HTTP Request": Content-Encoding: gzip), and every collector that speaks it takes it.
//
// What is compressed is the payload's uncompressed body, exactly as the core built it: the
// payload cap (maxPayloadBytes) bounds that uncompressed size, which the core guarantees before a
// payload reaches an exporter, so a collector's limit on decompressed size is what the cap is for.
// The exporters compress each payload (and each half of a 413 split) once, before its first
// attempt, and re-send the same bytes on every retry.

export const COMPRESSIONS = ['none', 'gzip'];

// -> { ok: true, body, headers } or { ok: false, error }; never throws or rejects.
// headers: the exporter's headers, with Content-Encoding added when the body is compressed.
export async function encodeBody(body, compression, headers) {
  if (compression !== 'gzip') return { ok: true, body, headers };
  try {
    // new Response(bytes).body is a byte stream of exactly `body` in both runtimes; reading the
    // compressed stream back through a Response collects it into one buffer.
    const stream = new Response(body).body.pipeThrough(new CompressionStream('gzip'));
    const gz = new Uint8Array(await new Response(stream).arrayBuffer());
    return { ok: true, body: gz, headers: { ...headers, 'content-encoding': 'gzip' } };
  } catch (error) {
    return { ok: false, error: `gzip compression failed: ${error?.message ?? String(error)}` };
  }
}

// The outcome (post.js shape) of a payload whose body could not be compressed: nothing was sent,
// and it is kept for a later flush (classify.js: no status, so 'retry-later'), never sent
// uncompressed behind the configuration's back and never thrown.
export function compressionFailure(error) {
  return { ok: false, status: 0, sent: false, retryable: false, cause: 'compression', error };
}
