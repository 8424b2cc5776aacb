import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/traceparent.json', import.meta.url), 'utf8'));

test('trace() nests spans, ends them, and returns what fn returns', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const value = await t.trace('outer', async (outer) => {
    outer.setAttributes({ a: 1, b: 'x', c: true, d: 1.5, big: 10n, skip: undefined });
    return outer.trace('inner', () => 42);
  });
  assert.equal(value, 42);
  await t.flush();
  const [inner, outer] = mem.spans;
  assert.equal(inner.operationName, 'inner');
  assert.equal(inner.parentSpanId, outer.spanId);
  assert.equal(inner.traceId, outer.traceId);
  assert.deepEqual(outer.attributes, { a: 1, b: 'x', c: true, d: 1.5, big: '10' });
});

test('a throwing or rejecting fn is recorded on its span and rethrown unchanged', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const boom = new RangeError('boom');
  assert.throws(() => t.trace('sync', () => { throw boom; }), (e) => e === boom);
  await assert.rejects(t.trace('async', async () => { throw boom; }), (e) => e === boom);
  await t.flush();
  for (const span of mem.spans) {
    assert.equal(span.status, 'error');
    assert.equal(span.statusMessage, 'boom');
    assert.equal(span.events[0].name, 'exception');
    assert.equal(span.events[0].attributes['exception.type'], 'RangeError');
  }
});

test('traceparent fixtures: valid headers continue the trace, malformed ones start a new one', () => {
  const t = createTelemetry({ service: 'svc', exporter: memoryExporter().exporter });
  for (const c of fixtures.cases) {
    const { span, rejectedHeader } = t.startRemoteSpan('in', { traceparent: c.header });
    const ctx = span.spanContext();
    if (c.valid) {
      assert.equal(ctx.traceId, c.traceId, c.header);
      assert.equal(rejectedHeader, false);
      assert.equal(ctx.traceFlags & 1, c.sampled ? 1 : 0);
    } else {
      assert.notEqual(ctx.traceId, c.header.slice(3, 35));
      assert.equal(rejectedHeader, c.header !== '', JSON.stringify(c.header));
    }
    span.end();
  }
});

test('metrics aggregate per series between flushes', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  for (let i = 0; i < 100; i++) t.metrics.increment('hits', 1, { route: i % 2 ? '/a' : '/b' });
  t.metrics.gauge('queue.depth', 7);
  t.metrics.add('inflight', -2);
  const stop = t.metrics.startTimer('work');
  stop();
  await t.flush();
  const byName = (n) => mem.metrics.filter((m) => m.name === n);
  assert.equal(byName('hits').length, 2);
  assert.deepEqual(byName('hits').map((m) => m.value), [50, 50]);
  assert.equal(byName('queue.depth')[0].type, 'gauge');
  assert.equal(byName('inflight')[0].value, -2);
  assert.equal(byName('inflight')[0].monotonic, false);
  assert.equal(byName('work')[0].type, 'histogram');
  assert.equal(byName('work')[0].unit, 'ms');
});

test('bad metric values are refused, counted, and reported once per name', async () => {
  const t = createTelemetry({ service: 'svc', exporter: memoryExporter().exporter });
  const lines = await captureConsole('warn', () => {
    t.metrics.increment('c', -1);
    t.metrics.increment('c', Number.NaN);
    t.metrics.gauge('c', 1); // same name, another type
    t.metrics.histogram('h', 'seven');
  });
  assert.equal(lines.length, 2);
  assert.match(lines[0], /metric 'c'/);
  assert.match(lines[1], /not a finite number.*'h'/);
  const { dropped } = await t.flush().then(() => t.stats());
  assert.equal(dropped, 3); // -1, NaN, 'seven'; the type conflict never reached a series
});

test('logs carry context, correlation and errors', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const child = t.logger.child({ requestId: 'r1' });
  await t.trace('op', (span) => {
    child.forSpan(span).error(new TypeError('bad thing'), { attempt: 2 });
    t.logger.debug('no span');
  });
  await t.flush();
  const [err, debug] = mem.logs;
  assert.equal(err.level, 'error');
  assert.equal(err.message, 'bad thing');
  const { 'error.fingerprint': fingerprint, ...context } = err.context;
  assert.deepEqual(context, { requestId: 'r1', attempt: 2, 'error.severity': 'INFO', 'error.category': 'other' });
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(err.error.name, 'TypeError');
  assert.equal(err.metadata.traceId, mem.spans[0].traceId);
  assert.equal(debug.metadata, undefined);
});

test('strings are repaired and cut at the boundary, never emitted broken', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.trace('x', (span) => span.setAttributes({ lone: 'a\uD800b', huge: 'é'.repeat(100000) }));
  t.logger.info('m'.repeat(1e6));
  await t.flush();
  const span = mem.spans[0];
  assert.equal(span.attributes.lone, 'a\uFFFDb');
  assert.equal(new TextEncoder().encode(span.attributes.huge).length, 4096);
  assert.equal(mem.logs[0].message.length, 16384);
  assert.ok(mem.docs.every((d) => d.bytes <= 65536));
});

test('no payload exceeds maxPayloadBytes and maxBatchSize bounds records per payload', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter, maxPayloadBytes: 2048, maxBatchSize: 5 });
  for (let i = 0; i < 200; i++) t.trace(`op-${i}`, (s) => s.setAttribute('v', 'x'.repeat(i)));
  await t.flush();
  assert.equal(mem.spans.length, 200);
  for (const doc of mem.docs) {
    assert.ok(doc.bytes <= 2048, `payload of ${doc.bytes} bytes`);
    assert.ok(doc.spans.length <= 5);
  }
});

test('unflushed telemetry from an earlier unit of work warns once', async () => {
  const t = createTelemetry({ service: 'svc', exporter: memoryExporter().exporter });
  const lines = await captureConsole('warn', () => {
    t.trace('first', () => {});
    t.trace('second', () => {}); // "first" was never flushed
    t.trace('third', () => {});
  });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /never flushed/);
  await t.flush();
});

test('a log line written before the first span of the same unit of work raises no "never flushed" warning', async () => {
  const t = createTelemetry({ service: 'cron', requestMetrics: false, exporter: memoryExporter().exporter });
  const lines = await captureConsole('warn', async () => {
    for (let run = 0; run < 2; run++) {
      // One scheduled invocation written with the manual API: a log line, then its span, flushed.
      t.logger.info('job starting');
      t.trace('job', () => 'done');
      await t.flush();
    }
  });
  assert.deepEqual(lines.filter((line) => /never flushed/.test(line)), []);
});

test('records left by a unit of work that ended unflushed still warn when the next one logs first', async () => {
  const t = createTelemetry({ service: 'svc', exporter: memoryExporter().exporter });
  const lines = await captureConsole('warn', () => {
    t.trace('first', () => {}); // ended, never flushed
    t.logger.info('next unit starting');
    t.trace('second', () => {});
  });
  assert.equal(lines.filter((line) => /never flushed/.test(line)).length, 1);
  await t.flush();
});

test('flushing with nothing recorded sends nothing', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  assert.deepEqual(await t.flush(), { records: 0 });
  assert.equal(mem.docs.length, 0);
});
