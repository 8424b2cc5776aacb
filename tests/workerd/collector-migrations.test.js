// The committed migrations applied to Miniflare's real D1 in order, as `wrangler d1 migrations
// apply` does: every table and index exists, a second apply runs nothing, and the constraints the
// other parts of the collector rely on hold (one firing alert per key, rollup keys unique).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyMigrations, startCollectorWith } from './collector-helpers.js';

let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: 'token-0123456789' } });
});
after(() => collector?.worker.dispose());

const names = async (type) => (await collector.db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name`).bind(type).all()).results.map((r) => r.name);

test('both migrations are applied once, recorded by name, and a second apply runs nothing', async () => {
  const applied = (await collector.db.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).results.map((r) => r.name);
  assert.deepEqual(applied, ['0001_init.sql', '0002_rollups.sql']);
  assert.deepEqual(await applyMigrations(collector.db), []);
});

test('the tables and indexes of both migrations exist in D1', async () => {
  const tables = await names('table');
  for (const t of ['batches', 'spans', 'metric_points', 'logs', 'rollups', 'rollup_cursor', 'errors', 'error_minutes', 'alerts']) assert.ok(tables.includes(t), t);
  assert.deepEqual(
    (await names('index')).filter((n) => !n.startsWith('sqlite_autoindex')),
    ['alerts_firing_key', 'error_minutes_bucket', 'logs_service_time', 'logs_trace_id', 'metric_points_time', 'rollups_resolution_bucket', 'spans_service_start', 'spans_trace_id'],
  );
});

test('a second firing alert for one key is refused; a resolved one beside it is not', async () => {
  const insert = (id, state) =>
    collector.db.prepare("INSERT INTO alerts (id, key, kind, name, severity, state, fired_at, details) VALUES (?, 'slo:checkout:page', 'slo', 'checkout', 'page', ?, 1, '{}')").bind(id, state).run();
  await insert('a1', 'firing');
  await insert('a0', 'resolved');
  await assert.rejects(insert('a2', 'firing'), /UNIQUE constraint failed: alerts\.key/);
  await collector.db.prepare("UPDATE alerts SET state = 'resolved' WHERE id = 'a1'").run();
  await insert('a2', 'firing');
  assert.equal((await collector.db.prepare('SELECT count(*) AS n FROM alerts').first()).n, 3);
});

test('a rollup row is unique per service, name, resolution, bucket and series, and resolution is 60 or 3600', async () => {
  const insert = (resolution, series) =>
    collector.db.prepare("INSERT INTO rollups (service, name, resolution, bucket, series, type, value, points) VALUES ('shop', 'hits', ?, 0, ?, 'counter', 1, 1)").bind(resolution, series).run();
  await insert(60, '{}');
  await insert(3600, '{}');
  await insert(60, '{"route":"/a"}');
  await assert.rejects(insert(60, '{}'), /UNIQUE constraint failed/);
  await assert.rejects(insert(300, '{}'), /CHECK constraint failed/);
});
