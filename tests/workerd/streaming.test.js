// Telemetry recorded while a body streams is exported after the body is delivered, and a client
// that goes away mid-stream still produces the export.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
// enable_request_signal: workerd 1.20260619.1 and later no longer cancel a response stream when
// the client leaves (cloudflare/workerd#6832); request.signal still says so, and the body watcher
// listens to it. Without the flag, on such a runtime, a stream runs to its end.
const worker = useWorker(collector, 'streaming', {}, { compatibilityFlags: ['enable_request_signal'] });

const root = () => collector.spans.find((s) => s.kind === 'server');

test('spans, metrics and logs recorded while the body streams all arrive', async () => {
  const res = await worker.fetch('/?chunks=5&delay=10');
  assert.equal(await res.text(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  await collector.waitFor((c) => c.spans.length === 6 && c.logs.length === 6);
  assert.equal(collector.spans.filter((s) => s.name === 'chunk').length, 5);
  assert.deepEqual(collector.metrics.map((m) => [m.name, m.value]), [['chunks.sent', 5]]);
  assert.equal(collector.logs.at(-1).message, 'stream done');
  assert.equal(root().attributes['edgescope.response.outcome'], 'complete');
  assert.equal(root().attributes['http.response.status_code'], 200);
  // The root span ends after the last chunk was produced, not when the handler returned.
  const lastChunk = Math.max(...collector.spans.filter((s) => s.name === 'chunk').map((s) => s.endTime));
  assert.ok(root().endTime >= lastChunk);
  // Every chunk span is a child of the root.
  for (const span of collector.spans) if (span !== root()) assert.equal(span.parentSpanId, root().spanId);
});

test('a client that cancels mid-stream still produces the export', async () => {
  await new Promise((resolve, reject) => {
    const req = http.get(`${worker.url}/?chunks=1000&delay=20`, (res) => {
      res.once('data', () => {
        req.destroy(); // the client goes away after the first chunk
        resolve();
      });
    });
    req.on('error', (error) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
  });
  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server'), { timeoutMs: 10000 });
  assert.equal(root().attributes['edgescope.response.outcome'], 'cancelled');
  const chunkLogs = collector.logs.filter((l) => l.message === 'chunk').length;
  assert.ok(chunkLogs >= 1 && chunkLogs < 1000, `chunk logs: ${chunkLogs}`);
  // What was recorded before the cancel is all there, and consistent.
  assert.equal(collector.spans.filter((s) => s.name === 'chunk').length, chunkLogs);
  assert.equal(collector.metrics[0].value, chunkLogs);
});

test("a failure of the handler's own stream is recorded as an error outcome, with what came before", async () => {
  const res = await worker.fetch('/?chunks=10&fail=2');
  await res.text().catch(() => {}); // the runtime truncates or aborts the body: either is fine here
  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server'));
  assert.equal(root().attributes['edgescope.response.outcome'], 'error');
  assert.equal(root().events[0].name, 'exception');
  // This request's own chunk logs (an earlier test's telemetry may still be arriving).
  assert.equal(collector.logs.filter((l) => l.message === 'chunk' && l.traceId === root().traceId).length, 2);
});

test('an empty stream is recorded as complete', async () => {
  const res = await worker.fetch('/?chunks=0');
  assert.equal(await res.text(), '');
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(root().attributes['edgescope.response.outcome'], 'complete');
});
