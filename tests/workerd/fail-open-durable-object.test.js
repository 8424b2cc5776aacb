// A config that fails (README "Telemetry fails open"): scopeOf() returns a scope that records
// nothing, and code written as the README advises must keep working with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf } from './helpers.js';

const collector = useCollector();

test("a Durable Object that hands work to scope.ctx.waitUntil still answers when the config fails", async () => {
  const output = [];
  const worker = await startWorker({
    bundle: await bundleOf('fail-open-durable-object'),
    bindings: {},
    durableObjects: { COUNTER: 'Counter' },
    onOutput: (l) => output.push(l),
  });
  try {
    const res = await worker.fetch('/');
    assert.equal(await res.text(), '2', output.join('\n'));
    assert.equal(res.status, 200);
  } finally {
    await worker.dispose();
  }
});

test('the same Durable Object with COLLECTOR_URL set answers and exports its RPC span', async () => {
  const worker = await startWorker({
    bundle: await bundleOf('fail-open-durable-object'),
    bindings: { COLLECTOR_URL: collector.nativeUrl },
    durableObjects: { COUNTER: 'Counter' },
  });
  try {
    const res = await worker.fetch('/');
    assert.equal(await res.text(), '2');
    await collector.waitFor((c) => c.spans.some((s) => s.name === 'CounterImpl/increment'));
  } finally {
    await worker.dispose();
  }
});
