// Low traffic loses nothing: single requests with idle gaps, in one long-lived isolate and in a
// new isolate per request, for several batch sizes and sampling rates. Every metric, every log
// and every sampled span must reach the collector; counts are exact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { bundleOf, isSampled, sleep } from './helpers.js';

const SPANS_PER_REQUEST = 3; // root, "load", "db.query" (tests/workerd/workers/basic.js)

let collector;
before(async () => {
  collector = await startCollector();
});
after(() => collector.close());

function bindings(maxBatchSize, sampleRate) {
  return {
    COLLECTOR_URL: collector.nativeUrl,
    SAMPLE_RATE: String(sampleRate),
    ...(maxBatchSize ? { MAX_BATCH_SIZE: String(maxBatchSize) } : {}),
  };
}

// What must have arrived after `requests` requests: one log and one metric point per request,
// and all spans of every sampled trace (the trace ids come from the logs, which are correlated
// even when the trace is not sampled).
function expected(requests, sampleRate) {
  const traceIds = collector.logs.map((l) => l.traceId);
  const sampled = traceIds.filter((id) => isSampled(id, sampleRate));
  return { logs: requests, metrics: requests, spans: sampled.length * SPANS_PER_REQUEST, sampled };
}

async function awaitExact(requests, sampleRate) {
  await collector.waitFor(
    (c) => c.logs.length === requests && c.metrics.length === requests && c.spans.length === expected(requests, sampleRate).spans,
    { timeoutMs: 10000 },
  );
}

function assertExact(requests, sampleRate, maxBatchSize) {
  const want = expected(requests, sampleRate);
  assert.equal(collector.logs.length, want.logs, 'logs');
  assert.equal(collector.metrics.length, want.metrics, 'metric points');
  assert.equal(collector.metrics.reduce((sum, m) => sum + m.value, 0), requests, 'counter total');
  assert.equal(collector.spans.length, want.spans, 'spans');
  const spanTraces = new Set(collector.spans.map((s) => s.traceId));
  assert.deepEqual([...spanTraces].sort(), [...new Set(want.sampled)].sort(), 'exactly the sampled traces have spans');
  assert.equal(new Set(collector.logs.map((l) => l.traceId)).size, requests, 'one trace per request');
  assert.equal(collector.rejected.length, 0);
  if (maxBatchSize) for (const p of collector.payloads) assert.ok(p.records <= maxBatchSize);
}

for (const maxBatchSize of [1, 100, undefined]) {
  for (const sampleRate of [0.2, 1.0]) {
    const label = `maxBatchSize ${maxBatchSize ?? 'unset'}, sampling ${sampleRate}`;

    test(`one isolate, idle gaps between single requests: nothing lost (${label})`, async () => {
      collector.clear();
      const worker = await startWorker({ bundle: await bundleOf('basic'), bindings: bindings(maxBatchSize, sampleRate) });
      const requests = 8;
      try {
        for (let i = 0; i < requests; i++) {
          const res = await worker.fetch(`/r${i}`);
          assert.equal(await res.text(), `hello from /r${i}`);
          await awaitExact(i + 1, sampleRate);
          await sleep(150); // idle: nothing may be waiting for a later request or a timer
        }
      } finally {
        await worker.dispose();
      }
      assertExact(requests, sampleRate, maxBatchSize);
    });

    test(`a new isolate for every request: nothing lost (${label})`, async () => {
      collector.clear();
      const requests = 4;
      for (let i = 0; i < requests; i++) {
        const worker = await startWorker({ bundle: await bundleOf('basic'), bindings: bindings(maxBatchSize, sampleRate) });
        try {
          const res = await worker.fetch(`/fresh${i}`);
          assert.equal(res.status, 200);
          await res.arrayBuffer();
          await awaitExact(i + 1, sampleRate);
        } finally {
          await worker.dispose();
        }
      }
      await sleep(200); // anything extra would show up now
      assertExact(requests, sampleRate, maxBatchSize);
    });
  }
}
