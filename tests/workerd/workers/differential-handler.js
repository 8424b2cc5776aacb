// One Worker handler, run twice by tests/workerd/differential.test.js: as is
// (differential-plain.js) and wrapped by instrument() (differential-instrumented.js). Each route
// is one way Workers commonly build or pass on a response; whatever the plain run puts on the
// wire is what the instrumented run must put there too.
//
//   /proxy/<origin path>          return fetch(origin) (method, headers, body forwarded; redirects not followed)
//   /proxy-follow/<origin path>   the same, following redirects
//   /rewrap/<origin path>         new Response(r.body, r)
//   /cache/<origin path>          cache.put(key, r.clone()) in waitUntil, then return r
//   /cached/<origin path>         the Cache API's copy when there is one, else fetched and stored first
//   /rewrite/<origin path>        HTMLRewriter.transform(r), whose headers keep the origin's Content-Length
//   /rewrite-drop-length/<path>   the same with that Content-Length header removed
//   /retext/<origin path>         r.body through TextDecoderStream and TextEncoderStream, under r's headers
//   /built/<case>                 responses the handler makes itself (see BUILT)
//
// The rewrites are length-preserving (ASCII upper-casing; UTF-8 decoded and re-encoded), so an
// origin Content-Length that is kept stays true.

const encoder = new TextEncoder();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What the handler-built cases send: text long enough to span several chunks.
export const BUILT_TEXT = Array.from({ length: 400 }, (_, i) => `built line ${i}: ${'abcdefghij'.repeat(i % 7)}\n`).join('');

async function fromOrigin(request, env, rest, redirect = 'manual') {
  const url = new URL(request.url);
  const target = `${env.ORIGIN_URL}/${rest}${url.search}`;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return fetch(target, { method: request.method, headers: request.headers, body: hasBody ? request.body : undefined, redirect });
}

// Upper-cases the text of every <h1> (length-preserving for the ASCII origin page).
const upperCaseHeadings = () =>
  new HTMLRewriter().on('h1', {
    text(chunk) {
      if (chunk.text) chunk.replace(chunk.text.toUpperCase());
    },
  });

async function gzip(bytes) {
  const stream = new Response(bytes).body.pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const BUILT = {
  string: () => new Response(BUILT_TEXT, { headers: { 'content-type': 'text/plain' } }),
  json: () => Response.json({ ok: true, items: Array.from({ length: 50 }, (_, i) => ({ i, name: `item ${i}` })) }),
  uint8array: () => new Response(encoder.encode(BUILT_TEXT)),
  arraybuffer: () => new Response(encoder.encode(BUILT_TEXT).buffer),
  echo: (request) => new Response(request.body, { headers: { 'content-type': 'application/octet-stream' } }),
  'manual-gzip': async () =>
    new Response(await gzip(encoder.encode(BUILT_TEXT)), {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      encodeBody: 'manual',
    }),
  'manual-gzip-length': async () => {
    const bytes = await gzip(encoder.encode(BUILT_TEXT));
    return new Response(bytes, {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': String(bytes.length) },
      encodeBody: 'manual',
    });
  },
  'fixed-length': (request, env, ctx) => {
    const bytes = encoder.encode(BUILT_TEXT);
    const { readable, writable } = new FixedLengthStream(bytes.length);
    ctx.waitUntil(
      (async () => {
        const writer = writable.getWriter();
        for (let i = 0; i < bytes.length; i += 4096) await writer.write(bytes.subarray(i, i + 4096));
        await writer.close();
      })(),
    );
    return new Response(readable);
  },
  'write-after-return': (request, env, ctx) => {
    const { readable, writable } = new TransformStream();
    ctx.waitUntil(
      (async () => {
        const writer = writable.getWriter();
        for (let i = 0; i < 5; i++) {
          await sleep(10);
          await writer.write(encoder.encode(`part ${i}\n`));
        }
        await writer.close();
      })(),
    );
    return new Response(readable, { headers: { 'content-type': 'text/plain' } });
  },
  cookies: () => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
    headers.append('set-cookie', 'b=2; Path=/; Secure; SameSite=Lax');
    headers.append('set-cookie', 'c=3; Expires=Wed, 21 Oct 2065 07:28:00 GMT');
    return new Response('three cookies\n', { headers });
  },
  'status-text': () => new Response('short and stout\n', { status: 418, statusText: 'Short And Stout' }),
  'custom-ok-text': () => new Response('fine\n', { status: 200, statusText: 'Fine Thanks' }),
  // For HEAD requests: the representation's length without (or with) the representation.
  'head-length': () => new Response(null, { headers: { 'content-length': '4000', 'content-type': 'text/plain' } }),
  'head-length-body': () => new Response('x'.repeat(4000), { headers: { 'content-length': '4000', 'content-type': 'text/plain' } }),
  'no-content': () => new Response(null, { status: 204, headers: { 'x-built': 'no-content' } }),
  'not-modified': () => new Response(null, { status: 304, headers: { etag: '"built-v1"' } }),
  redirect: (request) => Response.redirect(new URL('/built/string', request.url).href, 302),
  'stream-error': () => {
    let sent = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (sent === 3) {
          controller.error(new Error('handler stream failed'));
          return;
        }
        await sleep(5);
        controller.enqueue(encoder.encode(`piece ${sent++}\n`));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  },
  delayed: () => {
    let sent = 0;
    const body = new ReadableStream({
      async pull(controller) {
        if (sent === 0) await sleep(300);
        if (sent === 3) return controller.close();
        controller.enqueue(encoder.encode(`late ${sent++}\n`));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  },
  // An endless-ish stream (one line every 20 ms for a minute) that tells the origin when it is
  // cancelled, so the test can see the client's departure reached the handler. The waitUntil keeps
  // the invocation alive long enough to send that report: without one, workerd ends the whole
  // invocation when the client leaves, and nothing the stream does afterwards can be seen.
  'long-stream': (request, env, ctx) => {
    const id = new URL(request.url).searchParams.get('id');
    let n = 0;
    let reported;
    const cancelled = new Promise((resolve) => (reported = resolve));
    ctx.waitUntil(Promise.race([cancelled, sleep(10_000)]));
    const body = new ReadableStream({
      async pull(controller) {
        if (n > 0) await sleep(20);
        if (n === 3000) return controller.close();
        controller.enqueue(encoder.encode(`tick ${n++}\n`));
      },
      cancel() {
        reported(fetch(`${env.ORIGIN_URL}/report?id=${encodeURIComponent(id)}&event=handler-stream-cancelled`).then((r) => r.body?.cancel()));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain' } });
  },
  websocket: (request) => {
    if (request.headers.get('upgrade') !== 'websocket') return new Response('expected a WebSocket upgrade\n', { status: 426 });
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener('message', (event) => server.send(`echo: ${event.data}`));
    return new Response(null, { status: 101, webSocket: client });
  },
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const [, kind, ...restParts] = url.pathname.split('/');
    const rest = restParts.join('/');
    switch (kind) {
      case 'proxy':
        return fromOrigin(request, env, rest);
      case 'proxy-follow':
        return fromOrigin(request, env, rest, 'follow');
      case 'rewrap': {
        const r = await fromOrigin(request, env, rest);
        return new Response(r.body, r);
      }
      case 'cache': {
        const r = await fromOrigin(request, env, rest);
        ctx.waitUntil(caches.default.put(new Request(url.href), r.clone()));
        return r;
      }
      case 'cached': {
        // Served from the Cache API when stored; otherwise fetched, stored, then returned.
        const key = new Request(url.href);
        const hit = await caches.default.match(key);
        if (hit) return hit;
        const r = await fromOrigin(request, env, rest);
        await caches.default.put(key, r.clone());
        return r;
      }
      case 'rewrite':
        return upperCaseHeadings().transform(await fromOrigin(request, env, rest));
      case 'rewrite-drop-length': {
        const out = upperCaseHeadings().transform(await fromOrigin(request, env, rest));
        const headers = new Headers(out.headers);
        headers.delete('content-length');
        return new Response(out.body, { status: out.status, headers });
      }
      case 'retext': {
        const r = await fromOrigin(request, env, rest);
        return new Response(r.body.pipeThrough(new TextDecoderStream()).pipeThrough(new TextEncoderStream()), r);
      }
      case 'built': {
        const build = BUILT[rest];
        if (build) return build(request, env, ctx);
        break;
      }
      default:
        break;
    }
    return new Response(`no route ${url.pathname}\n`, { status: 404 });
  },
};
