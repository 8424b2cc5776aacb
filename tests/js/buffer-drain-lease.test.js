// buffer.replay() against a store that leases what it hands out (stores.memory({ leaseMs })): a
// drain longer than the lease starts no send past half of it, settles what it sent and takes the
// rest again under a fresh lease. So two drains running at once never send one entry twice, an
// entry that failed in a drain is not sent again by it, and maxEntries bounds the whole drain.
// A 40 ms lease and 15 ms sends keep it fast; the workerd tests (tests/workerd/
// buffer-drain-lease.test.js) check the same with the Durable Object.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import 'edgescope';
import { OfflineBuffer } from '../../js/buffering/offline-buffer.js';
import { memory } from '../../js/storage/memory-store.js';
import { captureConsole } from './helpers.js';

const LIMITS = { maxEntries: 100, maxBytes: 10_000_000, maxAgeMs: 3_600_000, maxAttempts: 10, replayMaxEntries: 4 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// An exporter that takes `delayMs` per payload, records each batch id it was given, and fails
// (HTTP 500) the batch ids in `failing`.
function slowExporter(sent, { delayMs = 15, failing = new Set() } = {}) {
  return {
    name: 'http',
    format: 'native',
    endpoint: 'https://collector.example/ingest',
    send: async (payloads) => {
      await sleep(delayMs);
      sent.push(...payloads.map((p) => p.batchId));
      return payloads.map((p) => (failing.has(p.batchId) ? { ok: false, status: 500, cause: 'status', error: 'HTTP 500' } : { ok: true, status: 200 }));
    },
  };
}

const batchId = (i) => (i + 1).toString(16).padStart(32, '0'); // all zeros is no batch id

async function filled(store, exporter, count) {
  const buffer = new OfflineBuffer({ store, limits: LIMITS, replayMaxSubrequests: 5 }, [exporter]);
  const body = new TextEncoder().encode('{}');
  const start = Date.now() - 1000;
  const items = Array.from({ length: count }, (_, i) => ({ exporter: 0, payload: { signal: 'mixed', records: 1, batchId: batchId(i), body }, created: start + i }));
  for (const item of items) assert.deepEqual(await buffer.keep([item], Date.now()), { keptRecords: 1, lostRecords: 0 });
  return buffer;
}

test('two drains at once, each longer than the lease: every entry is sent once, and the reports add up', async () => {
  const store = memory({ leaseMs: 40 });
  const sent = [];
  const a = await filled(store, slowExporter(sent), 12);
  const b = new OfflineBuffer({ store, limits: LIMITS, replayMaxSubrequests: 5 }, [slowExporter(sent)]);
  const first = a.replay();
  await sleep(50); // past the first take's lease
  const [one, two] = await Promise.all([first, b.replay()]);
  assert.deepEqual([...sent].sort(), Array.from({ length: 12 }, (_, i) => batchId(i)), `sent: ${sent.length}, first ${JSON.stringify(one)}, second ${JSON.stringify(two)}`);
  assert.equal(one.succeeded + two.succeeded, 12);
  assert.equal(one.total + two.total, 12);
  assert.equal((await store.status(LIMITS)).entries, 0);
});

test('a drain cut by the lease does not send an entry that failed in it again, and keeps to maxEntries', async () => {
  const store = memory({ leaseMs: 40 });
  const sent = [];
  const buffer = await filled(store, slowExporter(sent, { failing: new Set([batchId(1)]) }), 10);
  const report = await buffer.replay({ maxEntries: 8 });
  assert.deepEqual(sent, Array.from({ length: 8 }, (_, i) => batchId(i)), 'the 8 oldest, each once, oldest first');
  assert.deepEqual([report.total, report.succeeded, report.failed], [8, 7, 1], JSON.stringify(report));
  assert.equal(report.failures[0].error, 'HTTP 500');
  // The failed entry (one attempt more) and the two past maxEntries stay.
  const status = await store.status(LIMITS);
  assert.equal(status.entries, 3);
  const again = [];
  const next = new OfflineBuffer({ store, limits: LIMITS, replayMaxSubrequests: 5 }, [slowExporter(again, { delayMs: 0 })]);
  await captureConsole('error', () => next.replay());
  assert.deepEqual(again, [batchId(1), batchId(8), batchId(9)], 'the rest, in order, once');
});
