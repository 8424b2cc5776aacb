// The cache tier is read at finalize, in real workerd: a streaming handler records its deciding
// spans after its promise resolved (after the first chunk, after a timer, after an awaited fetch
// to a loopback server), and the exported tier is the real one. The same request carries what the
// scope said right when the handler resolved ('none'): the test asserts the two differ, so a
// change that reads the tier earlier fails here. Per-lookup facts (recordFetch) are exact on the
// root span and in the tier-tagged metrics, and an unsampled request still tags its request metric.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'cache-tier');

const DOC = 'the document body from the origin';
let origin;
let originUrl;
before(async () => {
  origin = http.createServer((req, res) => res.end(DOC));
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${origin.address().port}/docs/a.md`;
});
after(() => new Promise((resolve) => origin.close(resolve)));

const path = () => `/?origin=${encodeURIComponent(originUrl)}`;
const root = () => collector.spans.find((s) => s.kind === 'server');
const series = (name) => collector.metrics.filter((m) => m.name === name);

test('spans recorded after the handler resolved decide the exported tier; a read at resolve said none', async () => {
  const res = await worker.fetch(path());
  const atResolve = res.headers.get('x-tier-at-resolve');
  const text = await res.text();
  assert.equal(text, `chunk 0\nchunk 1\n${DOC}\ntier before finalize: r2\n`);
  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server') && c.metrics.some((m) => m.name === 'http.server.request.duration'));
  const exported = root().attributes['cache.tier'];
  assert.equal(atResolve, 'none');
  assert.equal(exported, 'r2');
  assert.notEqual(exported, atResolve, 'the tier must be read after the body, not when the handler resolved');
  // The index lookup missed (it never decides); the file span, later, did.
  const spans = Object.fromEntries(collector.spans.filter((s) => s.kind !== 'server').map((s) => [s.name, s]));
  assert.equal(spans.index.attributes['cache.source'], 'miss');
  assert.equal(spans['file:/docs/a.md'].attributes['cache.source'], 'r2');
  assert.ok(spans['file:/docs/a.md'].startTime >= spans.index.startTime);
  assert.equal(root().attributes['edgescope.response.outcome'], 'complete');
  assert.equal(series('http.server.request.duration')[0].tags['cache.tier'], 'r2');
});

test('recordFetch facts are exact on the root span and in metrics tagged by tier', async () => {
  const res = await worker.fetch(path());
  await res.text();
  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server') && c.metrics.some((m) => m.name === 'edgescope.cache.lookups'));
  const a = root().attributes;
  assert.equal(a['cache.lookups'], 3);
  assert.equal(a['cache.hits'], 1);
  assert.deepEqual(
    Object.fromEntries(['memory', 'r2', 'kv'].map((t) => [t, [a[`cache.${t}.lookups`], a[`cache.${t}.hits`], a[`cache.${t}.bytes`], a[`cache.${t}.duration_ms`]]])),
    { memory: [1, 0, 0, 0.25], r2: [1, 1, DOC.length, 12], kv: [1, 0, 0, 3] },
  );
  const byTier = (name) => Object.fromEntries(series(name).map((m) => [m.tags['cache.tier'], m.value]));
  assert.deepEqual(byTier('edgescope.cache.lookups'), { memory: 1, r2: 1, kv: 1 });
  assert.deepEqual(byTier('edgescope.cache.hits'), { memory: 0, r2: 1, kv: 0 });
  assert.deepEqual(byTier('edgescope.cache.bytes'), { r2: DOC.length });
  const durations = series('edgescope.cache.lookup.duration').map((m) => [m.tags['cache.tier'], m.tags['cache.hit'], m.count, m.sum]);
  assert.deepEqual(durations.sort(), [['kv', false, 1, 0.003], ['memory', false, 1, 0.00025], ['r2', true, 1, 0.012]]);
});

test('an unsampled request exports no spans but still tags its request metric with the real tier', async () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
  const res = await worker.fetch(path(), { headers: { traceparent } });
  assert.equal(res.headers.get('x-tier-at-resolve'), 'none');
  await res.text();
  await collector.waitFor((c) => c.metrics.some((m) => m.name === 'http.server.request.duration'));
  assert.equal(collector.spans.length, 0);
  assert.equal(series('http.server.request.duration')[0].tags['cache.tier'], 'r2');
  assert.equal(series('edgescope.cache.hits').find((m) => m.tags['cache.tier'] === 'r2').value, 1);
});
