// Retention on the collector's cron, in workerd against Miniflare's D1: each table loses only rows
// past its period, and nothing a rollup still needs goes first — metric points only once rolled
// into minutes, minute rows only once their hour is rolled, a batch only once none of its records
// remain. Deletes are bounded per run, counted and logged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { applyRetention } from '../../js/collector/storage/retention.js';
import { readCursors, rollHours, rollMinutes } from '../../js/collector/storage/rollups.js';
import { keepingExporter } from '../js/helpers.js';
import { startCollectorWith } from './collector-helpers.js';

const TOKEN = 'retention-token-0123456789';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const settings = validateCollectorConfig({ tokens: [{ name: 'test', token: TOKEN }] });
// Half past an hour, so the data 10 minutes old is in an hour still open.
const NOW = Math.floor(Date.now() / HOUR) * HOUR + 30 * MIN;
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: TOKEN } });
});
after(() => collector?.worker.dispose());

// A real payload from the core (`spans` traces, a log, a counter and a histogram), every time in
// it moved to `at`.
async function payload(at, { spans = 2, log = true } = {}) {
  const docs = [];
  const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  for (let i = 0; i < spans; i++) t.trace(`op ${i}`, (span) => log && i === 0 && span.logger.info('working'));
  t.metrics.increment('hits', 1, {});
  t.metrics.histogram('latency', 3, {}, { unit: 'ms' });
  await t.flush();
  const doc = docs[0];
  for (const s of doc.spans) {
    const d = at - s.startTime;
    s.startTime += d;
    s.endTime += d;
    for (const e of s.events) e.timestamp += d;
  }
  for (const l of doc.logs ?? []) l.timestamp = at;
  for (const m of doc.metrics) {
    m.timestamp = at;
    if (m.startTime !== undefined) m.startTime = at;
  }
  return doc;
}
async function ingest(doc) {
  const res = await fetch(`${collector.worker.url}/api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(doc) });
  assert.equal(res.status, 202, await res.clone().text());
}
const one = async (sql, ...params) => (await collector.db.prepare(sql).bind(...params).first()).n;
const counts = async () => ({
  spans: await one('SELECT count(*) AS n FROM spans'),
  logs: await one('SELECT count(*) AS n FROM logs'),
  metric_points: await one('SELECT count(*) AS n FROM metric_points'),
  batches: await one('SELECT count(*) AS n FROM batches'),
  minute: await one('SELECT count(*) AS n FROM rollups WHERE resolution = 60'),
  hour: await one('SELECT count(*) AS n FROM rollups WHERE resolution = 3600'),
});
const retain = async (limits) => applyRetention(collector.db, settings.retention, NOW, await readCursors(collector.db), limits);

let old;
test('raw spans and logs go after their period; metric points not rolled up yet stay, however old, and so does their batch', async () => {
  old = await payload(NOW - 10 * DAY);
  await ingest(old);
  await ingest(await payload(NOW - 10 * MIN));
  assert.deepEqual(await counts(), { spans: 4, logs: 2, metric_points: 4, batches: 2, minute: 0, hour: 0 });
  const { deleted, failed } = await retain();
  assert.deepEqual(failed, {});
  assert.deepEqual(deleted, { spans: 2, logs: 1 });
  assert.deepEqual(await counts(), { spans: 2, logs: 1, metric_points: 4, batches: 2, minute: 0, hour: 0 });
  assert.equal(await one('SELECT count(*) AS n FROM metric_points WHERE time < ?', NOW - 2 * DAY), 2);
});

test('rolled points go, then their batch; minute rows wait until their hour is rolled up', async () => {
  await rollMinutes(collector.db, NOW);
  assert.deepEqual(await retain(), { deleted: { metric_points: 2, batches: 1 }, failed: {} });
  assert.equal(await one('SELECT count(*) AS n FROM batches WHERE batch_id = ?', old.batchId), 0);
  // The old minute rows (10 days > 8) are still needed: their hour is not rolled up yet.
  assert.deepEqual(await counts(), { spans: 2, logs: 1, metric_points: 2, batches: 1, minute: 4, hour: 0 });
  assert.deepEqual((await rollHours(collector.db, NOW)).hours, [Math.floor((NOW - 10 * DAY) / HOUR) * HOUR]);
  assert.deepEqual(await retain(), { deleted: { 'rollups (minute)': 2 }, failed: {} });
  // The recent hour is open: its minute rows and raw points stay; the old hour's rows stay (90 days).
  assert.deepEqual(await counts(), { spans: 2, logs: 1, metric_points: 2, batches: 1, minute: 2, hour: 2 });
});

test('every other table by its own period, at most maxDeletes rows per table per run, counted and logged', async (t) => {
  const lines = [];
  t.mock.method(console, 'log', (...args) => lines.push(args.join(' ')));
  await ingest(await payload(NOW - 8 * DAY - HOUR, { spans: 5, log: false }));
  const db = collector.db;
  const seed = [];
  for (const [id, state, resolvedDaysAgo] of [['a1', 'resolved', 100], ['a2', 'resolved', 10], ['a3', 'firing', null]]) {
    const resolved = resolvedDaysAgo === null ? null : NOW - resolvedDaysAgo * DAY;
    seed.push(db.prepare("INSERT INTO alerts (id, key, kind, name, severity, state, fired_at, resolved_at, details) VALUES (?, ?, 'slo', 'checkout', 'page', ?, ?, ?, '{}')").bind(id, `slo:${id}:page`, state, NOW - 200 * DAY, resolved));
  }
  for (const [fp, daysAgo] of [['old', 100], ['recent', 1]]) {
    seed.push(db.prepare("INSERT INTO errors (service, fingerprint, count, first_seen, last_seen) VALUES ('shop', ?, 1, ?, ?)").bind(fp, NOW - daysAgo * DAY, NOW - daysAgo * DAY));
  }
  for (let i = 0; i < 3; i++) seed.push(db.prepare("INSERT INTO error_minutes (service, fingerprint, bucket, count) VALUES ('shop', 'old', ?, 1)").bind(NOW - 40 * DAY - i * MIN));
  seed.push(db.prepare("INSERT INTO error_minutes (service, fingerprint, bucket, count) VALUES ('shop', 'recent', ?, 1)").bind(NOW - 10 * DAY));
  for (let i = 0; i < 3; i++) seed.push(db.prepare("INSERT INTO rollups (service, name, resolution, bucket, series, type, value, points) VALUES ('shop', 'hits', 3600, ?, ?, 'counter', 1, 1)").bind(NOW - 100 * DAY, `{"i":${i}}`));
  await db.batch(seed);

  const runs = [];
  for (let i = 0; i < 3; i++) runs.push((await runScheduled(db, settings, NOW, { maxDeletes: 2 })).retention);
  assert.deepEqual(
    runs.map((r) => r.deleted),
    [
      // Run 1 also rolls the payload's points into minutes and its hour, so its points (over 2
      // days old) and minute rows (over 8 days) go at once.
      { spans: 2, metric_points: 2, 'rollups (minute)': 2, 'rollups (hour)': 2, error_minutes: 2, errors: 1, alerts: 1 },
      { spans: 2, 'rollups (hour)': 1, error_minutes: 1 },
      // The last old span goes; its batch stays while a batch that arrived before it (the recent
      // payload of the first test) still has records.
      { spans: 1 },
    ],
  );
  assert.ok(lines.some((l) => /edgescope collector cron: .*retention deleted spans=2 metric_points=2 rollups \(minute\)=2 rollups \(hour\)=2 error_minutes=2 errors=1 alerts=1/.test(l)), lines.join('\n'));
  assert.deepEqual((await db.prepare('SELECT id FROM alerts ORDER BY id').all()).results.map((r) => r.id), ['a2', 'a3']);
  assert.deepEqual((await db.prepare('SELECT fingerprint FROM errors').all()).results.map((r) => r.fingerprint), ['recent']);
  assert.equal(await one('SELECT count(*) AS n FROM error_minutes'), 1);
});

test('a batch goes once its records are gone and so are those of every batch that arrived before it', async () => {
  assert.equal(await one('SELECT count(*) AS n FROM batches'), 2);
  const later = NOW + 8 * DAY;
  const { retention } = await runScheduled(collector.db, settings, later);
  assert.deepEqual(retention.failed, {});
  assert.equal(retention.deleted.batches, 2);
  assert.deepEqual(await counts(), { spans: 0, logs: 0, metric_points: 0, batches: 0, minute: 0, hour: 6 });
});

test('a log sent without a time is stored dated on arrival, so retention ages it like the others', async () => {
  const doc = await payload(Date.now(), { spans: 1 });
  assert.equal(doc.logs.length, 1);
  delete doc.logs[0].timestamp;
  const sent = Date.now();
  await ingest(doc);
  const { time } = await collector.db.prepare('SELECT time FROM logs').first();
  assert.ok(time >= sent && time <= Date.now(), `${time} not within [${sent}, ${Date.now()}]`);
  assert.equal((await applyRetention(collector.db, settings.retention, time + 7 * DAY - 1, await readCursors(collector.db))).deleted.logs, undefined);
  assert.equal((await applyRetention(collector.db, settings.retention, time + 7 * DAY + 1, await readCursors(collector.db))).deleted.logs, 1);
});
