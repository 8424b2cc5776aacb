// The stored rows of some metrics over a window, as rollup rows (rollup/fold.js's row objects):
// what the cron trigger has rolled up, plus the raw metric points it has not reached yet, folded
// here the same way (fold.js), so a point shows up in every answer the moment it is stored and
// the answer does not change when the cron rolls it up.
//
//   window <= 24 h: minute rows (resolution 60) from the window's first minute on;
//   longer:         hour rows (resolution 3600) up to the hour cursor, then the minute rows of
//                   the hours not rolled into an hour row yet;
//   both:           raw points with an id past the 'minute' cursor, folded into minute rows.
//
// Bounds: each statement has a LIMIT; a window holding more rollup rows than MAX_ROWS is refused
// (400 naming `window`: narrow it or pick a service) rather than answered from part of the data,
// and more than MAX_RAW points waiting for the rollup is a 503 (the cron trigger catches up).
import { HttpError } from '../http/http-error.js';
import { MINUTE as MINUTE_RESOLUTION, foldPoints, pointFromDb, rowFromDb, rowKey } from '../rollup/fold.js';
import { MINUTE_WINDOW_MAX, badParam } from './params.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
export const MAX_ROWS = 20_000;
export const MAX_RAW = 20_000;

// { minute, hour }: the rollup cursors (null when the cron has not run yet).
async function cursors(db) {
  const { results } = await db.prepare("SELECT name, last_id FROM rollup_cursor WHERE name IN ('minute', 'hour') LIMIT 2").all();
  const out = { minute: 0, hour: null };
  for (const r of results) out[r.name] = r.last_id;
  return out;
}

// names: the metric names to read; service: one service or undefined for all; from (aligned)
// and to (ms) from params.windowRange; ms: the window's length.
export async function readRows(db, { names, service, from, to, ms }) {
  const cursor = await cursors(db);
  const end = Math.floor(to / MINUTE) * MINUTE + MINUTE; // exclusive: the minute holding `to`
  const inNames = `name IN (${names.map(() => '?').join(', ')})`;
  const bySvc = service === undefined ? '' : ' AND service = ?';
  const svc = service === undefined ? [] : [service];
  const rollups = (resolution, start, stop) =>
    db
      .prepare(`SELECT * FROM rollups WHERE resolution = ? AND bucket >= ? AND bucket < ? AND ${inNames}${bySvc} LIMIT ?`)
      .bind(resolution, start, stop, ...names, ...svc, MAX_ROWS + 1);
  const statements = [];
  if (ms > MINUTE_WINDOW_MAX && cursor.hour !== null && cursor.hour >= from) {
    const tail = cursor.hour + HOUR;
    statements.push(rollups(3600, from, Math.min(tail, end)), rollups(60, Math.max(from, tail), end));
  } else {
    statements.push(rollups(60, from, end));
  }
  statements.push(
    db
      .prepare(`SELECT * FROM metric_points WHERE id > ? AND time >= ? AND time < ? AND ${inNames}${bySvc} ORDER BY id LIMIT ?`)
      .bind(cursor.minute, from, end, ...names, ...svc, MAX_RAW + 1),
  );
  const results = await db.batch(statements);
  const raw = results.pop().results;
  const stored = results.flatMap((r) => r.results);
  if (stored.length > MAX_ROWS) {
    throw badParam('window', `holds more than ${MAX_ROWS} rollup rows for this query; pick a shorter window or one service`);
  }
  if (raw.length > MAX_RAW) {
    console.warn(`edgescope collector: more than ${MAX_RAW} metric points await the rollup; the query waits for the cron trigger`);
    throw new HttpError(503, `more than ${MAX_RAW} metric points are not rolled up yet; retry after the cron trigger has run`, undefined, { 'retry-after': '60' });
  }
  const existing = new Map();
  for (const dbRow of stored) {
    const row = rowFromDb(dbRow);
    existing.set(rowKey(row), row);
  }
  // The raw points fold into the minute rows the cron will write them to, in id order as it does.
  const { rows, skipped } = foldPoints(raw.map(pointFromDb), MINUTE_RESOLUTION, existing);
  if (skipped > 0) console.warn(`edgescope collector: ${skipped} metric points left out of a query: their type differs from their series' rollup`);
  return [...rows.values()];
}
