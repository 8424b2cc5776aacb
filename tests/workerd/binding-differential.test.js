// With and without edgescope a Worker gets the same results from its bindings. One set of calls
// (workers/bindings-calls.js: every traced method of KV, R2, D1, the Cache API, a queue producer,
// Analytics Engine and Workers AI, with streams as arguments and results, and calls that throw)
// runs in two workerd instances through Miniflare's real binding implementations: plain, and
// under instrument() with the wrapped env and scope.caches. The two descriptions must be equal,
// and the plain one must hold what the calls wrote, so both cannot pass by being wrong alike.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf } from './helpers.js';

// Miniflare's bindings for both runs; each run gets its own (empty) storage.
export const BINDING_OPTIONS = {
  kvNamespaces: ['KV'],
  r2Buckets: ['BUCKET'],
  d1Databases: ['DB'],
  miniflare: {
    queueProducers: { QUEUE: { queueName: 'jobs' } },
    analyticsEngineDatasets: { ANALYTICS: { dataset: 'events' } },
    ai: { binding: 'AI' },
  },
};

const collector = useCollector();
let plain;
let instrumented;
let reference;
let observed;

before(async () => {
  await collector.ready;
  const bindings = { COLLECTOR_URL: collector.nativeUrl, TEXT: 'a var' };
  [plain, instrumented] = await Promise.all([
    startWorker({ ...BINDING_OPTIONS, bundle: await bundleOf('bindings-plain'), bindings }),
    startWorker({ ...BINDING_OPTIONS, bundle: await bundleOf('bindings-instrumented'), bindings }),
  ]);
  reference = await (await plain.fetch('/')).json();
  observed = await (await instrumented.fetch('/')).json();
});

after(async () => {
  await Promise.all([plain?.dispose(), instrumented?.dispose()]);
});

test('KV results are identical with and without instrumentation', () => {
  assert.deepEqual(observed.kv, reference.kv);
  const kv = reference.kv;
  assert.equal(kv.class, 'KvNamespace');
  assert.deepEqual(kv.getText, { ok: 'héllo ✓' });
  assert.deepEqual(kv.getMissing, { ok: null });
  assert.deepEqual(kv.getJson, { ok: { a: [1, 2] } });
  assert.deepEqual(kv.getBinary, { ok: '1,2,3' });
  assert.deepEqual(kv.getStream, { ok: 'from a stream' });
  assert.deepEqual(kv.getWithMetadata.ok, { value: 'héllo ✓', metadata: { tag: 'a' }, cacheStatus: null });
  assert.deepEqual(kv.afterDelete, { ok: null });
  assert.equal(kv.badKey.threw?.isError, true, 'an empty key throws');
  assert.equal(kv.badType.threw?.isError, true, 'an unknown type throws');
  assert.equal(kv.bindingInstanceof, true);
  assert.equal(kv.tag, '[object KvNamespace]');
});

test('R2 objects, bodies, multipart uploads and errors are identical with and without instrumentation', () => {
  assert.deepEqual(observed.r2, reference.r2);
  const r2 = reference.r2;
  assert.equal(r2.class, 'R2Bucket');
  assert.equal(r2.get.ok.text, 'hello r2');
  assert.equal(r2.get.ok.bodyIsStream, true);
  assert.deepEqual(r2.get.ok.customMetadata, { by: 'test' });
  assert.equal(r2.getStream.ok.text, 'streamed body', 'a stream given to put() arrives whole');
  assert.equal(r2.getRange.ok.text, 'ell');
  assert.deepEqual(r2.getMissing, { ok: null });
  assert.equal(r2.head.ok.hasBody, false);
  assert.equal(r2.multipart.ok.text, 'part one');
  assert.equal(r2.multipart.ok.class, r2.multipart.ok.resumedClass);
  assert.ok(r2.abort.ok.afterAbort.threw, 'a part sent after abort() is refused');
  assert.deepEqual(r2.afterDelete, { ok: null });
  assert.ok(r2.badGet.threw, 'a negative range is refused');
});

test('D1 results, meta and errors are identical with and without instrumentation, and batch takes wrapped statements', () => {
  assert.deepEqual(observed.d1, reference.d1);
  const d1 = reference.d1;
  assert.equal(d1.class, 'D1Database');
  assert.equal(d1.statementClass, 'D1PreparedStatement');
  assert.equal(d1.run.ok.meta.rows_written, 1);
  assert.deepEqual(d1.batch.ok[2].results, [{ n: 3 }], 'the batch inserted both rows');
  assert.deepEqual(d1.all.ok.results.map((r) => r.name), ['pear', 'plum']);
  assert.deepEqual(d1.firstColumn, { ok: 'apple' });
  assert.deepEqual(d1.firstNone, { ok: null });
  assert.deepEqual(d1.rawColumns.ok[0], ['id', 'name', 'price']);
  assert.deepEqual(d1.session.ok.row, { name: 'apple' });
  assert.equal(d1.syntaxError.threw?.isError, true);
  assert.equal(d1.execError.threw?.isError, true);
});

test('Cache API results are identical through scope.caches and the global caches', () => {
  assert.deepEqual(observed.cache, reference.cache);
  const cache = reference.cache;
  assert.equal(cache.class, 'CacheStorage');
  assert.equal(cache.sameDefault, true);
  assert.deepEqual(cache.match.ok, { class: 'Response', isResponse: true, status: 200, header: '1', bodyIsStream: true, text: 'cached body' });
  assert.deepEqual(cache.matchMissing, {}, 'a miss resolves to undefined');
  assert.deepEqual(cache.delete, { ok: true });
  assert.deepEqual(cache.deleteMissing, { ok: false });
  assert.equal(cache.badPut.threw?.name, 'TypeError');
  assert.equal(cache.named.ok.text, 'n');
});

test('queue producer results and errors are identical with and without instrumentation', () => {
  assert.deepEqual(observed.queue, reference.queue);
  assert.equal(reference.queue.class, 'WorkerQueue');
  assert.ok(reference.queue.sendBadContentType.threw, 'an unknown content type is refused');
  assert.ok(reference.queue.sendBatchBad.threw, 'a batch must be a sequence');
});

test('Analytics Engine writeDataPoint behaves the same with and without instrumentation', () => {
  assert.deepEqual(observed.analytics, reference.analytics);
  assert.match(reference.analytics.class, /AnalyticsEngineDataset$/);
});

test('Workers AI, which Miniflare cannot run locally, throws the same error with and without instrumentation', () => {
  assert.deepEqual(observed.ai, reference.ai);
  assert.equal(reference.ai.class, 'Ai');
  assert.match(reference.ai.run.threw.message, /run remotely/);
});

test('vars and the env keys are the same, and the wrapped env keeps identities where it should', () => {
  assert.deepEqual(observed.vars, reference.vars);
  assert.deepEqual(observed.identity, {
    kvWrapped: true,
    kvStable: true,
    kvInstanceof: true,
    getStable: true,
    varSame: true,
    cachesWrapped: true,
    cachesInstanceof: true,
  });
});
