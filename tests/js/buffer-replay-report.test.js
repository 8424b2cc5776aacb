// What buffer.replay() reports (README: { total, succeeded, failed, failures: [{ id, error }] }).
// An entry it drops instead of sending (its envelope is corrupted, or its exporter is no longer
// configured, e.g. after the collector's URL changed) is a failure with its reason: a cron that
// drains the backlog and logs the report must not read "every payload arrived" when none was sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import 'edgescope';
import { OfflineBuffer } from '../../js/buffering/offline-buffer.js';
import { memory } from '../../js/storage/memory-store.js';
import { newEntryKey } from '../../js/buffering/entry-key.js';
import { captureConsole } from './helpers.js';

const LIMITS = { maxEntries: 100, maxBytes: 10_000_000, maxAgeMs: 3_600_000, maxAttempts: 10, replayMaxEntries: 4 };

function exporter(endpoint, sent) {
  return {
    name: 'http',
    format: 'native',
    endpoint,
    send: async (payloads) => {
      sent.push(...payloads);
      return payloads.map(() => ({ ok: true, status: 200 }));
    },
  };
}

test('buffer.replay() does not report a payload it dropped unsent as succeeded', async () => {
  const store = memory();
  const sent = [];
  const before = new OfflineBuffer({ store, limits: LIMITS, replayMaxSubrequests: 5 }, [exporter('https://old.example/ingest', sent)]);
  const body = new TextEncoder().encode('{"batchId":"x"}');
  assert.deepEqual(await before.keep([{ exporter: 0, payload: { signal: 'mixed', records: 3, batchId: 'a'.repeat(32), body } }]), { keptRecords: 3, lostRecords: 0 });
  const damaged = new Uint8Array([1, 2, 3, 4, 5]);
  await store.append([{ key: newEntryKey(Date.now()), meta: { created: Date.now(), bytes: damaged.length, attempts: 0 }, value: damaged }], LIMITS);

  // The next deployment sends to a new URL; its cron drains the backlog.
  const after = new OfflineBuffer({ store, limits: LIMITS, replayMaxSubrequests: 5 }, [exporter('https://new.example/ingest', sent)]);
  let report;
  const lines = await captureConsole('error', async () => {
    report = await after.replay({ maxRetries: 0 });
  });
  assert.equal(lines.length, 2, lines.join('\n')); // each drop is logged (and counted)
  assert.equal(sent.length, 0, 'nothing was sent');
  assert.equal(report.total, 2);
  assert.equal(report.succeeded, 0, `nothing was delivered, yet the report says ${JSON.stringify(report)}`);
  assert.equal(report.failed, 2, JSON.stringify(report));
  assert.deepEqual(report.failures.map((f) => f.error).sort(), [report.failures.find((f) => f.error !== 'exporter no longer configured')?.error, 'exporter no longer configured'].sort());
  assert.ok(report.failures.every((f) => typeof f.id === 'string' && typeof f.error === 'string' && f.error !== ''), JSON.stringify(report));
  assert.equal((await store.status(LIMITS)).entries, 0, 'both entries are removed');
  assert.deepEqual([after.stats().corrupt, after.stats().unknownExporter], [1, 1]);
});
