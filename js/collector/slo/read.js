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
// SLOs need each row's sketch, so they read only the columns the count needs, at most MAX_ROWS
// rows per statement (refused past that, naming the SLO, rather than judged on part of the data).
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

// Three statements per SLO: its minute rows, its hour rows, its raw points after the cursor.
// Parameters ?1..?n are the windows' lower bounds (availability), then the filters.
function statements(db, slos, now, { minuteId, hourEnd }) {
  const out = [];
  for (const slo of slos) {
    const start = now - longest(slo);
    const [clause, args] = routeClause(slo);
    const [rawClause, rawArgs] = routeClause(slo, `json_extract(tags, '$."http.route"')`);
    const minuteFrom = Math.min(now - SIX_HOURS, Math.max(start, hourEnd));
    const b = bounds(slo, now, hourEnd);
    const rollupWhere = (resolution, n) => `FROM rollups WHERE service = ?${n + 1} AND name = ?${n + 2} AND resolution = ${resolution} AND bucket >= ?${n + 3} AND bucket < ?${n + 4}${clause.replace('?', `?${n + 5}`)}`;
    const rawWhere = (n) => `FROM metric_points WHERE id > ?${n + 1} AND service = ?${n + 2} AND name = ?${n + 3} AND time >= ?${n + 4} AND time < ?${n + 5}${rawClause.replace('?', `?${n + 6}`)}`;
    const minuteArgs = [slo.service, REQUEST_METRIC, minuteFrom, now, ...args];
    const hourArgs = [slo.service, REQUEST_METRIC, start, Math.max(start, hourEnd), ...args];
    const rawArgsAll = [minuteId, slo.service, REQUEST_METRIC, start, now, ...rawArgs];
    if (slo.kind === 'availability') {
      const grouped = (windows, from, bucket, series, args_) =>
        db.prepare(`SELECT ${series} AS series, ${sums(windows, bucket, 'count')} ${from} GROUP BY ${series} LIMIT ${MAX_SERIES + 1}`).bind(...windows.map(([, l]) => l), ...args_);
      out.push(grouped(b.minute, rollupWhere(60, b.minute.length), 'bucket', 'series', minuteArgs));
      out.push(grouped(b.hour, rollupWhere(3600, b.hour.length), 'bucket', 'series', hourArgs));
      out.push(grouped(b.raw, `${rawWhere(b.raw.length)} AND type = 'histogram'`, RAW_BUCKET, 'tags', rawArgsAll));
    } else {
      out.push(db.prepare(`SELECT ${ROW_COLUMNS} ${rollupWhere(60, 0)} LIMIT ${MAX_ROWS + 1}`).bind(...minuteArgs));
      out.push(db.prepare(`SELECT ${ROW_COLUMNS} ${rollupWhere(3600, 0)} LIMIT ${MAX_ROWS + 1}`).bind(...hourArgs));
      out.push(db.prepare(`SELECT ${POINT_COLUMNS} ${rawWhere(0)} ORDER BY id LIMIT ${MAX_ROWS + 1}`).bind(...rawArgsAll));
    }
  }
  return out;
}

const zero = () => ({ good: 0, total: 0 });

function bounded(slo, results) {
  const limit = slo.kind === 'availability' ? MAX_SERIES : MAX_ROWS;
  if (results.length > limit) throw new Error(`SLO ${slo.name}: more than ${limit} ${slo.kind === 'availability' ? 'series' : 'rows'} in one of its windows; narrow it with a route`);
  return results;
}

// -> Map(slo name -> { '5m', '30m', '1h', '6h', '3d', compliance: { good, total }, unmeasured, skipped })
export async function countWindows(db, slos, now) {
  const out = new Map();
  if (slos.length === 0) return out;
  // The cursors the statements were planned with are read again inside their batch (one
  // transaction: developers.cloudflare.com/d1/worker-api/d1-database/#batch); when the cron
  // committed in between, the rows and the raw points would overlap or leave a gap, so the read
  // starts over with the new cursors.
  let cursor = cursorsOf(await db.prepare(CURSORS).first());
  let results = null;
  for (let read = 1; results === null; read++) {
    const [seen, ...rest] = await db.batch([db.prepare(CURSORS), ...statements(db, slos, now, cursor)]);
    const current = cursorsOf(seen.results[0]);
    if (sameCursors(current, cursor)) results = rest;
    else if (read >= MAX_READS) throw new Error(`the rollup cursors moved during ${MAX_READS} SLO reads in a row`);
    else cursor = current;
  }
  const tagsOf = seriesParser();
  const inWindow = (bucket, ms) => bucket >= now - ms && bucket < now;
  let skipped = 0;
  slos.forEach((slo, i) => {
    const counts = Object.fromEntries([...Object.keys(BURN_WINDOWS), 'compliance'].map((w) => [w, zero()]));
    counts.unmeasured = 0;
    const [minutes, hours, raw] = [0, 1, 2].map((k) => bounded(slo, results[3 * i + k].results));
    if (slo.kind === 'availability') {
      const b = bounds(slo, now, cursor.hourEnd);
      const addSums = (rows, windows) => {
        for (const r of rows) {
          const bad = rowCounts(slo, { series: r.series, count: 1 }, tagsOf).good === 0;
          windows.forEach(([w], k) => {
            const n = Number(r[`w${k}`] ?? 0);
            counts[w].total += n;
            if (!bad) counts[w].good += n;
          });
        }
      };
      addSums(minutes, b.minute);
      addSums(hours, b.hour);
      addSums(raw, b.raw);
    } else {
      const add = (row, windows) => {
        const c = rowCounts(slo, row, tagsOf);
        counts.unmeasured += c.unmeasured;
        for (const w of windows) {
          counts[w].good += c.good;
          counts[w].total += c.total;
        }
      };
      const rowOf = (r) => ({ bucket: r.bucket, series: r.series, unit: r.unit ?? null, count: r.count ?? null, exponential: parseJson(r.exponential), bounds: parseJson(r.bounds), bucketCounts: parseJson(r.bucket_counts) });
      for (const r of minutes) {
        const row = rowOf(r);
        const windows = SHORT.filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w);
        // Minute rows of hours already in the hour rollups are read from those instead.
        if (row.bucket >= cursor.hourEnd) windows.push(...windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
        add(row, windows);
      }
      for (const r of hours) {
        const row = rowOf(r);
        add(row, windowsOf(slo).filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
      }
      // The raw points folded into minute rows as the cron will fold them (rollup/fold.js).
      const folded = foldPoints(raw.map((r) => pointFromDb({ ...r, name: REQUEST_METRIC })), MINUTE_S);
      skipped += folded.skipped;
      for (const row of folded.rows.values()) add(row, [...SHORT, ...windowsOf(slo)].filter(([, ms]) => inWindow(row.bucket, ms)).map(([w]) => w));
    }
    out.set(slo.name, counts);
  });
  // Points left out of the folds (their type differs from their series'), over all SLOs.
  for (const counts of out.values()) counts.skipped = skipped;
  return out;
}

function parseJson(text) {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
