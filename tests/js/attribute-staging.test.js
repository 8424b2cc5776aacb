// Attribute conversion never throws and staging is all-or-nothing: whatever user code passes
// (throwing getters, circular or null-prototype objects, revoked proxies, NaN), the record gets
// what can be converted, the rest is counted, and nothing staged for one record reaches another.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { memoryExporter } from './helpers.js';

function setup() {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  return { t, mem, core: () => t.stats().core };
}

function circularNullPrototype() {
  const value = Object.create(null);
  value.self = value;
  return value;
}

test('an attribute set that cannot be fully converted never leaks onto the next record', async () => {
  const { t, mem } = setup();
  t.trace('login', (span) => {
    span.setAttributes({ 'user.id': 'u-42', profile: circularNullPrototype() });
  });
  t.metrics.increment('hits');
  t.logger.info('after');
  t.metrics.increment('hits');
  await t.flush();
  assert.deepEqual(mem.metrics.map((m) => m.tags), [{}]);
  assert.equal(mem.metrics[0].value, 2);
  assert.deepEqual(mem.logs[0].context, {});
  assert.equal(mem.spans[0].attributes['user.id'], 'u-42');
});

test('values with no faithful form become counted text; the others keep their type', async () => {
  const { t, mem, core } = setup();
  const circular = { name: 'loop' };
  circular.self = circular;
  const throwing = {
    ok: 1,
    get broken() {
      throw new Error('getter failed');
    },
  };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const before = core().valuesUnconvertible;
  t.trace('op', (span) => {
    span.setAttributes(throwing);
    span.setAttributes({
      circular,
      nullProto: circularNullPrototype(),
      fn: function handler() {},
      proxy: revoked.proxy,
      when: new Date(Date.UTC(2024, 1, 29, 12, 30)),
      invalidDate: new Date(Number.NaN),
      plain: { a: [1, 'b'] },
      big: 12345678901234567890n,
    });
  });
  await t.flush();
  const attrs = mem.spans[0].attributes;
  assert.equal(attrs.ok, 1);
  assert.equal(attrs.broken, '[unreadable]');
  assert.equal(attrs.circular, '[object Object]');
  assert.equal(attrs.nullProto, '[unconvertible object]');
  assert.equal(attrs.fn, '[function handler]');
  assert.equal(attrs.proxy, '[unconvertible object]');
  assert.equal(attrs.when, '2024-02-29T12:30:00.000Z');
  assert.equal(attrs.invalidDate, 'Invalid Date');
  assert.equal(attrs.plain, '{"a":[1,"b"]}');
  assert.equal(attrs.big, '12345678901234567890');
  assert.equal(core().valuesUnconvertible - before, 6); // broken, circular, nullProto, fn, proxy, invalidDate
});

test('NaN and infinities are refused and counted, not sent as strings', async () => {
  const { t, mem, core } = setup();
  t.trace('op', (span) => span.setAttributes({ a: Number.NaN, b: Infinity, c: -Infinity, d: 0.5 }));
  await t.flush();
  assert.deepEqual(mem.spans[0].attributes, { d: 0.5 });
  assert.equal(core().attributeValuesRejected, 3);
});

test('a metric tag that cannot be read refuses the series instead of merging it', async () => {
  const { t, mem } = setup();
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  t.metrics.increment('hits', 1, revoked.proxy);
  t.metrics.increment('hits', 1, { ratio: Number.NaN });
  t.metrics.increment('hits', 1);
  await t.flush();
  assert.deepEqual(mem.metrics.map((m) => [m.tags, m.value]), [[{}, 1]]);
  assert.equal(t.stats().core.seriesDroppedIncompleteTags, 2);
  assert.equal(t.stats().dropped, 2);
});

test('an Error whose getters throw still records what it can', async () => {
  const { t, mem } = setup();
  const error = new TypeError('bad');
  Object.defineProperty(error, 'stack', {
    get() {
      throw new Error('no stack for you');
    },
  });
  t.logger.error('failed', { error });
  await t.flush();
  assert.equal(mem.logs[0].error.name, 'TypeError');
  assert.equal(mem.logs[0].error.message, 'bad');
});

test('empty names and keys are refused and counted, never sent as ""', async () => {
  const { t, mem, core } = setup();
  t.trace('', () => {});
  t.trace('op', (span) => {
    span.setAttributes({ '': 'no key', kept: true });
    span.addEvent('');
  });
  t.metrics.increment('');
  await t.flush();
  assert.deepEqual(mem.spans.map((s) => s.operationName), ['op']);
  assert.deepEqual(mem.spans[0].attributes, { kept: true });
  assert.deepEqual(mem.spans[0].events, []);
  assert.equal(mem.metrics.length, 0);
  // The API refuses an empty span or event name before the core sees it (stats().api); the core
  // refuses the empty attribute key and metric name.
  assert.equal(t.stats().api.spansRefused, 1);
  assert.equal(t.stats().api.eventsRefused, 1);
  assert.equal(core().namesRefusedEmpty, 2);
  assert.equal(core().recordsDroppedUnnamed, 1); // the metric value
});
