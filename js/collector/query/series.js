// The stored rows of some metrics over a window, as rollup rows (rollup/fold.js's row objects),
// handed one at a time to a visitor so that a long window never holds all of them at once:
// what the cron trigger has rolled up, plus the raw metric points it has not reached yet, folded
// here the same way (fold.js), so a point shows up in every answer the moment it is stored and
// the answer does not change when the cron rolls it up.
//
//   window <= 24 h: minute rows (resolution 60) from the window's first minute on;
//   longer:         hour rows (resolution 3600) up to the hour cursor, then the minute rows of
//                   the hours not rolled into an hour row yet;
//   both:           raw points with an id past the 'minute' cursor, folded into minute rows and
//                   visited after every stored row (as the cron would fold them in: later).
//
// The visitor sees a raw minute row separately from a stored row of the same minute and series;
// what the query API computes from them (sums, counts, exact sketch merges, a gauge's latest
// value) does not depend on that split.
//
// Bounds (Workers: 128 MB per isolate; every D1 statement has a LIMIT): stored rows are read in
// time slices (an hour of minute rows, a day of hour rows), at most CHUNK_ROWS each and MAX_ROWS
// in all; past either the query is refused (400 naming `window`: narrow it or pick a service)
// rather than answered from part of the data. More than MAX_RAW points waiting for the rollup is
// a 503: the cron trigger catches up, then the query is cheap again.
import { HttpError } from '../http/http-error.js';
import { MINUTE as MINUTE_RESOLUTION, foldPoints, pointFromDb, rowFromDb } from '../rollup/fold.js';
import { MINUTE_WINDOW_MAX, badParam } from './params.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const CHUNK_ROWS = 20_000;
export const MAX_ROWS = 250_000;
export const MAX_RAW = 20_000;
// Slices per D1 batch (one round trip each).
const SLICES_PER_BATCH = 8;

// { minute, hour }: the rollup cursors (0 and null before the cron's first run).
async function cursors(db) {
  const { results } = await db.prepare("SELECT name, last_id FROM rollup_cursor WHERE name IN ('minute', 'hour') LIMIT 2").all();
  const out = { minute: 0, hour: null };
  for (const r of results) out[r.name] = r.last_id;
  return out;
}

// [resolution, start, stop) slices of stored rows the window reads, oldest first.
function slices(from, end, ms, hourCursor) {
  const out = [];
  const cut = (resolution, start, stop, size) => {
    for (let t = start; t < stop; t = Math.floor(t / size) * size + size) out.push([resolution, t, Math.min(stop, Math.floor(t / size) * size + size)]);
  };
  if (ms > MINUTE_WINDOW_MAX && hourCursor !== null && hourCursor >= from) {
    const tail = hourCursor + HOUR;
    cut(3600, from, Math.min(tail, end), DAY);
    cut(60, Math.max(from, tail), end, HOUR);
  } else {
    cut(60, from, end, HOUR);
  }
  return out;
}

// names: the metric names to read; service: one service or undefined for all; from (aligned)
// and to (ms) from params.windowRange; ms: the window's length. visit(row) for every row.
export async function scanRows(db, { names, service, from, to, ms }, visit) {
  const cursor = await cursors(db);
  const end = Math.floor(to / MINUTE) * MINUTE + MINUTE; // exclusive: the minute holding `to`
  const inNames = `name IN (${names.map(() => '?').join(', ')})`;
  const bySvc = service === undefined ? '' : ' AND service = ?';
  const svc = service === undefined ? [] : [service];

  // The raw points first (one statement), so a backlog is refused before any slice is read.
  const raw = (
    await db
      .prepare(`SELECT * FROM metric_points WHERE id > ? AND time >= ? AND time < ? AND ${inNames}${bySvc} ORDER BY id LIMIT ?`)
      .bind(cursor.minute, from, end, ...names, ...svc, MAX_RAW + 1)
      .all()
  ).results;
  if (raw.length > MAX_RAW) {
    console.warn(`edgescope collector: more than ${MAX_RAW} metric points await the rollup; queries wait for the cron trigger`);
    throw new HttpError(503, `more than ${MAX_RAW} metric points are not rolled up yet; retry after the cron trigger has run`, undefined, { 'retry-after': '60' });
  }

  const all = slices(from, end, ms, cursor.hour);
  let total = 0;
  for (let i = 0; i < all.length; i += SLICES_PER_BATCH) {
    const statements = all.slice(i, i + SLICES_PER_BATCH).map(([resolution, start, stop]) =>
      db
        .prepare(`SELECT * FROM rollups WHERE resolution = ? AND bucket >= ? AND bucket < ? AND ${inNames}${bySvc} LIMIT ?`)
        .bind(resolution, start, stop, ...names, ...svc, CHUNK_ROWS + 1),
    );
    for (const { results } of await db.batch(statements)) {
      total += results.length;
      if (results.length > CHUNK_ROWS || total > MAX_ROWS) {
        throw badParam('window', `holds more rollup rows than one query reads (${CHUNK_ROWS} per slice, ${MAX_ROWS} in all); pick a shorter window or one service`);
      }
      for (const r of results) visit(rowFromDb(r));
    }
  }

  // The raw points folded into minute rows in id order, as the cron folds them.
  const { rows, skipped } = foldPoints(raw.map(pointFromDb), MINUTE_RESOLUTION);
  if (skipped > 0) console.warn(`edgescope collector: ${skipped} metric points left out of a query: their type differs from their series'`);
  for (const row of rows.values()) visit(row);
}
