// The response the benchmark's Workers return, shared by the plain and the instrumented Workers so
// that they differ only in edgescope. `env.KIND` picks it; each kind takes a different path
// through the body watcher and through workerd's framing (js/body-watcher.js):
//   string  a short string body: workerd knows its length and sends Content-Length.
//   stream  a ReadableStream the handler fills with 16 chunks of 4 KiB: no known length, chunked.
//   proxy   `fetch(env.ORIGIN_URL)` returned as is: the origin sends 64 KiB of text
//           gzip-compressed with Content-Length, which workerd passes through still encoded.
export const KINDS = ['string', 'stream', 'proxy'];
export const STREAM_CHUNKS = 16;
export const STREAM_CHUNK_BYTES = 4096;

// One chunk, made once per isolate and enqueued 16 times: the handler's own cost stays small
// and the same for every side, so what differs is what happens to the stream after it.
const CHUNK = new Uint8Array(STREAM_CHUNK_BYTES).fill(0x61);

export function respond(kind, url, env) {
  switch (kind) {
    case 'string':
      return new Response(`hello ${url.pathname}`, { headers: { 'content-type': 'text/plain' } });
    case 'stream': {
      let sent = 0;
      // pull() enqueues one chunk each time the consumer asks for more, like a handler that
      // produces its body piece by piece.
      const body = new ReadableStream({
        pull(controller) {
          controller.enqueue(CHUNK);
          if (++sent === STREAM_CHUNKS) controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    }
    case 'proxy':
      return fetch(env.ORIGIN_URL);
    default:
      throw new Error(`unknown KIND ${JSON.stringify(kind)}; use one of ${KINDS.join(', ')}`);
  }
}
