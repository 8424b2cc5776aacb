// The binding wrappers at their edges: the runtime's own methods of a service binding keep their
// `this` (no "Illegal invocation") and their arguments; a bulk KV getWithMetadata is a hit when a
// key had a value; an env kept past its invocation never puts a later request's calls into the
// first request's trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { sleep, useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'binding-edges', {}, {
  kvNamespaces: ['KV'],
  durableObjects: { ROOM: 'Room' },
  compatibilityFlags: ['service_binding_extra_handlers'],
  miniflare: { name: 'binding-edges', serviceBindings: { SELF: 'binding-edges' } },
});

test("a wrapped service binding's own scheduled() and queue() behave as the runtime's, untraced", async () => {
  collector.clear();
  const body = await (await worker.fetch('/native-methods')).json();
  assert.deepEqual(body.plain, { scheduled: { ok: 'ok' }, queue: { ok: 'ok' } });
  assert.deepEqual(body.wrapped, body.plain);
  await sleep(300);
  assert.deepEqual(collector.spans.filter((s) => s.kind === 'client').map((s) => s.name), []);
});

test('a bulk KV getWithMetadata is one lookup, a hit when any key had a value', async () => {
  collector.clear();
  const body = await (await worker.fetch('/bulk')).json();
  assert.deepEqual(body.values, ['AAAA', 'BB', null]);
  assert.equal(body.facts.lookups, 1);
  assert.equal(body.facts.hits, 1);
  await collector.waitFor((c) => c.spans.some((s) => s.name === 'getWithMetadata KV'));
  assert.equal(collector.spans.find((s) => s.name === 'getWithMetadata KV').attributes['cache.source'], 'kv');
});

test("calls through an env kept past its invocation are not traced into that invocation's trace", async () => {
  collector.clear();
  const first = await (await worker.fetch('/keep')).json();
  await collector.waitFor((c) => c.spans.some((s) => s.name === 'ROOM/ping'));
  const second = await (await worker.fetch('/keep')).json();
  assert.equal(second.pong, 'pong');
  assert.notEqual(first.traceId, second.traceId);
  await collector.waitFor((c) => c.spans.filter((s) => s.kind === 'server').length === 2);
  await sleep(300);
  const pings = collector.spans.filter((s) => s.name === 'ROOM/ping');
  assert.equal(pings.length, 1, 'only the first request, whose env it is, traces the call');
  assert.equal(pings[0].traceId, first.traceId);
});
