// Telemetry a WebSocket's event handlers record (a socket accepted in fetch with server.accept())
// belongs to the upgrade's invocation, which closed at the 101: it must be exported without
// waiting for some later request to arrive (README "What happens in each invocation": nothing
// waits for a later request; js/late-records.js), once each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();

async function openSocket(worker) {
  const res = await worker.fetch('/chat', { headers: { upgrade: 'websocket' } });
  assert.equal(res.status, 101);
  const ws = res.webSocket;
  ws.accept();
  const replies = [];
  ws.addEventListener('message', (e) => replies.push(e.data));
  return { ws, replies };
}

test("a WebSocket message's log line and metric are exported with no later request to carry them", async () => {
  const worker = await startWorker({ bundle: await bundleOf('websocket-late-records'), bindings: { COLLECTOR_URL: collector.nativeUrl } });
  try {
    const { ws, replies } = await openSocket(worker);
    await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server'));
    for (const text of ['one', 'two', 'three']) ws.send(text);
    // The socket stays open (a chat client idles); no other request reaches the Worker.
    await collector.waitFor((c) => c.logs.filter((l) => l.message === 'ws message').length === 3);
    for (let waited = 0; replies.length < 3 && waited < 5000; waited += 20) await sleep(20);
    assert.deepEqual(replies, ['echo: one', 'echo: two', 'echo: three']);
    const messages = () => collector.metrics.filter((m) => m.name === 'ws.messages').reduce((sum, m) => sum + m.value, 0);
    await collector.waitFor(() => messages() === 3);
    // Correlated with the upgrade request's trace.
    const server = collector.spans.find((s) => s.kind === 'server');
    for (const line of collector.logs.filter((l) => l.message === 'ws message')) assert.equal(line.traceId, server.traceId);
    ws.close(1000, 'bye');
    await collector.waitFor((c) => c.logs.some((l) => l.message === 'ws closed'));
    await sleep(300);
    // Exactly once: nothing exported twice.
    assert.equal(collector.logs.filter((l) => l.message === 'ws message').length, 3);
    assert.equal(messages(), 3);
  } finally {
    await worker.dispose();
  }
});
