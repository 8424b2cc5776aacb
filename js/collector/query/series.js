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

// The rollup cursors as one statement of a batch reads them: { minute (0 before the first run),
// hour (null before the first hour) }. A batch is one transaction
// (developers.cloudflare.com/d1/worker-api/d1-database/#batch), so the cursor it reads is the one
// its other statements' rows agree with.
const CURSORS = "SELECT (SELECT last_id FROM rollup_cursor WHERE name = 'minute') AS minute, (SELECT last_id FROM rollup_cursor WHERE name = 'hour') AS hour";
const cursorsOf = (result) => ({ minute: result.results[0]?.minute ?? 0, hour: result.results[0]?.hour ?? null });

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
// Where the cron folds a raw point: its minute row, and (a late point for an hour already rolled
// up) its hour row. -> the index of the slice that reads that row, or -1.
function sliceOf(all, point, tail) {
  const minute = Math.floor(point.time / MINUTE) * MINUTE;
  const [resolution, bucket] = minute < tail ? [3600, Math.floor(minute / HOUR) * HOUR] : [60, minute];
  return all.findIndex(([r, start, stop]) => r === resolution && bucket >= start && bucket < stop);
}

export async function scanRows(db, { names, service, from, to, ms }, visit) {
  const end = Math.floor(to / MINUTE) * MINUTE + MINUTE; // exclusive: the minute holding `to`
  const inNames = `name IN (${names.map(() => '?').join(', ')})`;
  const bySvc = service === undefined ? '' : ' AND service = ?';
  const svc = service === undefined ? [] : [service];

  // The raw points first, with the cursors in the same batch (one transaction: the points are
  // exactly those after the cursor read), so a backlog is refused before any slice is read.
  const [first, rawResult] = await db.batch([
    db.prepare(CURSORS),
    db
      .prepare(`SELECT * FROM metric_points WHERE id > coalesce((SELECT last_id FROM rollup_cursor WHERE name = 'minute'), 0) AND time >= ? AND time < ? AND ${inNames}${bySvc} ORDER BY id LIMIT ?`)
      .bind(from, end, ...names, ...svc, MAX_RAW + 1),
  ]);
  const cursor = cursorsOf(first);
  const raw = rawResult.results;
  if (raw.length > MAX_RAW) {
    console.warn(`edgescope collector: more than ${MAX_RAW} metric points await the rollup; queries wait for the cron trigger`);
    throw new HttpError(503, `more than ${MAX_RAW} metric points are not rolled up yet; retry after the cron trigger has run`, undefined, { 'retry-after': '60' });
  }

  // Each slice batch reads the minute cursor too: when the cron committed between two batches,
  // the slices read after it already hold the points up to the new cursor, so those points are
  // left out of the raw rows below for exactly those slices (never counted twice, never lost).
  const all = slices(from, end, ms, cursor.hour);
  const seenBy = new Array(all.length).fill(cursor.minute);
  let total = 0;
  for (let i = 0; i < all.length; i += SLICES_PER_BATCH) {
    const statements = all.slice(i, i + SLICES_PER_BATCH).map(([resolution, start, stop]) =>
      db
        .prepare(`SELECT * FROM rollups WHERE resolution = ? AND bucket >= ? AND bucket < ? AND ${inNames}${bySvc} LIMIT ?`)
        .bind(resolution, start, stop, ...names, ...svc, CHUNK_ROWS + 1),
    );
    const [seen, ...results] = await db.batch([db.prepare(CURSORS), ...statements]);
    seenBy.fill(cursorsOf(seen).minute, i, i + statements.length);
    for (const { results: rows } of results) {
      total += rows.length;
      if (rows.length > CHUNK_ROWS || total > MAX_ROWS) {
        throw badParam('window', `holds more rollup rows than one query reads (${CHUNK_ROWS} per slice, ${MAX_ROWS} in all); pick a shorter window or one service`);
      }
      for (const r of rows) visit(rowFromDb(r));
    }
  }

  // The raw points not yet in the slices that read their rows, folded into minute rows in id
  // order, as the cron folds them.
  const tail = all.some(([resolution]) => resolution === 3600) ? cursor.hour + HOUR : -Infinity;
  const points = raw.map(pointFromDb).filter((p) => {
    const at = sliceOf(all, p, tail);
    return p.id > (at === -1 ? cursor.minute : seenBy[at]);
  });
  const { rows, skipped } = foldPoints(points, MINUTE_RESOLUTION);
  if (skipped > 0) console.warn(`edgescope collector: ${skipped} metric points left out of a query: their type differs from their series'`);
  for (const row of rows.values()) visit(row);
}
