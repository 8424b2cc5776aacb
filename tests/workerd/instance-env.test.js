// A Durable Object's this.env: its bindings are traced under the invocation that uses them when
// only one invocation of the object is running, and left untraced (counted) while several overlap,
// since which one made the call cannot be told without async context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { sleep, useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'instance-env', {}, { durableObjects: { STORE: 'Store' }, kvNamespaces: ['KV'] });

test("a binding used through a Durable Object's this.env is a client span under that invocation's server span, in the caller's trace", async () => {
  collector.clear();
  const res = await worker.fetch('/read');
  assert.deepEqual(await res.json(), { value: 'v' });
  await collector.waitFor((c) => c.spans.some((s) => s.name === 'StoreImpl/read') && c.spans.filter((s) => s.name === 'get KV').length === 1);
  const server = collector.spans.find((s) => s.name === 'StoreImpl/read');
  const client = collector.spans.find((s) => s.name === 'STORE/read');
  const kv = collector.spans.find((s) => s.name === 'get KV');
  assert.equal(server.parentSpanId, client.spanId);
  assert.equal(kv.parentSpanId, server.spanId);
  assert.equal(kv.traceId, client.traceId);
  assert.equal(kv.kind, 'client');
  assert.equal(kv.attributes['cloudflare.binding.name'], 'KV');
});

test('one wrapper per invocation: this.env.KV is the same object twice in one call', async () => {
  const res = await worker.fetch('/same');
  assert.deepEqual(await res.json(), { same: true });
});

test('while two invocations of one object overlap, this.env bindings are the runtime own, untraced and counted', async () => {
  collector.clear();
  const res = await worker.fetch('/overlap');
  const body = await res.json();
  assert.deepEqual(body.values, ['v', 'v']);
  assert.equal(body.unattributed, 2);
  await collector.waitFor((c) => c.spans.filter((s) => s.name === 'StoreImpl/slowRead').length === 2);
  await sleep(200);
  // The caller's own KV put is traced; no KV read was put under either overlapping invocation.
  assert.equal(collector.spans.filter((s) => s.name === 'get KV').length, 0);
});
