// A metric name used with a second type: every conflicting value is refused and counted, the user
// is told once, and after the first call the conflict is answered from the shim's cache without
// asking the core again (it used to cost a core lookup, an error message and an exception each).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

function countSeriesCalls(core) {
  const calls = { count: 0 };
  const { es_series } = core.x;
  core.x = { ...core.x, es_series: (...args) => (calls.count++, es_series(...args)) };
  return calls;
}

test('a repeated type conflict is counted every time, reported once, and asks the core once', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.metrics.increment('jobs', 1, { queue: 'a' });
  const calls = countSeriesCalls(t.core);
  const lines = await captureConsole('warn', () => {
    for (let i = 0; i < 1000; i++) t.metrics.gauge('jobs', i, { queue: 'a' });
  });
  assert.equal(calls.count, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /'jobs'/);
  assert.equal(t.stats().core.metricTypeConflicts, 1000);
  await t.flush();
  assert.deepEqual(mem.metrics.map((m) => [m.name, m.type, m.value]), [['jobs', 'counter', 1]]);
});

test("a conflict ends when the other type's series is evicted", async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.metrics.increment('temperature');
  await captureConsole('warn', () => t.metrics.gauge('temperature', 20));
  await t.flush();
  await t.flush(); // the counter series idle for a whole window: evicted
  t.metrics.gauge('temperature', 21);
  await t.flush();
  assert.deepEqual(mem.metrics.map((m) => [m.type, m.value]), [['counter', 1], ['gauge', 21]]);
});
