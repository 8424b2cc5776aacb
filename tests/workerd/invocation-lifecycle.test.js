// An invocation exports everything it produced, including what the handler handed to
// ctx.waitUntil, keeps traces as trees, and records failures as failures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { sleep, useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'lifecycle');
const root = (c) => c.spans.find((s) => s.kind === 'server');

test('a span and a log written in ctx.waitUntil after the response are exported by that invocation, not cut off', async () => {
  const res = await worker.fetch('/background');
  assert.equal(res.status, 202);
  await res.text();
  await collector.waitFor((c) => c.spans.length === 2 && c.logs.length === 1, { timeoutMs: 5000 });
  const background = collector.spans.find((s) => s.name === 'background');
  assert.equal(background.attributes['late.attribute'], 'set after the response');
  assert.equal(background.attributes['edgescope.span.unended'], undefined);
  assert.ok(background.endTime - background.startTime >= 100, `background span lasted ${background.endTime - background.startTime} ms`);
  assert.equal(background.traceId, root(collector).traceId);
  assert.equal(collector.logs[0].traceId, root(collector).traceId);
});

test('a child started after its parent ended stays in the same trace under that parent', async () => {
  await (await worker.fetch('/child-of-ended')).text();
  await collector.waitFor((c) => c.spans.length === 3, { timeoutMs: 5000 });
  const parent = collector.spans.find((s) => s.name === 'parent');
  const child = collector.spans.find((s) => s.name === 'late-child');
  assert.equal(child.traceId, parent.traceId);
  assert.equal(child.parentSpanId, parent.spanId);
  assert.equal(parent.parentSpanId, root(collector).spanId);
});

test('a span user code forgot is ended when the invocation closes, and marked', async () => {
  await (await worker.fetch('/forgotten')).text();
  await collector.waitFor((c) => c.spans.length === 2, { timeoutMs: 5000 });
  const forgotten = collector.spans.find((s) => s.name === 'never-ended');
  assert.equal(forgotten.attributes['edgescope.span.unended'], true);
  assert.equal(forgotten.parentSpanId, root(collector).spanId);
});

test("a span of another Telemetry instance as parent carries its context: the child joins that span's trace", async () => {
  await (await worker.fetch('/foreign-parent')).text();
  await collector.waitFor((c) => c.spans.length === 3, { timeoutMs: 5000 });
  const foreign = collector.spans.find((s) => s.name === 'foreign-root');
  const child = collector.spans.find((s) => s.name === 'child-of-foreign');
  assert.equal(child.traceId, foreign.traceId);
  assert.equal(child.parentSpanId, foreign.spanId);
});

test('concurrent requests in one isolate each export their own root span and log, none lost or duplicated', async () => {
  const ids = Array.from({ length: 8 }, (_, i) => String(i));
  const bodies = await Promise.all(ids.map((id, i) => worker.fetch(`/slow?id=${id}&ms=${50 + ((i * 37) % 120)}`).then((r) => r.text())));
  assert.deepEqual(bodies, ids);
  await collector.waitFor((c) => c.spans.length === 8 && c.logs.length === 8, { timeoutMs: 5000 });
  await sleep(200);
  assert.equal(collector.spans.length, 8);
  assert.equal(new Set(collector.spans.map((s) => s.traceId)).size, 8);
  assert.deepEqual(collector.logs.map((l) => l.attributes.id).sort(), ids.sort());
  for (const log of collector.logs) assert.ok(collector.spans.some((s) => s.traceId === log.traceId));
});

test("a user's Ok status is final: a 5xx response does not override it", async () => {
  const res = await worker.fetch('/status-ok-500');
  assert.equal(res.status, 503);
  await res.text();
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(root(collector).status, 'ok');
  assert.equal(root(collector).attributes['http.response.status_code'], 503);
});

test('scheduled and queue handlers that throw are recorded as threw, with the exception', async () => {
  await worker.scheduled('throw').catch(() => {});
  await worker.queue('throw', [{ id: 'a', timestamp: new Date(), body: 'x', attempts: 1 }]).catch(() => {});
  await collector.waitFor((c) => c.spans.length === 2, { timeoutMs: 5000 });
  for (const span of collector.spans) {
    assert.equal(span.attributes['edgescope.response.outcome'], 'threw', span.name);
    assert.equal(span.status, 'error');
    assert.ok(span.events.some((e) => e.name === 'exception'));
  }
});

test('the invocation count returns to zero and nothing is left pending after requests of every kind', async () => {
  for (const path of ['/background', '/child-of-ended', '/forgotten', '/status-ok-500']) await (await worker.fetch(path)).text();
  await sleep(600);
  const stats = await (await worker.fetch('/stats')).json();
  assert.equal(stats.failed, 0);
  assert.deepEqual(stats.internalFailures, {});
});

test('by default the client address and request headers are not recorded', async () => {
  const res = await worker.fetch('/status-ok-500', {
    headers: { 'cf-connecting-ip': '203.0.113.9', authorization: 'Bearer abcdefghijklmnop123', cookie: 'sid=secret-session' },
  });
  await res.text();
  await collector.waitFor((c) => c.spans.length === 1);
  const attributes = root(collector).attributes;
  assert.equal(attributes['client.address'], undefined);
  assert.deepEqual(Object.keys(attributes).filter((k) => k.startsWith('http.request.header.')), []);
  const text = JSON.stringify(collector.spans);
  for (const secret of ['203.0.113.9', 'abcdefghijklmnop123', 'secret-session']) assert.ok(!text.includes(secret), secret);
});
