// The example collector (examples/collector: its wrangler.jsonc, its entry, its migration) receives
// what an instrumented Worker sends over real loopback HTTP (native format, gzip, bearer token),
// and D1 ends up holding exactly the records the requests made.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { applyMigrations } from './collector-helpers.js';
import { bundleOf, sleep } from './helpers.js';

const TOKEN = 'e2e-token-0123456789';
const CONFIG = fileURLToPath(new URL('../../examples/collector/wrangler.jsonc', import.meta.url));

let collector;
let db;
let app;
before(async () => {
  collector = await startWorker({ config: CONFIG, bindings: { INGEST_TOKEN: TOKEN } });
  db = await collector.mf.getD1Database('DB');
  // Every committed migration, as `wrangler d1 migrations apply` runs them.
  await applyMigrations(db);
  app = await startWorker({ bundle: await bundleOf('collector-sender'), bindings: { COLLECTOR_URL: `${collector.url}/api/observe/ingest`, TOKEN } });
});
after(async () => {
  await app?.dispose();
  await collector?.dispose();
});

const count = async (table, where = '') => (await db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).first()).n;

test('five requests to an instrumented Worker land in the example collector as 15 spans, 5 logs and 5 counter points', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await app.fetch(`/item/${i}`)).status, 200);
  // Each request's flush runs in waitUntil after the response: wait for the rows (bounded).
  for (let i = 0; i < 100 && (await count('logs')) < 5; i++) await sleep(50);
  assert.equal(await count('spans'), 15);
  assert.equal(await count('spans', "WHERE name = 'db.query'"), 5);
  assert.equal(await count('logs', "WHERE message = 'handled' AND service = 'sender'"), 5);
  assert.equal(await count('metric_points', "WHERE name = 'app.requests'"), 5);
  // Every stored record belongs to a stored batch.
  assert.equal(await count('spans', 'WHERE batch_id NOT IN (SELECT batch_id FROM batches)'), 0);
  const stats = await (await app.fetch('/__stats')).json();
  // The sender saw every payload acknowledged: 25 records delivered, none failed or rejected.
  assert.deepEqual({ exported: stats.exported, failed: stats.failed, rejected: stats.rejected, payloadsFailed: stats.payloadsFailed }, { exported: 25, failed: 0, rejected: 0, payloadsFailed: 0 }, JSON.stringify(stats));
});
