// The tail example (examples/tail) under workerd through Miniflare, both Workers configured from
// their own wrangler.jsonc as wrangler reads them: the watched Worker's `tail_consumers` becomes
// Miniflare's `tails`, naming the tail Worker, which exports to a capture collector. What the
// watched Worker did (status, logs, a throw) arrives as edgescope records, with no edgescope code
// in the watched Worker.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { bundleWorker } from 'edgescope/testing';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare, importWrangler } from '../../js/testing/worker.js';
import { useCollector } from '../shared/use-collector.js';

const collector = useCollector();
const configOf = (path) => fileURLToPath(new URL(`../../examples/tail/${path}`, import.meta.url));
let mf = null;
let watched = null;

// A Worker's Miniflare options as `wrangler dev` derives them from its configuration file.
async function fromConfig(wrangler, miniflare, path) {
  const parsed = wrangler.unstable_readConfig({ config: configOf(path) });
  const { workerOptions, main } = wrangler.unstable_getMiniflareWorkerOptions(parsed);
  const { modulesRules: _rules, rootPath: _root, ...options } = workerOptions;
  const bundle = await bundleWorker(main);
  return { ...options, name: parsed.name, modules: bundle.modules, modulesRoot: '/', compatibilityDate: defaultCompatibilityDate(miniflare), parsed };
}

before(async () => {
  await collector.ready;
  const [miniflare, wrangler] = await Promise.all([importMiniflare(), importWrangler()]);
  const { parsed: watchedConfig, ...watchedWorker } = await fromConfig(wrangler, miniflare, 'watched/wrangler.jsonc');
  const { parsed: tailConfig, ...tailWorker } = await fromConfig(wrangler, miniflare, 'wrangler.jsonc');
  // The watched Worker's config names the tail Worker's config's name.
  assert.deepEqual(watchedConfig.tail_consumers, [{ service: tailConfig.name }]);
  assert.deepEqual(watchedWorker.tails.map((t) => t.name ?? t), [tailConfig.name]);
  tailWorker.bindings = { ...tailWorker.bindings, COLLECTOR_URL: collector.nativeUrl };
  mf = new miniflare.Miniflare({ workers: [watchedWorker, tailWorker] });
  await mf.ready;
  watched = await mf.getWorker(watchedConfig.name);
});
after(() => mf?.dispose());

const SERVICE = 'edgescope-example-watched'; // the example's `service` (scriptName is null locally)
async function rootOf(path) {
  const find = () => collector.spans.find((s) => s.service === SERVICE && s.attributes['url.path'] === path);
  await collector.waitFor(() => find() !== undefined, { timeoutMs: 10_000 });
  return find();
}

test('each watched request reaches the collector through the tail Worker: span, log, request metric', async () => {
  const response = await watched.fetch('http://shop.example/orders');
  assert.deepEqual(await response.json(), [{ id: 1 }, { id: 2 }]);
  const span = await rootOf('/orders');
  assert.equal(span.name, 'GET');
  assert.equal(span.kind, 'server');
  assert.equal(span.attributes['http.response.status_code'], 200);
  assert.equal(span.attributes['edgescope.tail.outcome'], 'ok');
  await collector.waitFor(() => collector.logs.some((l) => l.traceId === span.traceId));
  assert.deepEqual(collector.logs.filter((l) => l.traceId === span.traceId).map((l) => [l.level, l.message]), [['info', 'listing orders']]);
  await collector.waitFor(() => collector.metrics.some((m) => m.name === 'http.server.request.duration' && m.tags['http.response.status_code'] === 200));
  const duration = collector.metrics.filter((m) => m.name === 'http.server.request.duration' && m.service === SERVICE);
  assert.equal(duration.reduce((n, m) => n + m.count, 0), 1, 'one request, counted once');
});

test('a watched Worker that throws: an error span with the classified exception', async () => {
  await assert.rejects(watched.fetch('http://shop.example/fail'), /order id out of range/);
  const span = await rootOf('/fail');
  assert.equal(span.status, 'error');
  assert.equal(span.attributes['edgescope.tail.outcome'], 'exception');
  assert.equal(span.attributes['error.type'], 'RangeError');
  const exception = span.events.find((e) => e.name === 'exception');
  assert.equal(exception.attributes['exception.message'], 'order id out of range');
  assert.ok(span.attributes['error.fingerprint']);
});
