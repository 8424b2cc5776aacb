// Careless input is refused or repaired at the API, counted and reported once; beforeSend edits
// or drops records; spans stay trees. Runs the real core (Node entry) with an in-memory exporter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { captureConsole, memoryExporter } from './helpers.js';

test('an empty span name gives a span that records nothing, counted and reported once', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const lines = await captureConsole('warn', async () => {
    const a = t.startSpan('');
    const b = t.startSpan('');
    assert.equal(a.isRecording(), false);
    a.setAttribute('x', 1).end();
    b.end();
    await t.flush();
  });
  assert.equal(mem.spans.length, 0);
  assert.equal(t.stats().api.spansRefused, 2);
  assert.equal(lines.filter((l) => l.includes('span name')).length, 1);
});

test('a child of a refused (no-op) span is a no-op too, never a new recorded root', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  await captureConsole('warn', async () => {
    const refused = t.startSpan('');
    const child = refused.startSpan('child');
    assert.equal(child.isRecording(), false);
    child.end();
    await t.flush();
  });
  assert.equal(mem.spans.length, 0);
});

test('start times of 0, NaN or seconds are replaced by the current time and counted', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const before = Date.now();
  await captureConsole('warn', async () => {
    t.startSpan('zero', { startTime: 0 }).end();
    t.startSpan('nan', { startTime: Number.NaN }).end();
    t.startSpan('seconds', { startTime: Math.floor(Date.now() / 1000) }).end();
    await t.flush();
  });
  assert.equal(mem.spans.length, 3);
  for (const span of mem.spans) assert.ok(span.startTime >= before, `${span.operationName} starts at ${span.startTime}`);
  assert.equal(t.stats().api.timesRepaired, 3);
});

test('an empty event name is refused and counted; the span is still recorded', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  await captureConsole('warn', async () => {
    t.trace('s', (span) => span.addEvent('').addEvent('kept'));
    await t.flush();
  });
  assert.deepEqual(mem.spans[0].events.map((e) => e.name), ['kept']);
  assert.equal(t.stats().api.eventsRefused, 1);
});

test('beforeSend edits and drops spans, attributes, events and logs as they enter', async () => {
  const mem = memoryExporter();
  const seen = [];
  const t = createTelemetry({
    service: 'svc',
    exporter: mem.exporter,
    beforeSend(record) {
      seen.push(record.type);
      if (record.type === 'span' && record.name === 'secret-span') return null;
      if (record.type === 'log' && record.message.includes('drop me')) return null;
      if (record.attributes && 'user.handle' in record.attributes) {
        return { ...record, attributes: { ...record.attributes, 'user.handle': 'someone' } };
      }
      return record;
    },
  });
  t.startSpan('secret-span').end();
  t.trace('kept', (span) => {
    span.setAttributes({ 'user.handle': 'a@b.c', plan: 'pro' });
    span.addEvent('clicked', { 'user.handle': 'a@b.c' });
  });
  t.logger.info('drop me please');
  t.logger.info('keep me', { 'user.handle': 'a@b.c' });
  await t.flush();
  assert.deepEqual(mem.spans.map((s) => s.operationName), ['kept']);
  assert.equal(mem.spans[0].attributes['user.handle'], 'someone');
  assert.equal(mem.spans[0].attributes.plan, 'pro');
  assert.equal(mem.spans[0].events[0].attributes['user.handle'], 'someone');
  assert.deepEqual(mem.logs.map((l) => l.message), ['keep me']);
  assert.equal(mem.logs[0].context['user.handle'], 'someone');
  assert.deepEqual([...new Set(seen)].sort(), ['attributes', 'event', 'log', 'span']);
  assert.equal(t.stats().api.droppedByBeforeSend, 2);
});

test('a beforeSend that throws drops the record (never sends it unfiltered), counted and reported once', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter, beforeSend: () => { throw new Error('hook bug'); } });
  const lines = await captureConsole('warn', async () => {
    t.logger.info('one');
    t.logger.info('two');
    await t.flush();
  });
  assert.equal(mem.logs.length, 0);
  assert.equal(t.stats().api.droppedByBeforeSend, 2);
  assert.equal(lines.filter((l) => l.includes('hook bug')).length, 1);
});

test("a user's Ok status is final and setting unset is ignored (OpenTelemetry Set Status)", async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.trace('ok-then-error', (span) => span.setStatus('ok').setStatus('error', 'late'));
  t.trace('error-then-unset', (span) => span.setStatus('error', 'bad').setStatus('unset'));
  await t.flush();
  const byName = Object.fromEntries(mem.spans.map((s) => [s.operationName, s]));
  assert.equal(byName['ok-then-error'].status, 'ok');
  assert.equal(byName['error-then-unset'].status, 'error');
  assert.equal(byName['error-then-unset'].statusMessage, 'bad');
});

test('a span handed to another Telemetry as parent carries its trace across instead of attaching to an unrelated span', async () => {
  const a = memoryExporter();
  const b = memoryExporter();
  const ta = createTelemetry({ service: 'a', exporter: a.exporter });
  const tb = createTelemetry({ service: 'b', exporter: b.exporter });
  const unrelated = tb.startSpan('unrelated-in-b'); // likely the same handle number as the parent below
  const parent = ta.startSpan('parent-in-a');
  tb.startSpan('child-in-b', { parent }).end();
  parent.end();
  unrelated.end();
  await ta.flush();
  await tb.flush();
  const child = b.spans.find((s) => s.operationName === 'child-in-b');
  assert.equal(child.traceId, a.spans[0].traceId);
  assert.equal(child.parentSpanId, a.spans[0].spanId);
  assert.notEqual(child.traceId, b.spans.find((s) => s.operationName === 'unrelated-in-b').traceId);
});

test('spans started with attributes that cannot be converted never leak a slot: span 5,000 still records', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const hostile = { get boom() { throw new Error('getter'); }, ok: 1 };
  for (let i = 0; i < 5000; i++) t.startSpan('hostile', { attributes: hostile }).end();
  await t.flush();
  const last = t.startSpan('after');
  assert.equal(last.isRecording(), true);
  last.end();
  await t.flush();
  assert.ok(mem.spans.some((s) => s.operationName === 'after'));
  assert.equal(t.stats().core.spansDroppedOpenLimit, 0);
});
