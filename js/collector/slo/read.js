// Good and total requests of every SLO over each of its windows, read from D1:
//   - windows up to 6 h (5m, 30m, 1h, 6h): minute rollups;
//   - the 3-day window and the compliance window (windowDays): hour rollups for the hours the cron
//     has folded (rollup_cursor 'hour': the start of the last hour folded), minute rollups after;
//   - every window: the raw metric_points the cron has not folded yet (id above rollup_cursor
//     'minute'), folded into minute rows here (rollup/fold.js), so an SLO sees a request at once.
// A window of length W at `now` takes the buckets starting in [now - W, now): at a cron's
// minute-aligned `now`, exactly W of minute buckets; hour buckets that start before now - W are
// left out (the long windows are hour-granular at their far end).
import { foldPoints, MINUTE as MINUTE_S, pointFromDb } from '../rollup/fold.js';
import { BURN_WINDOWS, HOUR, DAY } from './burn-rate.js';
import { REQUEST_METRIC, rowCounts, seriesParser } from './good.js';

const SHORT = Object.entries(BURN_WINDOWS).filter(([, ms]) => ms <= 6 * HOUR);
const LONG_BURN = Object.entries(BURN_WINDOWS).filter(([, ms]) => ms > 6 * HOUR);
const SIX_HOURS = 6 * HOUR;

const windowsOf = (slo) => [...LONG_BURN, ['compliance', slo.windowDays * DAY]];
const longest = (slo) => Math.max(...windowsOf(slo).map(([, ms]) => ms));

const CURSORS = "SELECT (SELECT last_id FROM rollup_cursor WHERE name = 'minute') AS minute, (SELECT last_id FROM rollup_cursor WHERE name = 'hour') AS hour";
// No hour folded yet: no hour rows to read, the minute rows carry the long windows too.
const cursorsOf = (r) => ({ minuteId: r?.minute ?? 0, hourEnd: r?.hour === null || r?.hour === undefined ? 0 : r.hour + HOUR });
const sameCursors = (a, b) => a.minuteId === b.minuteId && a.hourEnd === b.hourEnd;
// Reads retried when the cron moved the cursors between planning and reading (once a minute at
// most, so a second move within one read is already rare).
const MAX_READS = 4;

// Bounds (Workers: 128 MB per isolate; D1: 100 bound parameters per statement, every statement
// with a LIMIT): availability SLOs are summed in SQL, one row per series with a sum per window,
// so their read is as large as the number of series, whatever the window or the backlog; latency
// SLOs need each row's sketch, so they read only the columns the count needs, in time slices of
// at most MAX_ROWS rows, a batch at a time, each counted and let go before the next (a slice past
// that is refused, naming the SLO, rather than judged on part of the data).
// Every statement binds one service (no IN list), so any number of SLOs stays under the
// parameter bound.
export const MAX_ROWS = 50_000;
const MAX_SERIES = 10_000;
const MINUTE_MS = 60_000;

function routeClause(slo, column = 'route') {
  return slo.route === null ? ['', []] : [` AND ${column} = ?`, [slo.route]];
}

// [window, lower bound of the buckets it takes] for each row kind. Minute rows carry the short
// windows, and the long ones only after the hour rows (hourEnd); hour rows the long windows up to
// hourEnd; raw points every window.
function bounds(slo, now, hourEnd) {
  const long = windowsOf(slo);
  return {
    minute: [...SHORT.map(([w, ms]) => [w, now - ms]), ...long.map(([w, ms]) => [w, Math.max(now - ms, hourEnd)])],
    hour: long.map(([w, ms]) => [w, now - ms]),
    raw: [...SHORT, ...long].map(([w, ms]) => [w, now - ms]),
  };
}

const sums = (windows, bucket, count) => windows.map(([w], i) => `sum(CASE WHEN ${bucket} >= ?${i + 1} THEN ${count} END) AS w${i}`).join(', ');
const RAW_BUCKET = `(CAST(time / ${MINUTE_MS} AS INTEGER) * ${MINUTE_MS})`;
// The columns a latency count needs (good.js rowCounts), as a rollup row and as a raw point.
const ROW_COLUMNS = 'bucket, series, unit, count, exponential, bounds, bucket_counts';
const POINT_COLUMNS = 'id, service, name, type, unit, value, time, tags, count, sum, min, max, bounds, bucket_counts, exponential';

// The reads of every SLO: { slo (index), part ('minute' | 'hour' | 'raw'), statement }.
// Availability: three statements per SLO (its minute rows, its hour rows, its raw points after
// the cursor), each summed per series in SQL; parameters ?1..?n are the windows' lower bounds,
// then the filters. Latency: the same three, the rows cut in time slices (a day of minute rows,
// a week of hour rows) so no statement returns more than MAX_ROWS of them.
const MINUTE_SLICE = DAY;
const HOUR_SLICE = 7 * DAY;
function statements(db, slos, now, { minuteId, hourEnd }) {
  const out = [];
  slos.forEach((slo, index) => {
    const start = now - longest(slo);
    const [clause, args] = routeClause(slo);
    const [rawClause, rawArgs] = routeClause(slo, `json_extract(tags, '$."http.route"')`);
    const minuteFrom = Math.min(now - SIX_HOURS, Math.max(start, hourEnd));
    const hourTo = Math.max(start, hourEnd);
    const b = bounds(slo, now, hourEnd);
    const rollupWhere = (resolution, n) => `FROM rollups WHERE service = ?${n + 1} AND name = ?${n + 2} AND resolution = ${resolution} AND bucket >= ?${n + 3} AND bucket < ?${n + 4}${clause.replace('?', `?${n + 5}`)}`;
    const rawWhere = (n) => `FROM metric_points WHERE id > ?${n + 1} AND service = ?${n + 2} AND name = ?${n + 3} AND time >= ?${n + 4} AND time < ?${n + 5}${rawClause.replace('?', `?${n + 6}`)}`;
    const rollupArgs = (from, to) => [slo.service, REQUEST_METRIC, from, to, ...args];
    const rawArgsAll = [minuteId, slo.service, REQUEST_METRIC, start, now, ...rawArgs];
    const add = (part, statement) => out.push({ slo: index, part, statement });
    if (slo.kind === 'availability') {
      const grouped = (windows, from, bucket, series, args_) =>
        db.prepare(`SELECT ${series} AS series, ${sums(windows, bucket, 'count')} ${from} GROUP BY ${series} LIMIT ${MAX_SERIES + 1}`).bind(...windows.map(([, l]) => l), ...args_);
      add('minute', grouped(b.minute, rollupWhere(60, b.minute.length), 'bucket', 'series', rollupArgs(minuteFrom, now)));
      add('hour', grouped(b.hour, rollupWhere(3600, b.hour.length), 'bucket', 'series', rollupArgs(start, hourTo)));
      add('raw', grouped(b.raw, `${rawWhere(b.raw.length)} AND type = 'histogram'`, RAW_BUCKET, 'tags', rawArgsAll));
    } else {
      const sliced = (part, resolution, from, to, size) => {
        for (let t = from; t < to; t += size) add(part, db.prepare(`SELECT ${ROW_COLUMNS} ${rollupWhere(resolution, 0)} LIMIT ${MAX_ROWS + 1}`).bind(...rollupArgs(t, Math.min(to, t + size))));
      };
      sliced('minute', 60, minuteFrom, now, MINUTE_SLICE);
      sliced('hour', 3600, start, hourTo, HOUR_SLICE);
      add('raw', db.prepare(`SELECT ${POINT_COLUMNS} ${rawWhere(0)} ORDER BY id LIMIT ${MAX_ROWS + 1}`).bind(...rawArgsAll));
    }
  });
  return out;
}

const zero = () => ({ good: 0, total: 0 });
// Statements per D1 batch (one round trip, one transaction each).
const STATEMENTS_PER_BATCH = 12;

function bounded(slo, results) {
  const limit = slo.kind === 'availability' ? MAX_SERIES : MAX_ROWS;
  if (results.length > limit) throw new Error(`SLO ${slo.name}: more than ${limit} ${slo.kind === 'availability' ? 'series' : 'rows'} in one slice of its windows; narrow it with a route`);
  return results;
}

// The counts of one read at `cursor`, or null when a batch saw other cursors (the cron
// committed meanwhile: rows read before and after it would overlap or leave a gap).
async function readAt(db, slos, now, cursor) {
  const tagsOf = seriesParser();
  const inWindow = (bucket, ms) => bucket >= now - ms && bucket < now;
  const counts = slos.map(() => {
    const c = Object.fromEntries([...Object.keys(BURN_WINDOWS), 'compliance'].map((w) => [w, zero()]));
    c.unmeasured = 0;
    return c;
  });
  let skipped = 0;
  const addRow = (i, row, windows) => {
    const c = rowCounts(slos[i], row, tagsOf);
    counts[i].unmeasured += c.unmeasured;
    for (const w of windows) {
      counts[i][w].good += c.good;
      counts[i][w].total += c.total;
    }
  };
  const rowOf = (r) => ({ bucket: r.bucket, series: r.series, unit: r.unit ?? null, count: r.count ?? null, exponential: parseJson(r.exponential), bounds: parseJson(r.bounds), bucketCounts: parseJson(r.bucket_counts) });
  const handle = ({ slo: i, part }, rows) => {
    const slo = slos[i];
    if (slo.kind === 'availability') {
      const windows = bounds(slo, now, cursor.hourEnd)[part];
      for (const r of rows) {
        const bad = rowCounts(slo, { series: r.series, count: 1 }, tagsOf).good === 0;
        windows.forEach(([w], k) => {
          const n = Number(r[`w${k}`] ?? 0);
          counts[i][w].total += n;
          if (!bad) counts[i][w].good += n;
        });
      }
    } else if (part === 'minute') {
      for (const r of rows) {
        const row = rowOf(r);
        const windows = SHORT.filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w);
        // Minute rows of hours already in the hour rollups are read from those instead.
        if (row.bucket >= cursor.hourEnd) windows.push(...windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
        addRow(i, row, windows);
      }
    } else if (part === 'hour') {
      for (const r of rows) {
        const row = rowOf(r);
        addRow(i, row, windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
      }
    } else {
      // The raw points folded into minute rows as the cron will fold them (rollup/fold.js).
      const folded = foldPoints(rows.map(pointFromDb), MINUTE_S);
      skipped += folded.skipped;
      for (const row of folded.rows.values()) addRow(i, row, [...SHORT, ...windowsOf(slo)].filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
    }
  };
  const reads = statements(db, slos, now, cursor);
  for (let at = 0; at < reads.length; at += STATEMENTS_PER_BATCH) {
    const part = reads.slice(at, at + STATEMENTS_PER_BATCH);
    const [seen, ...results] = await db.batch([db.prepare(CURSORS), ...part.map((r) => r.statement)]);
    if (!sameCursors(cursorsOf(seen.results[0]), cursor)) return null;
    results.forEach((result, k) => handle(part[k], bounded(slos[part[k].slo], result.results)));
  }
  // Points left out of the folds (their type differs from their series'), over all SLOs.
  for (const c of counts) c.skipped = skipped;
  return new Map(slos.map((slo, i) => [slo.name, counts[i]]));
}

// -> Map(slo name -> { '5m', '30m', '1h', '6h', '3d', compliance: { good, total }, unmeasured, skipped })
// Every batch reads the cursors again with its rows (one transaction:
// developers.cloudflare.com/d1/worker-api/d1-database/#batch); when the cron committed since the
// read was planned, it starts over with the new cursors.
export async function countWindows(db, slos, now) {
  if (slos.length === 0) return new Map();
  let cursor = cursorsOf(await db.prepare(CURSORS).first());
  for (let read = 1; ; read++) {
    const counts = await readAt(db, slos, now, cursor);
    if (counts !== null) return counts;
    if (read >= MAX_READS) throw new Error(`the rollup cursors moved during ${MAX_READS} SLO reads in a row`);
    cursor = cursorsOf(await db.prepare(CURSORS).first());
  }
}

function parseJson(text) {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
