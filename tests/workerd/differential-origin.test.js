// Response kinds tests/workerd/differential.test.js does not build (origin statuses outside 200..599,
// bodies re-wrapped or arriving over time, R2 bodies, bodies the runtime compresses, Response.error), compared plain against instrument(): a
// client must get the same status, headers, framing and body bytes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { bundleWorker } from 'edgescope/testing';
import { rawRequest, sha256 } from '../shared/differential-client.js';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';
import { useCollector } from '../shared/use-collector.js';
import { workerPath } from './helpers.js';

const collector = useCollector();

// tests/shared/differential-workers.js's direct-socket Worker, with an R2 bucket bound.
async function startDirectWorker({ bundle, bindings }) {
  const miniflare = await importMiniflare();
  const mf = new miniflare.Miniflare({
    modules: bundle.modules,
    modulesRoot: '/',
    compatibilityDate: defaultCompatibilityDate(miniflare),
    bindings,
    r2Buckets: ['BUCKET'],
    unsafeDirectSockets: [{ port: 0 }],
  });
  await mf.ready;
  return { mf, url: (await mf.unsafeGetDirectURL()).href.replace(/\/$/, ''), dispose: () => mf.dispose() };
}
let origin;
let originUrl;
let plain;
let instrumented;

// /status/<n>: answers status n with a short body.
function startStatusOrigin() {
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/slow/')) {
      // `size` bytes with a Content-Length, written 16 KiB every 5 ms (an origin farther away).
      const size = Number(req.url.split('/')[2]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      let sent = 0;
      const tick = setInterval(() => {
        const n = Math.min(16384, size - sent);
        res.write(Buffer.alloc(n, 100));
        sent += n;
        if (sent >= size) {
          clearInterval(tick);
          res.end();
        }
      }, 5);
      return undefined;
    }
    if (req.url.startsWith('/big/')) {
      const size = Number(req.url.split('/')[2]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      return res.end(Buffer.alloc(size, 99));
    }
    const status = Number(req.url.split('/')[2]);
    res.writeHead(status, 'Whatever', { 'content-type': 'text/plain', 'x-origin': 'yes' });
    res.end(status === 204 || status === 304 || req.method === 'HEAD' ? undefined : `status ${status} body\n`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  origin = await startStatusOrigin();
  originUrl = `http://127.0.0.1:${origin.address().port}`;
  await collector.ready;
  const bindings = { ORIGIN_URL: originUrl, COLLECTOR_URL: collector.nativeUrl };
  const [p, i] = await Promise.all([bundleWorker(workerPath('differential-origin-plain')), bundleWorker(workerPath('differential-origin-instrumented'))]);
  [plain, instrumented] = await Promise.all([startDirectWorker({ bundle: p, bindings }), startDirectWorker({ bundle: i, bindings })]);
});

after(async () => {
  await Promise.all([plain?.dispose(), instrumented?.dispose()]);
  origin?.close();
});

const visible = (res) => ({
  status: res.status,
  statusText: res.statusText,
  headers: res.headers.filter(([n]) => n !== 'date'),
  framing: res.framing,
  complete: res.complete,
  length: res.body.length,
  sha: sha256(res.body),
});

async function same(path, options = {}) {
  const p = await rawRequest(plain.url, { path, ...options });
  const i = await rawRequest(instrumented.url, { path, ...options });
  assert.deepEqual(visible(i), visible(p), `instrumented differs from plain for ${path}`);
  return { p, i };
}

for (const status of [200, 205, 299, 418, 599, 600, 999]) {
  test(`a proxied origin status ${status} reaches the client as without edgescope`, async () => {
    await same(`/proxy/status/${status}`);
  });
}


test('a 40 MiB in-memory body keeps its Content-Length', async () => {
  await same('/built/big-memory');
});

test('a byte stream (type: bytes) arrives as without edgescope', async () => {
  await same('/built/byte-stream');
});


test('a HEAD for a proxied status 999 is answered as without edgescope', async () => {
  await same('/proxy/status/999', { method: 'HEAD' });
});

for (const mib of [1, 20]) {
  test(`new Response(r.body) over a ${mib} MiB proxied body keeps its framing`, async () => {
    await same(`/rebody/big/${mib * 1024 * 1024}`);
  });
  test(`a ${mib} MiB R2 object served as new Response(object.body, { headers }) keeps its framing`, async () => {
    await same(`/r2/${mib * 1024 * 1024}`);
  });
}

// A body still arriving with no declared framing is treated as live and goes out chunked (README,
// Limitations); with the origin's headers it keeps the tee, and so its length.
test('new Response(r.body, r) over a proxied body that arrives over time keeps its Content-Length', async () => {
  const { p, i } = await same(`/rewrap/slow/${512 * 1024}`);
  assert.equal(p.framing, 'content-length');
  assert.equal(i.framing, 'content-length');
});

test('new Response(r.body) over a proxied body that arrives over time keeps its bytes', async () => {
  const p = await rawRequest(plain.url, { path: `/rebody/slow/${512 * 1024}` });
  const i = await rawRequest(instrumented.url, { path: `/rebody/slow/${512 * 1024}` });
  assert.equal(i.status, p.status);
  assert.equal(i.complete, true);
  assert.equal(sha256(i.body), sha256(p.body));
});

for (const route of ['ignore-body', 'first-chunk']) {
  test(`a 1 MiB POST body the handler ${route === 'ignore-body' ? 'never reads' : 'reads one chunk of'} is answered as without edgescope`, async () => {
    await same(`/built/${route}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1024 * 1024, 1) });
  });
}

for (const route of ['auto-gzip', 'auto-gzip-stream']) {
  for (const ae of ['gzip', 'br', null]) {
    test(`${route} (the runtime compresses; Accept-Encoding: ${ae}) is answered as without edgescope`, async () => {
      await same(`/built/${route}`, { headers: ae ? { 'accept-encoding': ae } : {} });
    });
  }
}

// Last: an older workerd (4.20260401) stops answering on its socket after serving these.
test('Response.error() is answered as without edgescope', async () => {
  await same('/built/error-response');
});

test('a stream of string chunks fails as without edgescope', async () => {
  await same('/built/string-chunks');
});

test('a throw after ctx.passThroughOnException() is answered as without edgescope', async () => {
  await same('/built/pass-through-throw');
});
