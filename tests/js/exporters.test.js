// Exporters against the real capture collector on loopback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { startCollector } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();

function record(t) {
  t.trace('op', (span) => {
    span.logger.info('hello');
    t.metrics.histogram('latency', 12, { route: '/' }, { unit: 'ms' });
  });
}

for (const format of ['native', 'otlp-json']) {
  test(`the HTTP exporter delivers spans, metrics and logs as ${format}`, async () => {
    const url = format === 'native' ? collector.nativeUrl : collector.otlpUrl;
    const t = createTelemetry({ service: 'svc', exporter: exporters.http({ url, format, bearerToken: 's3cret', headers: { 'X-Tenant': 'a' } }) });
    record(t);
    await t.flush();
    assert.equal(collector.spans.length, 1);
    assert.equal(collector.logs.length, 1);
    assert.equal(collector.metrics.length, 1);
    assert.equal(collector.metrics[0].count, 1);
    assert.equal(collector.logs[0].traceId, collector.spans[0].traceId);
    assert.ok(collector.payloads.every((p) => p.headers.authorization === 'Bearer s3cret' && p.headers['x-tenant'] === 'a'));
    assert.equal(collector.payloads.length, format === 'native' ? 1 : 3);
    assert.deepEqual(t.stats().exported, 3);
  });
}

test('transient failures are retried; what still fails is logged, counted and kept for later', async () => {
  const t = createTelemetry({
    service: 'svc',
    exporter: exporters.http({ url: collector.nativeUrl, retries: 2, [Symbol.for('edgescope.test.sleep')]: async () => {} }),
  });
  collector.failNext(503, { times: 2 });
  record(t);
  await t.flush();
  assert.equal(collector.requests, 3);
  assert.equal(collector.spans.length, 1);
  assert.equal(t.stats().failed, 0);

  collector.failAlways(500, { body: 'collector on fire' });
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  assert.equal(t.stats().buffered, 3);
  assert.equal(t.stats().failed, 0);
  assert.equal(t.stats().payloadsFailed, 1);
  assert.match(lines.join('\n'), /HTTP 500: collector on fire; 1 payload\(s\) not delivered .*3 record\(s\) kept in the offline buffer \(memory\)/);
});

test('a 401 is not retried', async () => {
  const t = createTelemetry({ service: 'svc', exporter: exporters.http({ url: collector.nativeUrl, retries: 3, [Symbol.for('edgescope.test.sleep')]: async () => {} }) });
  collector.failAlways(401);
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 1);
  assert.match(lines[0], /HTTP 401/);
});

test('a collector that is down is a logged network error, not an exception', async () => {
  const down = await startCollector();
  const url = down.nativeUrl;
  await down.close();
  const t = createTelemetry({ service: 'svc', exporter: exporters.http({ url, retries: 1, [Symbol.for('edgescope.test.sleep')]: async () => {} }) });
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  assert.match(lines[0], /network error/);
  assert.equal(t.stats().buffered, 3);
});

test('Retry-After is honoured within the deadline', async () => {
  const waits = [];
  const t = createTelemetry({
    service: 'svc',
    exporter: exporters.http({ url: collector.nativeUrl, retries: 1, [Symbol.for('edgescope.test.sleep')]: async (ms) => waits.push(ms) }),
  });
  collector.failNext(429, { headers: { 'retry-after': '2' } });
  record(t);
  await t.flush();
  assert.deepEqual(waits, [2000]);
  assert.equal(collector.spans.length, 1);
});

test('the Direct exporter makes exactly one POST per payload and never retries', async () => {
  const t = createTelemetry({ service: 'svc', maxBatchSize: 1, exporter: exporters.direct({ url: collector.nativeUrl }) });
  record(t);
  collector.failNext(503);
  await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 3);
  assert.equal(collector.payloads.length, 2);
  assert.equal(t.stats().buffered, 1);
});

test('every response body is consumed, so connections are not held open', async () => {
  const consumed = new Set();
  let bodiesCreated = 0;
  const fetch = async (url, init) => {
    const response = await globalThis.fetch(url, init);
    const id = bodiesCreated++;
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(c) {
        const { done, value } = await reader.read();
        if (done) {
          consumed.add(id);
          c.close();
        } else c.enqueue(value);
      },
      cancel(reason) {
        consumed.add(id);
        return reader.cancel(reason);
      },
    });
    return new Response(body, response);
  };
  const t = createTelemetry({ service: 'svc', maxBatchSize: 1, exporter: exporters.http({ url: collector.nativeUrl, fetch, retries: 0 }) });
  record(t);
  collector.failNext(500);
  await captureConsole('error', () => t.flush());
  assert.equal(bodiesCreated, 3);
  assert.equal(consumed.size, 3);
});

test('the Console exporter prints one readable line per record', async () => {
  const lines = [];
  const t = createTelemetry({ service: 'svc', exporter: exporters.console({ write: (l) => lines.push(l) }) });
  record(t);
  await t.flush();
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^\[edgescope\] span op internal \d+ms unset trace=[0-9a-f]{8}/);
  assert.match(lines[1], /^\[edgescope\] metric histogram latency \(ms\) count=1 sum=12/);
  assert.match(lines[2], /^\[edgescope\] log info "hello" trace=/);
});

test('an exporter that throws is a counted failure kept for later, never an unhandled rejection', async () => {
  const t = createTelemetry({
    service: 'svc',
    exporter: { name: 'broken', format: 'native', async send() { throw new Error('nope'); } },
  });
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  assert.match(lines[0], /exporter threw: nope/);
  assert.equal(t.stats().buffered, 3);
});
