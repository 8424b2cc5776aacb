// The cron's rollups under load and after retention, in workerd against Miniflare's D1: a backlog
// larger than one step is drained in one run (step after step, within the run's budget); a run
// whose budget is spent leaves the rest for the next run and still rolls the hours that ended
// before the oldest point waiting; point ids never fall back below the cursor after retention
// deleted the newest points (migration 0003), and a database where they would is logged;
// retention runs even when the rollup step fails.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { readCursors } from '../../js/collector/storage/rollups.js';
import { ingestPayload, metricsPayload, startCollectorWith } from './collector-helpers.js';

const INGEST = 'budget-ingest-0123456789';
const READ = 'budget-read-0123456789';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const settings = validateCollectorConfig({ tokens: [{ name: 'sender', token: INGEST }] });
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-query', bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ } });
});
after(() => collector?.worker.dispose());

function captured(t, method) {
  const lines = [];
  t.mock.method(console, method, (...args) => lines.push(args.join(' ')));
  return lines;
}

const payload = metricsPayload;
const ingest = (doc) => ingestPayload(collector.worker, INGEST, doc);
async function read(path) {
  const res = await fetch(`${collector.worker.url}${path}`, { headers: { authorization: `Bearer ${READ}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}
const one = async (sql, ...params) => (await collector.db.prepare(sql).bind(...params).first()).n;
// The sum of a counter over the last hour, as /api/metrics answers it.
async function counterSum(name) {
  const body = await read(`/api/metrics/${name}?window=1h&step=1m`);
  return body.series.flatMap((s) => s.points).reduce((n, p) => n + (p.value ?? 0), 0);
}

// An hour well in the past, so the cron rolls it.
const H = Math.floor((Date.now() - 6 * HOUR) / HOUR) * HOUR;

test('a backlog larger than one step is drained by one run, step after step, and its hour is rolled', async (t) => {
  const lines = captured(t, 'log');
  for (let batch = 0; batch < 5; batch++) {
    await ingest(await payload(H + (batch + 1) * MIN, (m) => { for (let i = 0; i < 10; i++) m.increment('jobs', 1, { queue: `q${i}` }); }));
  }
  const run = await runScheduled(collector.db, settings, Date.now(), { pointsPerStep: 12 });
  assert.equal(run.minutes.points, 50);
  assert.equal(run.minutes.steps, 5, '12 + 12 + 12 + 12 + 2');
  assert.equal(run.minutes.drained, true);
  assert.ok(run.hours.hours.includes(H), 'the hour is rolled in the same run');
  assert.equal(await one("SELECT sum(value) AS n FROM rollups WHERE name = 'jobs' AND resolution = 3600"), 50);
  assert.equal(await one("SELECT sum(value) AS n FROM rollups WHERE name = 'jobs' AND resolution = 60"), 50);
  assert.ok(lines.some((l) => /rolled 50 points in 5 steps into 50 minute rows/.test(l)), lines.join('\n'));
});

test('a run stops at its point budget, logs the backlog, and still rolls the hours that ended before the oldest waiting point', async (t) => {
  const lines = captured(t, 'log');
  const H1 = H + HOUR;
  const H3 = H + 3 * HOUR;
  await ingest(await payload(H1 + 10 * MIN, (m) => { for (let i = 0; i < 6; i++) m.increment('tasks', 1, { k: `a${i}` }); }));
  await ingest(await payload(H3 + 10 * MIN, (m) => { for (let i = 0; i < 6; i++) m.increment('tasks', 1, { k: `b${i}` }); }));
  const limits = { pointsPerStep: 4, maxPointsPerRun: 8 };
  const first = await runScheduled(collector.db, settings, Date.now(), limits);
  assert.equal(first.minutes.points, 8);
  assert.equal(first.minutes.budget, 'points');
  // H1's points are all folded; H3 still has points waiting, so it waits too.
  assert.deepEqual(first.hours.hours, [H1]);
  assert.ok(lines.some((l) => /backlog remains \(this run's points budget is spent: config rollup\)/.test(l)), lines.join('\n'));
  const second = await runScheduled(collector.db, settings, Date.now(), limits);
  assert.equal(second.minutes.points, 4);
  assert.equal(second.minutes.drained, true);
  assert.deepEqual(second.hours.hours, [H3]);
  assert.equal(await one("SELECT sum(value) AS n FROM rollups WHERE name = 'tasks' AND resolution = 3600"), 12);
});

test('a run stops at its statement budget, and the next run goes on where it stopped', async () => {
  await ingest(await payload(H + 4 * HOUR + MIN, (m) => { for (let i = 0; i < 30; i++) m.increment('steps', 1, { k: `s${i}` }); }));
  const run = await runScheduled(collector.db, settings, Date.now(), { pointsPerStep: 3, maxQueriesPerRun: 20 });
  assert.equal(run.minutes.budget, 'queries');
  assert.ok(run.queries <= 20, `${run.queries} statements`);
  assert.ok(run.minutes.points > 0 && run.minutes.points < 30);
  const rest = await runScheduled(collector.db, settings, Date.now());
  assert.equal(run.minutes.points + rest.minutes.points, 30);
  assert.equal(await one("SELECT sum(value) AS n FROM rollups WHERE name = 'steps' AND resolution = 60"), 30);
});

test('retention still runs when the rollup step fails, and the failure is rethrown', async () => {
  await collector.db.prepare("INSERT INTO alerts (id, key, kind, name, severity, state, fired_at, resolved_at, details) VALUES ('old', 'slo:x:page', 'slo', 'x', 'page', 'resolved', 1, 1, '{}')").run();
  const db = collector.db;
  const failing = {
    prepare(sql) {
      if (/FROM metric_points WHERE id > \?/.test(sql)) throw new Error('D1 is unavailable for this statement');
      return db.prepare(sql);
    },
    batch: (statements) => db.batch(statements),
  };
  await assert.rejects(runScheduled(failing, settings, Date.now()), /D1 is unavailable for this statement/);
  assert.equal(await one("SELECT count(*) AS n FROM alerts WHERE id = 'old'"), 0, 'the resolved alert past its period went');
});

test('after retention deleted the newest rolled-up point, the next point is numbered past the cursor, rolled up and queried', async () => {
  await ingest(await payload(Date.now() - 5 * MIN, (m) => m.increment('visits', 5, {})));
  await runScheduled(collector.db, settings, Date.now());
  const cursor = (await readCursors(collector.db)).minute;
  // Three days later retention deletes it (metricPoints: 2 days, rolled up): the table is empty.
  const later = await runScheduled(collector.db, settings, Date.now() + 3 * DAY);
  assert.ok(later.retention.deleted.metric_points >= 1);
  assert.equal(await one('SELECT count(*) AS n FROM metric_points'), 0);

  await ingest(await payload(Date.now() - MIN, (m) => m.increment('visits', 7, {})));
  assert.ok((await one('SELECT max(id) AS n FROM metric_points')) > cursor, 'a new id past the cursor');
  assert.equal(await counterSum('visits'), 12, 'queried before the cron: rollup row plus the raw point');
  const next = await runScheduled(collector.db, settings, Date.now());
  assert.equal(next.minutes.points, 1, 'the cron rolls it');
  assert.equal(await counterSum('visits'), 12, 'and the answer does not change');
});

test('ids behind the rollup cursor are logged as an error naming the migration', async (t) => {
  const errors = captured(t, 'error');
  const { minute } = await readCursors(collector.db);
  await collector.db.prepare("UPDATE rollup_cursor SET last_id = ? WHERE name = 'minute'").bind(minute + 1000).run();
  try {
    await runScheduled(collector.db, settings, Date.now());
  } finally {
    await collector.db.prepare("UPDATE rollup_cursor SET last_id = ? WHERE name = 'minute'").bind(minute).run();
  }
  assert.ok(errors.some((l) => /metric_points ids \(\d+\) are below the rollup cursor \(\d+\).*0003_autoincrement\.sql/.test(l)), errors.join('\n'));
  await runScheduled(collector.db, settings, Date.now());
  assert.equal(errors.length, 1, 'not while ids are past the cursor');
});
