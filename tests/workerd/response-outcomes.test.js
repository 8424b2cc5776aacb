// Responses without a body to watch are finalized at once, with an outcome that says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'response-kinds');
const root = () => collector.spans.find((s) => s.kind === 'server');

test('a null body (204) reaches the client unchanged and is recorded as no-body at once', async () => {
  const res = await worker.fetch('/null-body');
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('x-kind'), 'null');
  assert.equal(res.body, null);
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(root().attributes['edgescope.response.outcome'], 'no-body');
  assert.equal(root().attributes['http.response.status_code'], 204);
});

test('a WebSocket upgrade keeps working through the instrumented Worker and is recorded as upgrade', async () => {
  const res = await worker.fetch('/upgrade', { headers: { Upgrade: 'websocket' } });
  assert.equal(res.status, 101);
  const ws = res.webSocket;
  assert.ok(ws, 'the 101 response carries the WebSocket');
  ws.accept();
  const reply = new Promise((resolve) => ws.addEventListener('message', (e) => resolve(e.data)));
  ws.send('hi');
  assert.equal(await reply, 'echo hi');
  ws.close();
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(root().attributes['edgescope.response.outcome'], 'upgrade');
});

test('a handler returning something that is not a Response gets the same runtime error and is recorded as invalid-response', async () => {
  const res = await worker.fetch('/invalid');
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(root().attributes['edgescope.response.outcome'], 'invalid-response');
});
