// Responses the differential suite does not build, run plain and under instrument() by
// tests/workerd/differential-origin.test.js.
//   /proxy/<origin path>   return fetch(origin) as is
//   /built/<case>          responses the handler makes itself
const encoder = new TextEncoder();

const BUILT = {
  // 40 MiB held in memory: past the watcher's 32 MiB bound.
  'big-memory': () => new Response(new Uint8Array(40 * 1024 * 1024).fill(97)),
  'error-response': () => Response.error(),
  // A byte stream (type: 'bytes') the handler fills from a pull source.
  'byte-stream': () => {
    let n = 0;
    return new Response(
      new ReadableStream({
        type: 'bytes',
        pull(controller) {
          if (n++ >= 4) return controller.close();
          controller.enqueue(encoder.encode(`chunk ${n}\n`));
        },
      }),
    );
  },
  // Text the runtime compresses itself (encodeBody 'automatic' with Content-Encoding: gzip).
  'auto-gzip': () => new Response('compress me '.repeat(2000), { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } }),
  // The same from a stream the handler writes after returning.
  'auto-gzip-stream': (request, env, ctx) => {
    const { readable, writable } = new TransformStream();
    ctx.waitUntil((async () => {
      const writer = writable.getWriter();
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await writer.write(encoder.encode('compress me '.repeat(400)));
      }
      await writer.close();
    })());
    return new Response(readable, { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
  },
  // A POST whose body the handler never reads.
  'ignore-body': () => new Response('ignored'),
  // A POST whose body the handler reads one chunk of.
  'first-chunk': async (request) => {
    const reader = request.body.getReader();
    const { done } = await reader.read(); // a chunk's size depends on the network: not echoed
    return new Response(done ? 'no body' : 'read one chunk');
  },
  // The runtime's fallback for a throw after passThroughOnException (no origin behind it here).
  'pass-through-throw': (request, env, ctx) => {
    ctx.passThroughOnException();
    throw new Error('handler failed');
  },
  // A JS stream whose chunks are strings, not bytes: the runtime refuses it.
  'string-chunks': () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue('not bytes');
          controller.close();
        },
      }),
    ),
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const [, kind, ...rest] = url.pathname.split('/');
    if (kind === 'proxy') return fetch(`${env.ORIGIN_URL}/${rest.join('/')}${url.search}`, { method: request.method, redirect: 'manual' });
    if (kind === 'built') return BUILT[rest[0]](request, env, ctx);
    // new Response(r.body): the origin's body stream alone, without its headers.
    if (kind === 'rebody') return new Response((await fetch(`${env.ORIGIN_URL}/${rest.join('/')}`)).body);
    // new Response(r.body, r): the body with the origin's headers, as README's Limitations advise.
    if (kind === 'rewrap') {
      const r = await fetch(`${env.ORIGIN_URL}/${rest.join('/')}`);
      return new Response(r.body, r);
    }
    // An R2 object served as README-style code does: its body under its HTTP metadata.
    if (kind === 'r2') {
      const size = Number(rest[0]);
      if (!(await env.BUCKET.head(`blob-${size}`))) await env.BUCKET.put(`blob-${size}`, new Uint8Array(size).fill(98), { httpMetadata: { contentType: 'application/octet-stream' } });
      const object = await env.BUCKET.get(`blob-${size}`);
      const headers = new Headers();
      object.writeHttpMetadata(headers);
      return new Response(object.body, { headers });
    }
    return new Response('no such route', { status: 404 });
  },
};
