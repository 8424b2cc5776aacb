// Queries and the SLO read never count a point twice nor lose one when the cron commits while
// they read, in workerd against Miniflare's D1: a db wrapper runs a whole cron run between two of
// the reader's D1 batches, and the answer equals the one read without it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { scanRows } from '../../js/collector/query/series.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { countWindows } from '../../js/collector/slo/read.js';
import { readCursors } from '../../js/collector/storage/rollups.js';
import { ingestPayload, metricsPayload, startCollectorWith } from './collector-helpers.js';

const TOKEN = 'consistency-token-0123456789';
const MIN = 60_000;
const HOUR = 3_600_000;
const settings = validateCollectorConfig({
  tokens: [{ name: 'test', token: TOKEN }],
  slos: [
    { name: 'checkout-availability', service: 'shop', kind: 'availability', objective: 0.99 },
    { name: 'checkout-latency', service: 'shop', kind: 'latency', thresholdMs: 200, objective: 0.99 },
  ],
});
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: TOKEN } });
});
after(() => collector?.worker.dispose());

const payload = metricsPayload;
const ingest = (doc) => ingestPayload(collector.worker, TOKEN, doc);

// collector.db, with a whole cron run committed just before its batch number `at` (1-based).
function cronBefore(at, now) {
  const db = collector.db;
  let calls = 0;
  const wrapper = {
    ran: null,
    prepare: (sql) => db.prepare(sql),
    async batch(statements) {
      calls += 1;
      if (calls === at) wrapper.ran = await runScheduled(db, settings, now);
      return db.batch(statements);
    },
  };
  return wrapper;
}

const WINDOW = 24 * HOUR;
async function counterTotal(db, now) {
  let total = 0;
  const from = Math.floor((now - WINDOW) / MIN) * MIN;
  await scanRows(db, { names: ['orders'], service: 'shop', from, to: now, ms: WINDOW }, (row) => {
    total += row.value;
  });
  return total;
}

test('a query reading while the cron rolls points up counts each point once: read raw in slices read before, from rollups in slices read after', async () => {
  const now = Date.now();
  // One point rolled up already, one in the window's first hours (read by the first slice
  // batch), one in its last minutes (read by the last).
  await ingest(await payload(now - 10 * HOUR, (m) => m.increment('orders', 1, {})));
  await runScheduled(collector.db, settings, now);
  await ingest(await payload(now - 23 * HOUR, (m) => m.increment('orders', 10, {})));
  await ingest(await payload(now - 2 * MIN, (m) => m.increment('orders', 100, {})));
  const before = await readCursors(collector.db);
  assert.equal(await counterTotal(collector.db, now), 111);

  // Batch 1: the cursors and the raw points; 2: the first 8 hour slices; 3, 4: the rest.
  const wrapped = cronBefore(3, now);
  assert.equal(await counterTotal(wrapped, now), 111);
  assert.equal(wrapped.ran.minutes.points, 2, 'the cron committed in the middle of the read');
  assert.ok((await readCursors(collector.db)).minute > before.minute);
  assert.equal(await counterTotal(collector.db, now), 111, 'and after it, from rollups alone');
});

test('the SLO read restarts when the cron commits between planning it and reading: the counts equal those of a quiet read', async () => {
  const now = Math.floor(Date.now() / MIN) * MIN;
  for (const [status, n] of [[200, 9], [503, 1]]) {
    await ingest(await payload(now - 3 * MIN, (m) => { for (let i = 0; i < n; i++) m.histogram('http.server.request.duration', 0.05, { 'http.response.status_code': status }, { unit: 's' }); }));
  }
  const quiet = await countWindows(collector.db, settings.slos, now);
  assert.deepEqual(quiet.get('checkout-availability')['5m'], { good: 9, total: 10 });
  assert.deepEqual(quiet.get('checkout-latency')['5m'], { good: 10, total: 10 });
  assert.deepEqual(quiet.get('checkout-latency').compliance, { good: 10, total: 10 });

  const wrapped = cronBefore(1, now);
  const raced = await countWindows(wrapped, settings.slos, now);
  assert.ok(wrapped.ran.minutes.points >= 2, 'the cron rolled the request points in the middle of the read');
  assert.deepEqual(raced, quiet);
});
