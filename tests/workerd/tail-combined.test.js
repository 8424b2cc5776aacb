// The combined setup (README "Which mode when"): a watched Worker under instrument() with
// `requestMetrics: false`, recording custom spans and business metrics, and edgescope's tail Worker
// as its `tails` consumer recording the request metrics. Each side exports to a capture collector
// of its own here so the test can tell them apart; every request is counted exactly once, by the
// tail Worker, and the custom work arrives from the isolate.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf } from './helpers.js';

const isolateSide = useCollector();
const tailSide = useCollector();
let mf = null;
let watched = null;

before(async () => {
  await Promise.all([isolateSide.ready, tailSide.ready]);
  const miniflare = await importMiniflare();
  const compatibilityDate = defaultCompatibilityDate(miniflare);
  const [watchedBundle, consumer] = await Promise.all(['tail-combined-watched', 'tail-combined-consumer'].map(bundleOf));
  const worker = (name, bundle, extra) => ({ name, modules: bundle.modules, modulesRoot: '/', compatibilityDate, ...extra });
  mf = new miniflare.Miniflare({
    workers: [
      worker('shop', watchedBundle, { tails: ['edgescope-tail'], bindings: { COLLECTOR_URL: isolateSide.nativeUrl } }),
      worker('edgescope-tail', consumer, { bindings: { COLLECTOR_URL: tailSide.nativeUrl } }),
    ],
  });
  await mf.ready;
  watched = await mf.getWorker('shop');
});
after(() => mf?.dispose());

const DURATION = 'http.server.request.duration';
const counted = (collector, name) => collector.metrics.filter((m) => m.name === name && m.service === 'shop').reduce((n, m) => n + m.count, 0);

test('each request is counted once, by the tail Worker; the custom span and business metric come from the isolate', async () => {
  const N = 5;
  for (let i = 0; i < N; i++) assert.equal(await (await watched.fetch(`http://shop.example/checkout/${i}`)).text(), 'checked out 3');

  await tailSide.waitFor(() => counted(tailSide, DURATION) >= N, { timeoutMs: 10_000 });
  await isolateSide.waitFor(() => isolateSide.spans.filter((s) => s.name === 'price cart').length >= N, { timeoutMs: 10_000 });
  await isolateSide.waitFor(() => isolateSide.metrics.filter((m) => m.name === 'cart.checkouts').reduce((n, m) => n + m.value, 0) >= N);
  // Both sides have flushed every request; whatever else would have arrived has.
  assert.equal(counted(tailSide, DURATION), N, 'the tail Worker counts every request once');
  assert.equal(counted(isolateSide, DURATION), 0, 'the isolate does not count requests');
  assert.equal(isolateSide.metrics.filter((m) => m.name === 'cart.checkouts').reduce((n, m) => n + m.value, 0), N);
  const cpu = tailSide.metrics.filter((m) => m.name === 'edgescope.cpu.time' && m.service === 'shop');
  assert.equal(cpu.reduce((n, m) => n + m.count, 0), N, 'CPU time, one point per invocation, from the platform');
  // The custom spans sit under the isolate's own root span (one per request).
  const custom = isolateSide.spans.find((s) => s.name === 'price cart');
  assert.equal(custom.attributes['cart.items'], 3);
  assert.ok(isolateSide.spans.some((s) => s.spanId === custom.parentSpanId && s.kind === 'server'));
});

test('a request that throws is counted once, with its error.type, by the tail Worker', async () => {
  await assert.rejects(watched.fetch('http://shop.example/fail'), /cart is empty/);
  const failed = () => tailSide.metrics.filter((m) => m.name === DURATION && m.tags['error.type'] === 'RangeError');
  await tailSide.waitFor(() => failed().length > 0, { timeoutMs: 10_000 });
  await isolateSide.waitFor(() => isolateSide.spans.some((s) => s.status === 'error'), { timeoutMs: 10_000 });
  assert.equal(failed().reduce((n, m) => n + m.count, 0), 1);
  assert.equal(counted(isolateSide, DURATION), 0);
  // The `errors` counter: once, from the tail Worker; the isolate still classified the error.
  await tailSide.waitFor(() => tailSide.metrics.some((m) => m.name === 'errors'), { timeoutMs: 10_000 });
  const errorPoints = (side) => side.metrics.filter((m) => m.name === 'errors' && m.tags['error.type'] === 'RangeError');
  assert.equal(errorPoints(tailSide).reduce((n, m) => n + m.value, 0), 1);
  assert.equal(errorPoints(isolateSide).length, 0);
  assert.ok(isolateSide.spans.some((s) => s.status === 'error' && typeof s.attributes['error.fingerprint'] === 'string'));
});
