// stats(): per-exporter counts, and totals that count each drained record once however many
// exporters and wire formats there are (the definition is in js/export-pipeline.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const healthy = useCollector();
const failing = useCollector();

function record(t) {
  t.trace('op', (span) => span.logger.info('hello'));
  t.metrics.increment('hits');
}

function twoExporters(options = {}) {
  return createTelemetry({
    service: 'svc',
    ...options,
    exporters: [
      exporters.http({ url: healthy.nativeUrl, retries: 0 }),
      exporters.http({ url: failing.otlpUrl, format: 'otlp-json', retries: 0 }),
    ],
  });
}

test('with two exporters delivering, each record is exported once in the totals', async () => {
  const t = twoExporters();
  record(t);
  await t.flush();
  const s = t.stats();
  assert.equal(healthy.spans.length + healthy.logs.length + healthy.metrics.length, 3);
  assert.equal(failing.spans.length + failing.logs.length + failing.metrics.length, 3);
  assert.equal(s.exported, 3);
  assert.equal(s.failed, 0);
  assert.equal(s.payloadsSent, 4, 'one native payload and three OTLP payloads');
  assert.deepEqual(
    s.exporters.map(({ name, exported, failed, dropped, payloadsSent, payloadsFailed, lastError }) => ({ name, exported, failed, dropped, payloadsSent, payloadsFailed, lastError })),
    [
      { name: 'http', exported: 3, failed: 0, dropped: 0, payloadsSent: 1, payloadsFailed: 0, lastError: null },
      { name: 'http', exported: 3, failed: 0, dropped: 0, payloadsSent: 3, payloadsFailed: 0, lastError: null },
    ],
  );
  assert.match(s.exporters[0].endpoint, /^http:\/\/127\.0\.0\.1:\d+\/ingest$/);
});

test('a record one exporter could not deliver is buffered in the totals, not both exported and buffered', async () => {
  const t = twoExporters();
  failing.failAlways(503);
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  const s = t.stats();
  assert.equal(s.exported, 0);
  assert.equal(s.buffered, 3);
  assert.equal(s.failed, 0);
  assert.equal(s.payloadsSent, 1);
  assert.equal(s.payloadsFailed, 3);
  const [native, otlp] = s.exporters;
  assert.equal(native.exported, 3);
  assert.equal(native.buffered, 0);
  assert.equal(otlp.exported, 0);
  assert.equal(otlp.buffered, 3);
  assert.equal(otlp.failed, 0);
  assert.deepEqual(otlp.failedByCause, { http: 3 });
  assert.match(otlp.lastError, /^http:\/\/127\.0\.0\.1:\d+\/v1\/\w+: HTTP 503/);
  assert.equal(s.lastError, `http ${otlp.lastError}`);
  assert.equal(lines.length, 1, 'one line for the exporter that failed');
});

test('shrunk and oversize records are counted once, not once per wire format', async () => {
  const counts = [];
  for (const formats of [['native'], ['native', 'otlp-json']]) {
    const mem = formats.map((format) => ({ name: format, format, endpoint: format, async send(ps) { return ps.map(() => ({ ok: true })); } }));
    const t = createTelemetry({ service: 'svc', maxPayloadBytes: 2048, exporters: mem });
    t.trace('shrunk', (s) => s.setAttribute('big', 'x'.repeat(3000))); // fits once re-encoded compactly
    t.trace('oversize', (s) => {
      for (let i = 0; i < 40; i++) s.setAttribute(`a${i}`, 'y'.repeat(1000)); // fits in no form
    });
    t.trace('small', () => {});
    const lines = await captureConsole('error', () => t.flush());
    const s = t.stats();
    counts.push({ shrunk: s.core.recordsShrunk, oversize: s.core.recordsDroppedOversize, dropped: s.dropped, exported: s.exported, failed: s.failed, lines });
    for (const e of s.exporters) assert.equal(e.exported + e.failed + e.dropped, 3, e.name);
  }
  const line = '[edgescope] telemetry dropped by bounds: 1 recordsDroppedOversize';
  const once = { shrunk: 1, oversize: 1, dropped: 1, exported: 2, failed: 0, lines: [line] };
  assert.deepEqual(counts, [once, once]);
});

test('each drained record is counted once: exported + buffered + failed + dropped by encoding = records', async () => {
  const t = twoExporters({ maxBatchSize: 1 });
  failing.failNext(503, { times: 2 });
  record(t);
  let records;
  await captureConsole('error', async () => {
    ({ records } = await t.flush());
  });
  assert.equal(records, 3);
  const s = t.stats();
  assert.equal(s.exported + s.buffered + s.failed + s.dropped, records);
  assert.equal(s.buffered, 2, 'the two records the OTLP exporter could not deliver');
  assert.equal(s.exporters[1].exported, 1);
});

test('results a custom exporter leaves out, and a synchronous throw, are counted failures and kept for later', async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const short = { name: 'short', format: 'native', endpoint: 'mem', async send() { return []; } };
    const sync = { name: 'sync', format: 'native', endpoint: 'mem', send() { throw new Error('sync boom'); } };
    const t = createTelemetry({ service: 'svc', exporters: [short, sync] });
    record(t);
    const lines = await captureConsole('error', () => t.flush());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [a, b] = t.stats().exporters;
    assert.deepEqual([a.buffered, a.failedByCause], [3, { exporter: 3 }]);
    assert.deepEqual([b.buffered, b.failedByCause], [3, { exporter: 3 }]);
    assert.equal(t.stats().buffered, 3);
    assert.equal(t.stats().failed, 0);
    assert.match(lines.join('\n'), /short mem: send\(\) returned no result for this payload/);
    assert.match(lines.join('\n'), /sync mem: exporter threw: sync boom/);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a flush that drains nothing still reports what was refused since the last flush, once', async () => {
  const sent = [];
  const t = createTelemetry({ service: 'svc', exporters: [{ name: 'mem', format: 'native', endpoint: 'mem', async send(ps) { sent.push(...ps); return ps.map(() => ({ ok: true })); } }] });
  const first = await captureConsole('error', async () => {
    await captureConsole('warn', () => {
      t.metrics.histogram('latency', Number.NaN);
      t.metrics.increment('hits', -1);
    });
    assert.deepEqual(await t.flush(), { records: 0 });
  });
  assert.deepEqual(first, ['[edgescope] telemetry dropped by bounds: 2 metricValuesRejected']);
  assert.equal(t.stats().dropped, 2);
  const second = await captureConsole('error', () => t.flush());
  assert.deepEqual(second, [], 'nothing new refused: nothing reported again');
  assert.equal(t.stats().dropped, 2);
  assert.equal(sent.length, 0);
});

test('refusals between flushes are each reported by the next flush, empty or not, and counted once', async () => {
  const sent = [];
  const t = createTelemetry({ service: 'svc', exporters: [{ name: 'mem', format: 'native', endpoint: 'mem', async send(ps) { sent.push(...ps); return ps.map(() => ({ ok: true })); } }] });
  const refuse = (name, n) => captureConsole('warn', () => {
    for (let i = 0; i < n; i++) t.metrics.increment(name, -1);
  });
  const lines = await captureConsole('error', async () => {
    assert.deepEqual(await t.flush(), { records: 0 });
    await refuse('a', 2);
    assert.deepEqual(await t.flush(), { records: 0 });
    await refuse('b', 3);
    t.trace('op', () => {});
    assert.deepEqual(await t.flush(), { records: 1 });
    assert.deepEqual(await t.flush(), { records: 0 });
  });
  assert.deepEqual(lines, ['[edgescope] telemetry dropped by bounds: 2 metricValuesRejected', '[edgescope] telemetry dropped by bounds: 3 metricValuesRejected']);
  const s = t.stats();
  assert.equal(s.dropped, 5);
  assert.equal(s.flushes, 4);
  assert.equal(s.exported, 1);
  assert.equal(sent.length, 1);
});
