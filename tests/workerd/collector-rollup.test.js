// The collector's cron rollups in workerd against Miniflare's D1: real payloads from the core,
// dated in chosen minutes, are folded into minute and hour rows that equal folding the raw points
// directly, the histogram's merged sketch equals the core's own sketch of all the values, a re-run
// adds nothing, late points reach their minute and their already-rolled hour, a run is bounded
// and two runs at once never count a point twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { foldPoints, pointFromDb, rowFromDb, rowKey } from '../../js/collector/rollup/fold.js';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { readCursors, rollMinutes } from '../../js/collector/storage/rollups.js';
import { ingestPayload, metricsPayload, startCollectorWith } from './collector-helpers.js';

const TOKEN = 'rollup-token-0123456789';
const MIN = 60_000;
const HOUR = 3_600_000;
const settings = validateCollectorConfig({ tokens: [{ name: 'test', token: TOKEN }] });
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: TOKEN } });
});
// The cron's log lines (runScheduled runs here, in the test's process).
function logged(t) {
  const lines = [];
  t.mock.method(console, 'log', (...args) => lines.push(args.join(' ')));
  return lines;
}
after(() => collector?.worker.dispose());

const payload = metricsPayload;
const ingest = (doc) => ingestPayload(collector.worker, TOKEN, doc);
const all = async (sql, ...params) => (await collector.db.prepare(sql).bind(...params).all()).results;
const byKey = (rows) => new Map(rows.map((r) => [rowKey(r), r]));
// The stored rows of `resolution` in [from, to), as fold.js row objects by key.
const stored = async (resolution, from, to) => byKey((await all('SELECT * FROM rollups WHERE resolution = ? AND bucket >= ? AND bucket < ?', resolution, from, to)).map(rowFromDb));
// Folding the raw points of [from, to) directly, in the order they were stored.
async function direct(resolution, from, to) {
  const points = (await all('SELECT * FROM metric_points WHERE time >= ? AND time < ? ORDER BY id', from, to)).map(pointFromDb);
  return foldPoints(points, resolution).rows;
}

// An hour that ended well before now, so the cron rolls it.
const H = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const NOW = H + 2 * HOUR;
const VALUES = [[0.5, 2], [8, 0.25], [3, 1024]];
const TIMES = [H + MIN + 10_000, H + MIN + 40_000, H + 5 * MIN];

test('minute and hour rows equal folding the raw points directly, and the cursors advance', async (t) => {
  const output = logged(t);
  for (const [i, values] of VALUES.entries()) {
    await ingest(
      await payload(TIMES[i], (m) => {
        for (const v of values) m.histogram('latency', v, { 'http.route': '/cart' }, { unit: 'ms' });
        m.histogram('latency', 16 * (i + 1), { 'http.route': '/pay' }, { unit: 'ms' });
        m.increment('hits', i + 1, { 'http.route': '/cart' });
        m.gauge('queue.depth', 10 - i, {});
      }),
    );
  }
  // Three minute rows per query: the hour is read in pages.
  const { minutes, hours } = await runScheduled(collector.db, settings, NOW, { pageRows: 3 });
  const maxId = (await all('SELECT max(id) AS id FROM metric_points'))[0].id;
  assert.equal(minutes.points, 12);
  assert.equal(minutes.cursor, maxId);
  assert.deepEqual(hours.hours, [H]);
  assert.equal(hours.minuteRowsRead, 8);
  assert.deepEqual(await readCursors(collector.db), { minute: maxId, hour: H });

  const minuteRows = await stored(60, H, H + HOUR);
  assert.deepEqual(minuteRows, await direct(60, H, H + HOUR));
  // Two minutes (1 and 5) of four series.
  assert.equal(minuteRows.size, 8);
  const hourRows = await stored(3600, H, H + HOUR);
  assert.deepEqual(hourRows, await direct(3600, H, H + HOUR));
  const cart = [...hourRows.values()].find((r) => r.name === 'latency' && r.route === '/cart');
  assert.deepEqual([cart.count, cart.sum, cart.min, cart.max, cart.points], [6, 1037.75, 0.25, 1024, 3]);
  const hits = [...hourRows.values()].find((r) => r.name === 'hits');
  assert.equal(hits.value, 6);
  assert.match(output.join('\n'), /edgescope collector cron: rolled 12 points in 1 step into 8 minute rows; rolled 1 hours \(4 rows/);
});

test("the hour's merged sketch equals, bucket for bucket, the core's sketch of all the values recorded in one telemetry", async () => {
  const whole = await payload(H, (m) => {
    for (const v of VALUES.flat()) m.histogram('latency', v, { 'http.route': '/cart' }, { unit: 'ms' });
  });
  const reference = whole.metrics.find((m) => m.name === 'latency').exponential;
  const [row] = (await all("SELECT exponential FROM rollups WHERE resolution = 3600 AND bucket = ? AND name = 'latency' AND route = '/cart'", H)).map((r) => JSON.parse(r.exponential));
  assert.deepEqual(row, reference);
  // The sketches that were merged really differed (each payload alone had its own range).
  const parts = await all("SELECT count, exponential FROM metric_points WHERE name = 'latency' AND tags LIKE '%/cart%' ORDER BY id");
  assert.deepEqual(parts.map((p) => p.count), [2, 2, 2]);
  assert.ok(new Set(parts.map((p) => JSON.parse(p.exponential).scale)).size > 1, 'the parts had different scales: the merge had to downscale');
});

test('a second run adds nothing', async () => {
  const before = await all('SELECT * FROM rollups ORDER BY resolution, bucket, name, series');
  const cursors = await readCursors(collector.db);
  const { minutes, hours } = await runScheduled(collector.db, settings, NOW + MIN);
  assert.equal(minutes.points, 0);
  assert.deepEqual(hours.hours, []);
  assert.deepEqual(await all('SELECT * FROM rollups ORDER BY resolution, bucket, name, series'), before);
  assert.deepEqual(await readCursors(collector.db), cursors);
});

test('a late point lands in its minute row and in its hour, already rolled up, without re-rolling the rest', async () => {
  await ingest(
    await payload(H + MIN + 50_000, (m) => {
      m.histogram('latency', 5, { 'http.route': '/cart' }, { unit: 'ms' });
      m.increment('hits', 4, { 'http.route': '/cart' });
    }),
  );
  const { minutes, hours } = await runScheduled(collector.db, settings, NOW + 2 * MIN);
  assert.equal(minutes.points, 2);
  assert.equal(minutes.minuteRows, 2);
  assert.equal(minutes.hourRows, 2);
  assert.deepEqual(hours.hours, [], 'the hour is not rolled again');
  assert.equal((await readCursors(collector.db)).hour, H);
  assert.deepEqual(await stored(60, H, H + HOUR), await direct(60, H, H + HOUR));
  assert.deepEqual(await stored(3600, H, H + HOUR), await direct(3600, H, H + HOUR));
  const hits = [...(await stored(3600, H, H + HOUR)).values()].find((r) => r.name === 'hits');
  assert.deepEqual([hits.value, hits.points], [10, 4]);
});

test('a run folds at most maxPointsPerRun raw points; the backlog goes over the next runs and its hour waits for it', async (t) => {
  const output = logged(t);
  const H2 = H + HOUR;
  await ingest(
    await payload(H2 + 3 * MIN, (m) => {
      for (let i = 0; i < 25; i++) m.increment('jobs', i + 1, { queue: `q${i}` });
    }),
  );
  const limits = { pointsPerStep: 10, maxPointsPerRun: 10 };
  const start = (await readCursors(collector.db)).minute;
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runScheduled(collector.db, settings, H2 + 2 * HOUR, limits));
  assert.deepEqual(runs.map((r) => r.minutes.points), [10, 10, 5]);
  assert.deepEqual(runs.map((r) => r.minutes.cursor - start), [10, 20, 25]);
  // The hour holding the oldest waiting point is rolled only by the run that caught up.
  assert.deepEqual(runs.map((r) => r.hours.hours), [[], [], [H2]]);
  assert.deepEqual(await stored(60, H2, H2 + HOUR), await direct(60, H2, H2 + HOUR));
  assert.deepEqual(await stored(3600, H2, H2 + HOUR), await direct(3600, H2, H2 + HOUR));
  assert.match(output.join('\n'), /rolled 10 points in 1 step into 10 minute rows; backlog remains/);
});

test('a run that lost the race to another (the cursor moved meanwhile) writes nothing, and no point is folded twice', async () => {
  const H3 = H + 2 * HOUR;
  for (let i = 0; i < 3; i++) await ingest(await payload(H3 + i * MIN, (m) => m.increment('orders', 1, {})));
  // The slow run has read the cursor and the rows; a whole other run commits before it writes.
  const db = collector.db;
  const slow = { prepare: (sql) => db.prepare(sql), batch: async (statements) => (await rollMinutes(db, H3 + HOUR), db.batch(statements)) };
  const lost = await rollMinutes(slow, H3 + HOUR);
  assert.equal(lost.moved, true);
  assert.equal(lost.minuteRows, 0);
  assert.equal((await rollMinutes(db, H3 + HOUR)).points, 0, 'the winner folded them all');
  assert.deepEqual(await stored(60, H3, H3 + HOUR), await direct(60, H3, H3 + HOUR));
  const total = (await all("SELECT sum(value) AS n FROM rollups WHERE resolution = 60 AND name = 'orders'"))[0].n;
  assert.equal(total, 3);
});

test('a point whose type differs from its series rollup is left out, counted and logged, never merged under the wrong type', async (t) => {
  const warned = [];
  t.mock.method(console, 'warn', (...args) => warned.push(args.join(' ')));
  const H4 = H + 3 * HOUR;
  await ingest(await payload(H4 + MIN, (m) => m.increment('mixed', 3, { k: 'v' })));
  await ingest(await payload(H4 + MIN + 1000, (m) => m.gauge('mixed', 42, { k: 'v' })));
  const { minutes } = await runScheduled(collector.db, settings, H4 + 30 * MIN);
  assert.equal(minutes.points, 2);
  assert.equal(minutes.skipped, 1);
  assert.deepEqual(await all("SELECT type, value, points FROM rollups WHERE name = 'mixed'"), [{ type: 'counter', value: 3, points: 1 }]);
  assert.ok(warned.some((l) => /1 points that cannot fold into their series' rollup \(point \d+ .*a gauge point for a counter series\)/.test(l)), warned.join('\n'));
});

test('a run rolls at most maxHours complete hours, oldest first, skipping hours without data', async () => {
  const first = H + 10 * HOUR;
  const second = H + 13 * HOUR;
  await ingest(await payload(first + 7 * MIN, (m) => m.increment('batch.jobs', 2, {})));
  await ingest(await payload(second + 9 * MIN, (m) => m.increment('batch.jobs', 5, {})));
  const later = second + 3 * HOUR;
  const runs = [];
  for (let i = 0; i < 4; i++) runs.push((await runScheduled(collector.db, settings, later, { maxHours: 1 })).hours.hours);
  // The previous test's hour (3 h after H, still open then) comes first.
  assert.deepEqual(runs, [[H + 3 * HOUR], [first], [second], []]);
  assert.deepEqual(await all("SELECT bucket, value FROM rollups WHERE resolution = 3600 AND name = 'batch.jobs' ORDER BY bucket"), [{ bucket: first, value: 2 }, { bucket: second, value: 5 }]);
  assert.equal((await readCursors(collector.db)).hour, second);
});

test("the Worker's scheduled handler (the cron trigger) runs the rollups with the platform's clock", async () => {
  await ingest(await payload(Date.now(), (m) => m.increment('now.hits', 7, {})));
  await collector.worker.scheduled('* * * * *');
  const maxId = (await all('SELECT max(id) AS id FROM metric_points'))[0].id;
  assert.equal((await readCursors(collector.db)).minute, maxId);
  const rows = await all("SELECT value, points FROM rollups WHERE resolution = 60 AND name = 'now.hits'");
  assert.deepEqual(rows, [{ value: 7, points: 1 }]);
});
