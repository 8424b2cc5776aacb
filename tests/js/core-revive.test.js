// A trap leaves the wasm heap half-updated: the instance is marked dead, every call on it is a
// cheap no-op returning a safe default (never a throw into user code), and revive() starts a fresh
// instance from the same module with the same config. The trap here is a real one from the real
// module: its shadow stack pointer is set to 0, so the next call that uses the stack writes out of
// bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

function trap(core) {
  core.x.stackRestore(0);
}

test('after a trap every call is a no-op with a safe default, and revive() restores recording', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter, resource: { region: 'eu' } });
  t.metrics.increment('before');
  await t.flush();
  const statsBefore = t.stats().core;
  const oldSpan = t.startSpan('opened before the trap');
  trap(t.core);
  const lines = await captureConsole('error', async () => {
    const span = t.startSpan('during'); // the trapping call
    span.setAttribute('k', 'v').addEvent('e').setStatus('error', 'x');
    span.end();
    t.metrics.increment('during');
    t.logger.info('during');
    assert.equal(span.spanContext(), null);
    assert.equal(span.isRecording(), false);
    assert.deepEqual(await t.flush(), { records: 0 });
  });
  assert.equal(lines.filter((l) => /core trapped/.test(l)).length, 1);
  assert.equal(t.core.dead, true);
  assert.equal(t.stats().core.coreTraps, 1);
  assert.equal(t.stats().core.valuesTruncated, statsBefore.valuesTruncated); // counters survive

  assert.equal(t.core.revive(), true);
  assert.equal(t.core.dead, false);
  assert.equal(t.core.revive(), false); // nothing to revive
  const fresh = t.startSpan('after');
  oldSpan.end(); // a handle from the dead core must not end the new core's span
  assert.equal(fresh.isRecording(), true);
  fresh.end();
  t.metrics.increment('after');
  await t.flush();
  assert.deepEqual(mem.spans.map((s) => s.operationName), ['after']);
  assert.deepEqual(mem.metrics.map((m) => m.name), ['before', 'after']);
});

test('a revived core keeps the config: service, resource and limits', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'checkout', exporter: mem.exporter, maxBatchSize: 1 });
  trap(t.core);
  await captureConsole('error', () => t.trace('lost', () => {}));
  assert.equal(t.core.revive(), true);
  t.trace('a', () => {});
  t.trace('b', () => {});
  await t.flush();
  assert.equal(mem.docs.length, 2); // maxBatchSize 1 still applies
  assert.ok(mem.docs.every((d) => d.service === 'checkout'));
});

test('dispose() frees the core; later calls are no-ops', async () => {
  const t = createTelemetry({ service: 'svc', exporter: memoryExporter().exporter });
  t.metrics.increment('x');
  t.core.dispose();
  assert.equal(t.core.dead, true);
  assert.equal(t.core.revive(), false);
  t.trace('after dispose', (span) => span.setAttribute('k', 1));
  t.metrics.increment('x');
  assert.deepEqual(await t.flush(), { records: 0 });
  assert.equal(t.core.x.es_pending(t.core.h), -1); // the handle is gone
});
