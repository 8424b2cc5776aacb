// The committed migrations applied to Miniflare's real D1 in order, as `wrangler d1 migrations
// apply` does: every table and index exists, a second apply runs nothing, and the constraints the
// other parts of the collector rely on hold (one firing alert per key, rollup keys unique).
import assert from 'node:assert/strict';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../../scripts/collector-migrations.mjs';
import { migrationStatements } from '../../js/collector/storage/tables.js';
import { errorStatements } from '../../js/collector/storage/errors.js';
import { summary } from '../../js/collector/query/summary.js';
import { applyMigrations, startCollectorWith } from './collector-helpers.js';

let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: 'token-0123456789' } });
});
after(() => collector?.worker.dispose());

const names = async (type) => (await collector.db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name`).bind(type).all()).results.map((r) => r.name);

test('every migration is applied once, recorded by name, and a second apply runs nothing', async () => {
  const applied = (await collector.db.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).results.map((r) => r.name);
  assert.deepEqual(applied, ['0001_init.sql', '0002_rollups.sql', '0003_autoincrement.sql']);
  assert.deepEqual(await applyMigrations(collector.db), []);
});

test('the tables and indexes of the migrations exist in D1', async () => {
  const tables = await names('table');
  for (const t of ['batches', 'spans', 'metric_points', 'logs', 'rollups', 'rollup_cursor', 'errors', 'error_minutes', 'alerts']) assert.ok(tables.includes(t), t);
  assert.deepEqual(
    (await names('index')).filter((n) => !n.startsWith('sqlite_autoindex')),
    ['alerts_firing_key', 'error_minutes_bucket', 'logs_service_time', 'logs_trace_id', 'metric_points_time', 'rollups_resolution_bucket', 'spans_service_start', 'spans_start', 'spans_trace_id'],
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

// The statements of committed migration `name` that mention `table`.
const statementsOn = (name, table) => migrationStatements(readFileSync(join(MIGRATIONS_DIR, name), 'utf8')).filter((sql) => sql.includes(` ${table} `));

test('migration 0003 keeps every metric point and its id, and numbers new points past the rollup cursor even when the newest points were deleted', async () => {
  const db = collector.db;
  // The two tables as 0001 and 0002 made them, holding points 1-3 while the cursor is at 10
  // (retention deleted 4-10 after they were rolled up), and error minutes.
  await db.batch([db.prepare('DROP TABLE metric_points'), db.prepare('DROP TABLE error_minutes')]);
  await db.batch([...statementsOn('0001_init.sql', 'metric_points'), ...statementsOn('0002_rollups.sql', 'error_minutes')].map((sql) => db.prepare(sql)));
  const point = (id, value) => db.prepare("INSERT INTO metric_points (id, name, type, value, time, tags, service) VALUES (?, 'hits', 'counter', ?, 1000, '{}', 'shop')").bind(id, value);
  await db.batch([
    point(1, 1), point(2, 2), point(3, 3),
    db.prepare("INSERT OR REPLACE INTO rollup_cursor (name, last_id, updated) VALUES ('minute', 10, 0)"),
    db.prepare("INSERT INTO error_minutes (service, fingerprint, bucket, severity, count) VALUES ('shop', 'fp', 60000, 'CRITICAL', 11), ('shop', 'fp2', 60000, NULL, 2)"),
  ]);
  // Without AUTOINCREMENT the next point would be 4: below the cursor, never rolled up.
  await db.batch(migrationStatements(readFileSync(join(MIGRATIONS_DIR, '0003_autoincrement.sql'), 'utf8')).map((sql) => db.prepare(sql)));

  assert.deepEqual((await db.prepare('SELECT id, value FROM metric_points ORDER BY id').all()).results, [{ id: 1, value: 1 }, { id: 2, value: 2 }, { id: 3, value: 3 }]);
  const { meta } = await db.prepare("INSERT INTO metric_points (name, type, value, time, tags, service) VALUES ('hits', 'counter', 4, 2000, '{}', 'shop')").run();
  assert.equal(meta.last_row_id, 11);
  // Deleting the newest point does not give its id out again.
  await db.prepare('DELETE FROM metric_points WHERE id = 11').run();
  assert.equal((await db.prepare("INSERT INTO metric_points (name, type, value, time, tags, service) VALUES ('hits', 'counter', 5, 3000, '{}', 'shop')").run()).meta.last_row_id, 12);

  assert.deepEqual((await db.prepare('SELECT fingerprint, severity, count FROM error_minutes ORDER BY fingerprint').all()).results, [
    { fingerprint: 'fp', severity: 'CRITICAL', count: 11 },
    { fingerprint: 'fp2', severity: '', count: 2 },
  ]);
  // One row per severity within a minute now.
  await db.prepare("INSERT INTO error_minutes (service, fingerprint, bucket, severity, count) VALUES ('shop', 'fp', 60000, 'WARNING', 10)").run();
  await assert.rejects(db.prepare("INSERT INTO error_minutes (service, fingerprint, bucket, severity, count) VALUES ('shop', 'fp', 60000, 'WARNING', 1)").run(), /UNIQUE constraint failed/);
  assert.ok((await names('index')).includes('metric_points_time'));
  assert.ok((await names('index')).includes('error_minutes_bucket'));
});

test('after migration 0003 the summary counts each occurrence under its own severity: 10 WARNING and 1 CRITICAL in one minute', async () => {
  const db = collector.db;
  const now = Date.now();
  const span = (i, severity) => ({
    traceId: i.toString(16).padStart(32, '0'),
    spanId: '1'.repeat(16),
    name: 'GET /cart',
    startTime: now - 30_000,
    endTime: now - 30_000 + 5,
    attributes: { 'error.fingerprint': 'fp-sev', 'error.severity': severity },
    events: [],
  });
  const spans = [...Array.from({ length: 10 }, (_, i) => span(i + 1, 'WARNING')), span(11, 'CRITICAL')];
  await db.batch(errorStatements({ service: 'sev', spans }, now).map(({ sql, params }) => db.prepare(sql).bind(...params)));
  const url = new URL('http://collector/api/observe/summary?service=sev&window=5m');
  const body = await (await summary(new Request(url), { db, url, settings: validateCollectorConfig({ tokens: [{ name: 'test', token: 'x' }] }) })).json();
  assert.deepEqual(body.services.map((s) => [s.service, s.errorsBySeverity]), [['sev', { CRITICAL: 1, WARNING: 10, INFO: 0 }]]);
  assert.equal(body.services[0].topErrors[0].count, 11);
});
