// Exactly once under the lease. README "When the collector is down": "The Durable Object leases
// the entries it hands out, so two isolates never replay the same one." buffer.replay() (the cron
// drain) used to take up to maxEntries entries under one lease and settle them after the last send:
// a drain that outlasts the lease (30 s by default; 500 entries to a slow collector do) had every
// entry it already delivered handed out, and sent, again by the next replay. Here the lease is
// 600 ms (stores.*({ leaseMs })) so the drain of 8 payloads at 150 ms each outlasts it in 1.2 s,
// and a second drain starts 900 ms in. Both stores that lease are checked.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { bundleOf, sleep } from './helpers.js';

// A collector that fails (500) or accepts slowly, and records each batch id it accepted.
async function slowCollector(delayMs) {
  const state = { mode: 'fail', accepted: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      if (state.mode === 'fail') {
        res.writeHead(500).end('down');
        return;
      }
      await sleep(delayMs);
      state.accepted.push(req.headers['idempotency-key']);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${server.address().port}/ingest`;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

// Fills the buffer with `entries` payloads while the collector fails, then makes it slow and runs
// a drain, and a second one `secondAfterMs` later; returns the batch ids accepted twice.
async function drainTwice({ store, leaseMs, entries, delayMs, secondAfterMs }) {
  const collector = await slowCollector(delayMs);
  const worker = await startWorker({
    bundle: await bundleOf('buffer-drain-lease'),
    bindings: { COLLECTOR_URL: collector.url, STORE: store, LEASE_MS: String(leaseMs) },
    durableObjects: { BUFFER_DO: 'EdgescopeState' },
  });
  try {
    for (let seq = 0; seq < entries; seq++) assert.equal((await worker.fetch(`/?seq=${seq}`)).status, 200);
    for (let i = 0; i < 40 && (await (await worker.fetch('/__status')).json()).entries < entries; i++) await sleep(50);
    assert.equal((await (await worker.fetch('/__status')).json()).entries, entries);
    collector.mode = 'slow';
    const first = worker.fetch('/__replay').then((r) => r.json());
    await sleep(secondAfterMs);
    const second = await (await worker.fetch('/__replay')).json();
    const drained = await first;
    const keys = collector.accepted;
    const status = await (await worker.fetch('/__status')).json();
    return { duplicates: keys.filter((k, i) => keys.indexOf(k) !== i), accepted: new Set(keys).size, drained, second, status };
  } finally {
    await worker.dispose();
    await collector.close();
  }
}

for (const store of ['durable-object', 'memory']) {
  test(`${store} buffer: a replay() that outlasts the lease does not let a second replay send what it already delivered`, async () => {
    const { duplicates, accepted, drained, second, status } = await drainTwice({ store, leaseMs: 600, entries: 8, delayMs: 150, secondAfterMs: 900 });
    const reports = `first replay ${JSON.stringify(drained)}, second ${JSON.stringify(second)}`;
    assert.deepEqual(duplicates, [], `batch ids delivered more than once: ${duplicates.length} (${reports})`);
    // Every entry arrived, once, and the two reports account for each of them once.
    assert.equal(accepted, 8, reports);
    assert.equal(status.entries, 0, reports);
    assert.equal(drained.succeeded + second.succeeded, 8, reports);
    assert.equal(drained.failed + second.failed, 0, reports);
  });
}
