// A payload the buffer's store failed to write is lost, and counted and logged as lost: KV's put()
// throws past its limits (429 for writing one key too often, or the Free plan's 1,000 writes a
// day). The KV store reports such a write in `failures`, neither stored nor refused; the buffer
// keeps only what the store reports stored, so the export pipeline counts the records failed (not
// buffered), stats().buffer.unwritten counts the payload, and expectNothingDropped fails on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import 'edgescope';
import { OfflineBuffer } from '../../js/buffering/offline-buffer.js';
import { kv } from '../../js/storage/kv-store.js';
import { captureConsole } from './helpers.js';

const LIMITS = { maxEntries: 100, maxBytes: 10_000_000, maxAgeMs: 3_600_000, maxAttempts: 10, replayMaxEntries: 4 };

// A KV namespace that lists and reads fine but refuses every write, as KV does past its limits.
function refusingKv() {
  return {
    async get() {
      return null;
    },
    async getWithMetadata() {
      return { value: null, metadata: null };
    },
    async put() {
      throw new Error('KV PUT failed: 429 Too Many Requests');
    },
    async delete() {},
    async list() {
      return { keys: [], list_complete: true };
    },
  };
}

test('kv buffer store: a payload KV refused to write is counted lost (unwritten), not kept', async () => {
  const exporter = { name: 'http', format: 'native', endpoint: 'https://collector.example/ingest', send: async (p) => p.map(() => ({ ok: false, cause: 'network' })) };
  const buffer = new OfflineBuffer({ store: kv(refusingKv()), limits: LIMITS, replayMaxSubrequests: 5 }, [exporter]);
  const body = new TextEncoder().encode('{"batchId":"x"}');
  let result;
  const lines = await captureConsole('error', async () => {
    result = await buffer.keep([{ exporter: 0, payload: { signal: 'mixed', records: 3, batchId: 'a'.repeat(32), body } }]);
  });
  assert.ok(lines.some((l) => /429/.test(l)), lines.join('\n')); // the failure is logged
  assert.deepEqual(result, { keptRecords: 0, lostRecords: 3 }, `KV stored nothing, yet keep() answered ${JSON.stringify(result)}`);
  const stats = buffer.stats();
  assert.equal(stats.stored, 0, JSON.stringify(stats));
  assert.equal(stats.unwritten, 1, JSON.stringify(stats));
});

test('kv buffer store: with KV refusing writes, stats() counts the records failed and expectNothingDropped fails', async () => {
  const { createTelemetry, exporters, stores } = await import('edgescope');
  const { expectNothingDropped } = await import('edgescope/testing');
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(503).end('down');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const t = createTelemetry({
      service: 'svc',
      exporter: exporters.http({ url: `http://127.0.0.1:${server.address().port}/ingest`, retries: 0 }),
      buffer: { store: stores.kv(refusingKv()) },
    });
    t.log.info('hello');
    await captureConsole('error', () => t.flush());
    const stats = t.stats();
    assert.equal(stats.buffered, 0, `nothing is in the buffer, yet stats().buffered = ${stats.buffered}`);
    assert.equal(stats.buffer.unwritten, 1, JSON.stringify(stats.buffer));
    assert.throws(() => expectNothingDropped(stats), /telemetry was lost: .*buffer\.unwritten = 1/);
    // Allowing the pipeline's count alone does not hide the buffer's loss.
    assert.throws(() => expectNothingDropped(stats, { allow: ['failed'] }), /telemetry was lost: buffer\.unwritten = 1/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
