// The shim's name and series caches follow the core's tables: bounded by them, never holding a
// refusal, and dropping what a drain evicted. Names the core cannot take are refused and counted,
// never merged under a placeholder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { CoreTelemetry, MetricType } from '../../js/core/core-telemetry.js';
import { captureConsole, memoryExporter } from './helpers.js';

const newCore = () => new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });

test('the name cache holds only names the core accepted, never more than its table', () => {
  const core = newCore();
  let refused = 0;
  for (let i = 0; i < 20003; i++) if (core.id(`name.${i}.`.padEnd(200, 'x')) < 0) refused++;
  assert.ok(refused > 0, 'the core refused some names');
  assert.ok(core.names.size <= core.limits.maxInterned);
  assert.equal(core.names.size, 20003 - refused);
  for (const id of core.names.values()) assert.ok(id > 0);
  // A refused name is asked again (and counted again), not answered from the cache.
  const before = core.stats().namesDroppedByteBudget + core.stats().namesDroppedInternLimit;
  const another = 'one.more.name.'.padEnd(200, 'x');
  assert.ok(core.id(another) < 0);
  assert.ok(core.id(another) < 0);
  assert.equal(core.stats().namesDroppedByteBudget + core.stats().namesDroppedInternLimit, before + 2);
});

test('the series cache holds only accepted series, and a refused series is counted on every call', () => {
  const core = newCore();
  for (let i = 0; i < 5000; i++) core.seriesId(MetricType.counter, 'hits', '', { route: `/r/${i}` });
  assert.ok(core.series.size <= core.limits.maxSeries);
  for (const id of core.series.values()) assert.ok(id > 0);
  const refusals = () => core.stats().seriesDroppedLimit + core.stats().seriesDroppedByteBudget;
  const before = refusals();
  assert.ok(before > 0);
  assert.equal(core.seriesId(MetricType.counter, 'hits', '', { route: '/r/9999' }), 0);
  assert.equal(core.seriesId(MetricType.counter, 'hits', '', { route: '/r/9999' }), 0);
  assert.equal(refusals(), before + 2);
});

test('ids a drain evicts leave the caches, and the tables take new entries again', () => {
  const core = newCore();
  for (let i = 0; i < core.limits.maxSeries; i++) core.seriesId(MetricType.counter, 'old', '', { i });
  assert.equal(core.seriesId(MetricType.counter, 'new', '', {}), 0); // full (by count or bytes)
  const accepted = core.series.size;
  core.drain(1); // everything was used in this window
  core.drain(2); // idle for a whole window: evicted
  assert.equal(core.series.size, 0);
  assert.equal(core.names.size, 0);
  assert.equal(core.stats().seriesEvicted, accepted);
  const id = core.seriesId(MetricType.counter, 'new', '', {}, 3);
  assert.ok(id > 0);
  assert.equal(core.record(id, 1, 3), null);
  assert.equal(core.drain(4), 1);
});

test('past the name limit, metrics are refused and reported as dropped, never merged', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  for (let i = 0; i < 20000 && t.core.id(`flood.${i}`) > 0; i++);
  const lines = await captureConsole('error', async () => {
    t.metrics.increment('orders.created', 1);
    t.metrics.increment('payments.failed', 5);
    await t.flush();
  });
  assert.equal(mem.metrics.length, 0);
  assert.equal(t.stats().dropped, 2);
  assert.equal(t.stats().core.recordsDroppedUnnamed, 2);
  assert.match(lines.join('\n'), /2 recordsDroppedUnnamed/);
  // The flood goes idle and is evicted; the names are taken again, each its own series.
  await t.flush();
  t.metrics.increment('orders.created', 1);
  t.metrics.increment('payments.failed', 5);
  await t.flush();
  const values = Object.fromEntries(mem.metrics.map((m) => [m.name, m.value]));
  assert.deepEqual(values, { 'orders.created': 1, 'payments.failed': 5 });
});

test('an evicted attribute key is interned again, never sent under another name', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.trace('first', (span) => span.setAttribute('tenant', 'a'));
  await t.flush();
  await t.flush(); // 'tenant' idle for a whole window: evicted
  assert.equal(t.core.names.has('tenant'), false);
  t.trace('second', (span) => span.setAttributes({ region: 'eu', tenant: 'b' }));
  await t.flush();
  assert.deepEqual(mem.spans.map((s) => s.attributes), [{ tenant: 'a' }, { region: 'eu', tenant: 'b' }]);
});
