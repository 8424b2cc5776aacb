// Streaming tail events (recorded from workerd, or written for cases workerd does not produce on
// demand) replayed in Node through tailStreamHandler: the exported spans carry the platform's
// trace and span ids and parent links, in every wire format, and the hard cases (spans never
// closed, a parent closed before its child, the span caps, events about unknown spans, events
// after the outcome) are bounded, marked and counted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import { exporters } from 'edgescope';
import { startCollector } from 'edgescope/testing';
import { tailStreamHandler } from '../../js/tail/stream/index.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/tail-stream/${name}.json`, import.meta.url), 'utf8'));

let collector;
before(async () => {
  collector = await startCollector();
});
after(() => collector.close());
beforeEach(() => collector.clear());

// Replays each invocation's events (by invocation id, in sequence order) and waits for every flush.
async function replay(tailStream, events) {
  const byInvocation = new Map();
  for (const e of events) byInvocation.set(e.invocationId, [...(byInvocation.get(e.invocationId) ?? []), e]);
  const flushes = [];
  const ctx = { waitUntil: (p) => flushes.push(p) };
  for (const list of byInvocation.values()) {
    list.sort((a, b) => a.sequence - b.sequence);
    const handler = tailStream(list[0], {}, ctx);
    for (const e of list.slice(1)) handler(e);
  }
  await Promise.all(flushes);
}

const handlerFor = (format, streaming) =>
  tailStreamHandler({ service: 'watched', exporters: [exporters.http({ url: format === 'native' ? collector.nativeUrl : collector.otlpUrl, format })], ...(streaming ? { streaming } : {}) });

const RECORDINGS = [
  ['fetch-kv-rpc', 'native'],
  ['fetch-kv-rpc', 'otlp-json'],
  ['fetch-kv-rpc', 'otlp-proto'],
  ['fetch-kv-rpc-workerd-20260401', 'otlp-json'],
];

for (const [name, format] of RECORDINGS) {
  test(`a recorded fetch invocation with a subrequest, KV calls and an RPC callee exports its tree with the platform's ids (${name}, ${format})`, async () => {
    const { events } = fixture(name);
    const tailStream = handlerFor(format);
    await replay(tailStream, events);
    await collector.waitFor((c) => c.spans.length >= 6);
    const spans = collector.spans;
    assert.equal(spans.length, 6, 'two invocation spans and four opened in them');
    const onset = events.find((e) => e.event.type === 'onset' && e.event.info.type === 'fetch');
    const calleeOnset = events.find((e) => e.event.type === 'onset' && e.event.info.type === 'jsrpc');
    const traceId = onset.spanContext.traceId;
    const root = spans.find((s) => s.spanId === onset.event.spanId);
    assert.ok(root, 'the invocation span has the onset span id');
    assert.equal(root.traceId, traceId, "the invocation is in the platform's trace");
    assert.equal(root.name, 'GET');
    assert.equal(root.kind, 'server');
    assert.equal(root.parentSpanId ?? '', '');
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributes['cloudflare.outcome'], 'ok');
    const opened = events.filter((e) => e.event.type === 'spanOpen');
    for (const open of opened) {
      const span = spans.find((s) => s.spanId === open.event.spanId);
      assert.ok(span, `span ${open.event.name} keeps the platform span id`);
      assert.equal(span.name, open.event.name);
      assert.equal(span.traceId, traceId);
      assert.equal(span.parentSpanId, open.spanContext.spanId, `${span.name} is under the span it was opened in`);
      assert.ok(span.startTime >= root.startTime && span.endTime <= root.endTime, `${span.name} lies within the invocation`);
    }
    assert.deepEqual(opened.map((e) => e.event.name), ['fetch', 'kv_put', 'kv_get', 'jsRpcSession']);
    const kv = spans.find((s) => s.name === 'kv_put');
    assert.equal(kv.kind, 'client');
    assert.equal(kv.attributes['db.system.name'], 'cloudflare-kv');
    assert.equal(kv.attributes['cloudflare.kv.query.keys'], 'k', 'a string attribute stays a string');
    assert.equal(kv.attributes['cloudflare.kv.query.keys.count'], 1, 'an integer the runtime sent as a string is a number');
    const callee = spans.find((s) => s.name === 'jsrpc');
    assert.equal(callee.spanId, calleeOnset.event.spanId);
    assert.equal(callee.traceId, calleeOnset.spanContext.traceId);
    assert.equal(callee.attributes['jsrpc.method'], 'add');
    // Where the platform carried the context across the service binding, the callee invocation
    // joins the caller's tree under the caller's jsRpcSession span; otherwise it is a root.
    const rpcSession = spans.find((s) => s.name === 'jsRpcSession');
    if (calleeOnset.spanContext.spanId) assert.equal(callee.parentSpanId, rpcSession.spanId);
    else assert.equal(callee.parentSpanId ?? '', '');
    await collector.waitFor((c) => c.logs.length >= 1);
    const [log] = collector.logs;
    assert.equal(log.message, 'hello {"a":1}');
    assert.equal(log.traceId, traceId);
    assert.equal(log.spanId, root.spanId);
    const stats = tailStream.stats();
    assert.equal(stats.invocations, 2);
    assert.equal(stats.spans, 4);
    assert.equal(stats.telemetry.exported, 7, 'six spans and the log');
  });
}

test('spans the platform never closed are ended at the outcome, marked and counted; a parent closed before its child keeps the child', async () => {
  const { events } = fixture('unclosed-and-out-of-order');
  const tailStream = handlerFor('otlp-json');
  await replay(tailStream, events);
  await collector.waitFor((c) => c.spans.length >= 4);
  const byName = Object.fromEntries(collector.spans.map((s) => [s.name, s]));
  const outcomeTime = Date.parse(events.find((e) => e.event.type === 'outcome').timestamp);
  assert.equal(byName['render'].attributes['edgescope.tail.unclosed'], true);
  assert.equal(byName['render'].endTime, outcomeTime);
  // 'outer' closed before its child 'inner': both are recorded with their own close times.
  assert.equal(byName['inner'].parentSpanId, byName['outer'].spanId);
  assert.ok(byName['outer'].endTime < byName['inner'].endTime);
  assert.equal(byName['inner'].attributes['edgescope.tail.unclosed'], undefined);
  assert.equal(byName['inner'].status, 'error', 'a span closed with a non-ok outcome is an error');
  const root = collector.spans.find((s) => s.kind === 'server');
  assert.equal(root.status, 'error');
  assert.equal(root.events[0].name, 'exception');
  assert.equal(root.events[0].attributes['exception.type'], 'TypeError');
  const stats = tailStream.stats();
  assert.equal(stats.spansEndedAtOutcome, 1);
  assert.equal(stats.eventsUnmatched, 1, 'the close of a span never opened');
  assert.equal(stats.eventsAfterOutcome, 1);
  assert.equal(stats.droppedByPlatform, 3);
  assert.equal(root.attributes['cloudflare.tail.dropped_events'], 3);
});

test('the span caps bound an invocation: the spans past them are not recorded and are counted', async () => {
  const { events } = fixture('many-spans');
  const tailStream = handlerFor('native', { maxOpenSpans: 3, maxSpans: 5 });
  await replay(tailStream, events);
  await collector.waitFor((c) => c.spans.length >= 5);
  const opened = events.filter((e) => e.event.type === 'spanOpen').length;
  assert.equal(collector.spans.length, 5, 'the invocation span and four children');
  assert.deepEqual(collector.spans.filter((s) => s.kind !== 'server').map((s) => s.name).sort(), ['c1', 'c2', 'c4', 'c5']);
  const stats = tailStream.stats();
  assert.equal(stats.spansRefused, opened - 4);
  const root = collector.spans.find((s) => s.kind === 'server');
  assert.equal(root.attributes['edgescope.tail.spans_refused'], opened - 4);
  assert.equal(stats.eventsUnmatched, 2 * (opened - 4), 'the attributes and close of each refused span');
});

test('invocations whose outcome never arrives are ended, marked and counted past maxLiveInvocations, and later ones still export', async () => {
  const { events } = fixture('fetch-kv-rpc');
  const onset = events.find((e) => e.event.type === 'onset' && e.event.info.type === 'fetch');
  const outcome = events.find((e) => e.event.type === 'outcome' && e.invocationId === onset.invocationId);
  // Four invocations of their own: ids differ in their last hex digits.
  const own = (i, e) => ({ ...structuredClone(e), invocationId: `inv-${i}`, spanContext: { ...e.spanContext, traceId: `${onset.spanContext.traceId.slice(0, 30)}a${i}` }, ...(e.event.type === 'onset' ? { event: { ...structuredClone(e.event), spanId: `${onset.event.spanId.slice(0, 14)}b${i}` } } : {}) });
  const tailStream = handlerFor('otlp-json', { maxLiveInvocations: 2 });
  const flushes = [];
  const ctx = { waitUntil: (p) => flushes.push(p) };
  for (const i of [1, 2, 3]) tailStream(own(i, onset), {}, ctx); // no outcome ever
  const handler = tailStream(own(4, onset), {}, ctx);
  handler(own(4, outcome));
  await Promise.all(flushes);
  await collector.waitFor((c) => c.spans.length >= 3);
  const abandoned = collector.spans.filter((s) => s.attributes['edgescope.tail.abandoned'] === true);
  assert.deepEqual(abandoned.map((s) => s.traceId.slice(-2)).sort(), ['a1', 'a2'], 'the two oldest');
  const complete = collector.spans.find((s) => s.traceId.endsWith('a4'));
  assert.ok(complete, 'a later complete invocation still exports');
  assert.equal(complete.attributes['edgescope.tail.abandoned'], undefined);
  assert.equal(tailStream.stats().invocationsAbandoned, 2);
});

test('an invocation exported while the collector is down arrives later from the offline buffer with the platform ids', async () => {
  const { events } = fixture('fetch-kv-rpc');
  const tailStream = tailStreamHandler({ service: 'watched', exporters: [exporters.http({ url: collector.otlpUrl, format: 'otlp-json', retries: 0 })] });
  const caller = events.filter((e) => e.event.info?.type !== 'jsrpc' && e.invocationId === events[0].invocationId);
  const callee = events.filter((e) => e.invocationId !== events[0].invocationId);
  collector.failAlways(503);
  await replay(tailStream, caller);
  assert.equal(collector.spans.length, 0);
  assert.ok(tailStream.stats().telemetry.buffered > 0, 'the payload was kept');
  collector.recover();
  await replay(tailStream, callee); // its flush replays the backlog first
  await collector.waitFor((c) => c.spans.length >= 6);
  const opened = caller.filter((e) => e.event.type === 'spanOpen');
  for (const open of opened) {
    const span = collector.spans.find((s) => s.spanId === open.event.spanId);
    assert.ok(span, `${open.event.name} arrives with its platform span id`);
    assert.equal(span.traceId, open.spanContext.traceId);
  }
});

test('a handler called with anything but an onset records nothing and says why', async () => {
  const tailStream = handlerFor('native');
  const handler = tailStream({ event: { type: 'log' } }, {}, {});
  handler({ event: { type: 'outcome' } });
  assert.equal(tailStream.stats().onsetsRefused, 1);
  assert.throws(() => tailStreamHandler({ service: 's', exporters: [exporters.console()], streaming: { maxOpenSpans: 0 } }), /streaming\.maxOpenSpans/);
  assert.throws(() => tailStreamHandler({ service: 's', exporters: [exporters.console()], streaming: { maxOpen: 3 } }), /streaming\.maxOpen/);
});
