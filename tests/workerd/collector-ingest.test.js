// The collector's ingest endpoint inside workerd against Miniflare's real D1: hostile requests get
// the right status and store nothing; a real payload from the core is stored exactly, once; token
// rotation works by adding and deleting token secrets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startWorker } from 'edgescope/testing';
import { decodeNative } from '../../js/wire/index.js';
import { applyMigrations, nativePayload } from './collector-helpers.js';
import { bundleOf } from './helpers.js';

const TABLES = ['batches', 'spans', 'metric_points', 'logs'];
const CURRENT = 'current-token-0123456789abcdef';
const PREVIOUS = 'previous-token-fedcba9876543210';

// One real native payload from the core: spans, a log, a counter and an exponential histogram.
const realPayload = () =>
  nativePayload((t) => {
    t.trace('GET /cart', (span) => {
      span.setAttribute('http.route', '/cart');
      t.trace('load cart', () => {});
      span.logger.warn('slow', { ms: 12 });
    });
    t.metrics.increment('hits', 2, { route: '/cart' });
    for (const v of [0.5, 2, 8]) t.metrics.histogram('latency', v, { route: '/cart' }, { unit: 'ms' });
  });

async function startCollector(bindings) {
  const worker = await startWorker({ bundle: await bundleOf('collector-ingest'), d1Databases: ['DB'], bindings });
  const db = await worker.mf.getD1Database('DB');
  // Every committed migration, as `wrangler d1 migrations apply` runs them.
  await applyMigrations(db);
  return { worker, db };
}

// Top-level: the table of hostile inputs below is built from it.
const doc = await realPayload();
let collector;
before(async () => {
  collector = await startCollector({ INGEST_TOKEN: CURRENT, INGEST_TOKEN_PREVIOUS: PREVIOUS });
});
after(() => collector?.worker.dispose());

async function counts(db = collector.db) {
  const out = {};
  for (const table of TABLES) out[table] = (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first()).n;
  return out;
}
const NOTHING = Object.fromEntries(TABLES.map((t) => [t, 0]));

function ingest(init = {}, worker = collector.worker) {
  const { token = CURRENT, body = JSON.stringify(doc), headers = {}, method = 'POST', path = '/api/observe/ingest' } = init;
  const h = { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers };
  // A streamed body goes through Miniflare's dispatchFetch. Everything else is sent over real
  // HTTP on loopback by Node's own fetch: the undici client in older Miniflare releases turns a
  // 401 answer to a request whose body it re-streamed into a network error ('expected non-null
  // body source', WHATWG Fetch §4.5 step 14), which is the test client's limit, not the server's.
  if (body instanceof ReadableStream) return worker.fetch(path, { method, headers: h, body, duplex: 'half' });
  return fetch(`${worker.url}${path}`, { method, headers: h, body });
}

// The histogram point widened to 5,000 buckets of 1 (its count kept consistent).
const histogramAt = doc.metrics.findIndex((m) => m.exponential !== undefined);
function widen(d) {
  const m = d.metrics[histogramAt];
  m.exponential.positive = { offset: 0, bucketCounts: new Array(5000).fill(1) };
  m.exponential.negative = { offset: 0, bucketCounts: [] };
  m.exponential.zeroCount = 0;
  m.count = 5000;
}
const withDoc = (edit) => {
  const copy = structuredClone(doc);
  edit(copy);
  return JSON.stringify(copy);
};
// `bytes` streamed in 8 KiB chunks with no Content-Length (chunked transfer). The stream stays
// open after its last chunk until `release()`: the collector answers 413 mid-body, and a client
// still writing when the server closes would see a reset instead of that answer.
function streamed(bytes) {
  let at = 0;
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const body = new ReadableStream({
    async pull(controller) {
      if (at >= bytes.byteLength) {
        await held;
        return controller.close();
      }
      controller.enqueue(bytes.slice(at, at + 8192));
      at += 8192;
    },
  });
  return { body, release };
}
const spaces = (n) => new TextEncoder().encode(' '.repeat(n));

const HOSTILE = [
  { what: 'no bearer token', init: { token: null }, status: 401 },
  { what: 'a wrong token', init: { token: 'not-the-token' }, status: 401 },
  { what: 'a wrong token of the right length', init: { token: CURRENT.replace(/.$/, 'x') }, status: 401 },
  { what: 'a Basic authorization header', init: { token: null, headers: { authorization: `Basic ${btoa(`u:${CURRENT}`)}` } }, status: 401 },
  { what: 'a body over the cap by Content-Length', init: { body: JSON.stringify({ ...doc, pad: 'x'.repeat(70 * 1024) }) }, status: 413 },
  { what: 'a streamed body growing past the cap', init: () => streamed(spaces(100 * 1024)), status: 413 },
  // Incompressible bytes: 120 KiB inflated is under the decoded cap, but over the cap as sent.
  { what: 'a streamed gzip body over the cap as sent', init: () => ({ ...streamed(gzipSync(randomBytes(120 * 1024))), headers: { 'content-encoding': 'gzip' } }), status: 413, error: /over the 65536-byte cap/ },
  { what: 'a gzip body inflating past the decoded cap', init: { body: gzipSync(' '.repeat(300 * 1024)), headers: { 'content-encoding': 'gzip' } }, status: 413, error: /inflates past the 262144-byte cap/ },
  { what: 'text/plain', init: { headers: { 'content-type': 'text/plain' } }, status: 415 },
  { what: 'no content type', init: { headers: { 'content-type': '' } }, status: 415 },
  { what: 'a brotli encoding', init: { headers: { 'content-encoding': 'br' } }, status: 415 },
  { what: 'a body that is not gzip as declared', init: { headers: { 'content-encoding': 'gzip' } }, status: 400, path: '$' },
  { what: 'a truncated gzip body', init: { body: gzipSync(JSON.stringify(doc)).subarray(0, 40), headers: { 'content-encoding': 'gzip' } }, status: 400, path: '$' },
  { what: 'malformed JSON', init: { body: '{"service":' }, status: 400, path: '$' },
  { what: 'bytes that are not UTF-8', init: { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }, status: 400, path: '$' },
  { what: 'a JSON array', init: { body: '[]' }, status: 400, path: '$' },
  { what: 'a missing service', init: { body: withDoc((d) => delete d.service) }, status: 400, path: '$.service' },
  { what: 'a span without a trace id', init: { body: withDoc((d) => delete d.spans[1].traceId) }, status: 400, path: '$.spans[1].traceId' },
  { what: 'a log with an unknown level', init: { body: withDoc((d) => (d.logs[0].level = 'loud')) }, status: 400, path: '$.logs[0].level' },
  { what: 'a newer format version', init: { body: withDoc((d) => (d.version = 99)) }, status: 400, path: '$.version' },
  { what: 'a malformed batch id', init: { body: withDoc((d) => (d.batchId = 'abc')) }, status: 400, path: '$.batchId' },
  // The sketch limits every decoder shares: at most 4096 buckets a side (a merge allocates them).
  { what: 'a sketch of 5,000 buckets a side', init: { body: withDoc(widen) }, status: 400, path: `$.metrics[${histogramAt}].exponential.positive.bucketCounts`, error: /5000 buckets; at most 4096 per side/ },
  { what: 'GET', init: { method: 'GET', body: null }, status: 405 },
  { what: 'another path', init: { path: '/api/observe/other' }, status: 404 },
];

for (const { what, init: given, status, path, error } of HOSTILE) {
  test(`${what}: answered ${status} with a JSON error, and nothing is stored`, async () => {
    const init = typeof given === 'function' ? given() : given;
    const res = await ingest(init);
    init.release?.();
    assert.equal(res.status, status, await res.clone().text());
    const body = await res.json();
    assert.equal(typeof body.error, 'string');
    assert.ok(body.error.length > 0);
    if (path !== undefined) assert.equal(body.path, path);
    if (error !== undefined) assert.match(body.error, error);
    assert.deepEqual(await counts(), NOTHING);
  });
}

test('a real payload is acknowledged 202 and exactly its records are stored', async () => {
  const decoded = decodeNative(doc);
  const res = await ingest();
  assert.equal(res.status, 202, await res.clone().text());
  const total = decoded.spans.length + decoded.metrics.length + decoded.logs.length;
  assert.deepEqual(await res.json(), { batchId: doc.batchId, records: total, token: 'current' });
  assert.deepEqual(await counts(), { batches: 1, spans: decoded.spans.length, metric_points: decoded.metrics.length, logs: decoded.logs.length });
  assert.ok(decoded.spans.length === 2 && decoded.logs.length === 1 && decoded.metrics.length === 2);
  const spans = (await collector.db.prepare('SELECT span_id, name, batch_id FROM spans ORDER BY name').all()).results;
  assert.deepEqual(spans.map((s) => s.name), ['GET /cart', 'load cart']);
  assert.deepEqual(new Set(spans.map((s) => s.span_id)), new Set(decoded.spans.map((s) => s.spanId)));
  assert.ok(spans.every((s) => s.batch_id === doc.batchId));
});

test('the same batch id again is acknowledged 200 as a duplicate and not stored twice', async () => {
  const before = await counts();
  assert.equal(before.batches, 1);
  const res = await ingest();
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { batchId: doc.batchId, duplicate: true, token: 'current' });
  // Gzip-encoded, the retry is the same batch too.
  const gz = await ingest({ body: gzipSync(JSON.stringify(doc)), headers: { 'content-encoding': 'gzip' } });
  assert.equal(gz.status, 200);
  assert.deepEqual(await counts(), before);
});

test('a gzip body with a new batch id is stored as a second batch', async () => {
  const before = await counts();
  const res = await ingest({ body: gzipSync(withDoc((d) => (d.batchId = 'ab'.repeat(16)))), headers: { 'content-encoding': 'gzip' } });
  assert.equal(res.status, 202, await res.clone().text());
  const after = await counts();
  for (const table of TABLES) assert.equal(after[table], before[table] * 2);
});

test('two deliveries of one new batch at once: one is stored (202), the other acknowledged (200)', async () => {
  const before = await counts();
  const body = withDoc((d) => (d.batchId = '12'.repeat(16)));
  const statuses = (await Promise.all([ingest({ body }), ingest({ body })])).map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 202]);
  assert.equal((await counts()).batches, before.batches + 1);
  assert.equal((await counts()).spans, before.spans + doc.spans.length);
});

test('a payload without a batch id (a sender older than batch ids) is stored each time it comes', async () => {
  const before = await counts();
  const body = withDoc((d) => {
    delete d.batchId;
    delete d.version;
  });
  for (let i = 0; i < 2; i++) {
    const res = await ingest({ body });
    assert.equal(res.status, 202, await res.clone().text());
    assert.equal((await res.json()).batchId, null);
  }
  const after = await counts();
  assert.equal(after.batches, before.batches + 2);
  assert.equal(after.logs, before.logs + 2 * doc.logs.length);
});

test('the refusals say how to fix the request: a 401 names the Bearer scheme, a 405 allows POST', async () => {
  const unauthorized = await ingest({ token: null });
  assert.equal(unauthorized.headers.get('www-authenticate'), 'Bearer realm="edgescope"');
  const get = await ingest({ method: 'GET', body: null });
  assert.equal(get.headers.get('allow'), 'POST');
});

test('both configured tokens are accepted, and deleting a token secret retires that token', async () => {
  const res = await ingest({ token: PREVIOUS, body: withDoc((d) => (d.batchId = 'cd'.repeat(16))) });
  assert.equal(res.status, 202);
  assert.equal((await res.json()).token, 'previous');

  const rotated = await startCollector({ INGEST_TOKEN: CURRENT });
  try {
    const body = withDoc((d) => (d.batchId = 'ef'.repeat(16)));
    const refused = await ingest({ token: PREVIOUS, body }, rotated.worker);
    assert.equal(refused.status, 401);
    assert.deepEqual(await counts(rotated.db), NOTHING);
    const accepted = await ingest({ token: CURRENT, body }, rotated.worker);
    assert.equal(accepted.status, 202);
    assert.equal((await counts(rotated.db)).batches, 1);
  } finally {
    await rotated.worker.dispose();
  }
});

test('a collector with no token secret set accepts nobody', async () => {
  const bare = await startCollector({});
  try {
    const res = await ingest({ token: CURRENT }, bare.worker);
    assert.equal(res.status, 401);
    assert.match((await res.json()).error, /no ingest token is configured/);
    assert.deepEqual(await counts(bare.db), NOTHING);
  } finally {
    await bare.worker.dispose();
  }
});
