// The cron's rollups: raw metric points into per-minute rows, complete hours of minute rows into
// per-hour rows (the `rollups` table, migration 0002), with the folding rules of
// rollup/fold.js. Queries fold the raw points past the minute cursor themselves, so the cron only
// makes reads cheaper; it must never count a point twice or lose one:
//
// - Minutes: the points after cursor 'minute' (at most `maxPoints` per run, in id order) are
//   folded into the stored rows of their minutes (read, merge, write) and the rows and the new
//   cursor are written in ONE D1 batch (one transaction:
//   developers.cloudflare.com/d1/worker-api/d1-database/#batch), so a crash leaves either both or
//   neither. A point that arrives late, for a minute already rolled, lands in that minute's row
//   the same way (it is after the id cursor). When its hour was already rolled up too, the same
//   batch merges the point into that hour's row, so hours never miss a late point.
// - Hours: an hour is rolled once it ended more than GRACE_MS ago and before the minute of the
//   oldest point the minute step has not reached (so a backlog does not hold hours back); its
//   hour rows are computed afresh from its minute rows, and
//   written with cursor 'hour' (= that hour's start) in one batch. Hours without data are skipped.
// - Every batch starts with a compare-and-set of its cursor that fails (NOT NULL on last_id) when
//   either cursor moved since it was read: two overlapping cron runs (a run outlasting its minute)
//   cannot both fold the same points; the loser writes nothing and the next run goes on.
//
// Statement count matters: D1 allows 1000 queries per invocation (50 on the free plan:
// developers.cloudflare.com/d1/platform/limits/), so rows travel as JSON in one bound parameter
// (at most 100 per query, strings up to 2 MB) and are unpacked with json_each.
import { HOUR, MINUTE, ROLLUP_COLUMNS, bucketStart, foldPoints, mergeRows, pointFromDb, reWindow, rowFromDb, rowFromPoint, rowKey, rowToDb } from '../rollup/fold.js';

export const HOUR_MS = HOUR * 1000;
// An hour is rolled once it ended this long ago: senders flush at the end of each invocation,
// so the last points of an hour arrive within moments of it.
export const GRACE_MS = 2 * 60_000;
// Each JSON parameter stays well under D1's 2,000,000-byte string limit.
const CHUNK_BYTES = 900_000;

export class CursorMovedError extends Error {
  constructor() {
    super('another cron run moved the rollup cursor first; nothing was written by this one');
    this.name = 'CursorMovedError';
  }
}
const isCursorMoved = (e) => /NOT NULL constraint failed: rollup_cursor\.last_id/.test(String(e?.message ?? e));

export async function readCursors(db) {
  const rows = (await db.prepare("SELECT name, last_id FROM rollup_cursor WHERE name IN ('minute', 'hour')").all()).results;
  const of = (name) => rows.find((r) => r.name === name)?.last_id ?? null;
  return { minute: of('minute'), hour: of('hour') };
}

// Sets cursor `name` to `value` only if both cursors still hold `seen`; otherwise last_id becomes
// NULL, which the NOT NULL constraint refuses, failing (and rolling back) the whole batch.
function cursorUpdate(db, name, value, seen, now) {
  return db
    .prepare(
      'INSERT OR REPLACE INTO rollup_cursor (name, last_id, updated) SELECT ?, CASE WHEN ' +
        "(SELECT last_id FROM rollup_cursor WHERE name = 'minute') IS ? AND (SELECT last_id FROM rollup_cursor WHERE name = 'hour') IS ? " +
        'THEN ? ELSE NULL END, ?',
    )
    .bind(name, seen.minute, seen.hour, value, now);
}

// Lists cut so each one's JSON text stays under CHUNK_BYTES.
function chunks(items) {
  const out = [];
  let current = [];
  let bytes = 2;
  for (const item of items) {
    const size = JSON.stringify(item).length + 1;
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      out.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const COLUMN_LIST = ROLLUP_COLUMNS.join(', ');
const UNPACK = ROLLUP_COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ');

// INSERT OR REPLACE statements writing `rows` (whole rows: the key's previous row is replaced).
export function writeRows(db, rows) {
  return chunks(rows.map(rowToDb)).map((chunk) => db.prepare(`INSERT OR REPLACE INTO rollups (${COLUMN_LIST}) SELECT ${UNPACK} FROM json_each(?)`).bind(JSON.stringify(chunk)));
}

// The stored rows with the keys of `rows`, as a Map by rowKey.
export async function readRows(db, rows) {
  const keys = rows.map((r) => [r.service, r.name, r.resolution, r.bucket, r.series]);
  const found = new Map();
  for (const chunk of chunks(keys)) {
    const sql =
      `SELECT r.* FROM json_each(?) AS k CROSS JOIN rollups AS r ON r.service = json_extract(k.value, '$[0]') AND r.name = json_extract(k.value, '$[1]') ` +
      "AND r.resolution = json_extract(k.value, '$[2]') AND r.bucket = json_extract(k.value, '$[3]') AND r.series = json_extract(k.value, '$[4]')";
    for (const r of (await db.prepare(sql).bind(JSON.stringify(chunk)).all()).results) {
      const row = rowFromDb(r);
      found.set(rowKey(row), row);
    }
  }
  return found;
}

// Raw points as fold.js takes them; a row that cannot be read (JSON columns that do not parse:
// written by something other than the collector) is counted and left out, never retried forever.
function readablePoints(rows) {
  const points = [];
  let unreadable = 0;
  for (const r of rows) {
    try {
      points.push(pointFromDb(r));
    } catch {
      unreadable += 1;
    }
  }
  return { points, unreadable };
}

// Distinct rows (by key) of `points` at `resolution`, each the point's own row: the keys to read.
function keysOf(points, resolution) {
  const rows = new Map();
  for (const p of points) {
    const row = rowFromPoint(p, resolution);
    rows.set(rowKey(row), row);
  }
  return [...rows.values()];
}

// New points must get ids above the cursor, or they are never rolled up nor queried. Migration
// 0003 makes metric_points AUTOINCREMENT (ids never reused: sqlite.org/autoinc.html); before it,
// SQLite numbered a new row max(id) + 1, below the cursor once retention deleted the newest
// points. Checked when no point waits (one cheap statement): the table's sequence (or, without
// AUTOINCREMENT, its highest id while rows remain) below the cursor is logged as an error.
async function checkIdsPastCursor(db, cursor) {
  let r;
  try {
    r = await db.prepare("SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'metric_points') AS seq, (SELECT max(id) FROM metric_points) AS top").first();
  } catch {
    // A database that refuses to show SQLite's own tables: the highest id alone.
    r = { seq: null, top: (await db.prepare('SELECT max(id) AS top FROM metric_points').first()).top };
  }
  const behind = r.seq === null ? r.top !== null && r.top < cursor : r.seq < cursor;
  if (behind) {
    console.error(
      `edgescope collector cron: metric_points ids (${r.seq ?? r.top}) are below the rollup cursor (${cursor}): new points would never be rolled up nor queried; ` +
        'apply migration 0003_autoincrement.sql (wrangler d1 migrations apply)',
    );
  }
  return behind;
}

// The time (ms) of the oldest point after cursor 'minute', or null when none waits.
export async function oldestUnrolled(db) {
  const r = await db.prepare("SELECT min(time) AS t FROM metric_points WHERE id > coalesce((SELECT last_id FROM rollup_cursor WHERE name = 'minute'), 0)").first();
  return r?.t ?? null;
}

// One run of the minute step. -> { points, unreadable, skipped (type conflicts with a minute or
// rolled-up hour row), minuteRows, hourRows, cursor, drained (no backlog left), moved (another
// run won) }
export async function rollMinutes(db, now, { maxPoints = 5000 } = {}) {
  const seen = await readCursors(db);
  const raw = (await db.prepare('SELECT * FROM metric_points WHERE id > ? ORDER BY id LIMIT ?').bind(seen.minute ?? 0, maxPoints).all()).results;
  const result = { points: raw.length, unreadable: 0, skipped: 0, minuteRows: 0, hourRows: 0, cursor: seen.minute, drained: raw.length < maxPoints, moved: false };
  if (raw.length === 0) {
    if (seen.minute !== null) await checkIdsPastCursor(db, seen.minute);
    return result;
  }
  const { points, unreadable } = readablePoints(raw);
  result.unreadable = unreadable;

  const minuteKeys = keysOf(points, MINUTE);
  const minutes = foldPoints(points, MINUTE, await readRows(db, minuteKeys));
  const minuteRows = minuteKeys.map((k) => minutes.rows.get(rowKey(k))).filter(Boolean);
  result.skipped = minutes.skipped;
  result.reasons = minutes.reasons;

  // Late points for hours already rolled up: merged into those hours' rows in the same batch.
  const late = seen.hour === null ? [] : points.filter((p) => bucketStart(p.time, HOUR) <= seen.hour);
  let hourRows = [];
  if (late.length > 0) {
    const hourKeys = keysOf(late, HOUR);
    const hours = foldPoints(late, HOUR, await readRows(db, hourKeys));
    hourRows = hourKeys.map((k) => hours.rows.get(rowKey(k))).filter(Boolean);
    result.skipped += hours.skipped;
  }

  const lastId = raw[raw.length - 1].id;
  try {
    await db.batch([cursorUpdate(db, 'minute', lastId, seen, now), ...writeRows(db, minuteRows), ...writeRows(db, hourRows)]);
  } catch (e) {
    if (!isCursorMoved(e)) throw e;
    return { ...result, moved: true, drained: false };
  }
  return { ...result, minuteRows: minuteRows.length, hourRows: hourRows.length, cursor: lastId };
}

// The start of the next hour with minute rows after cursor 'hour', or null.
async function nextHour(db, cursorHour) {
  const r = await db.prepare('SELECT min(bucket) AS b FROM rollups WHERE resolution = ? AND bucket >= ?').bind(MINUTE, cursorHour === null ? -Number.MAX_VALUE : cursorHour + HOUR_MS).first();
  return r?.b === null || r?.b === undefined ? null : bucketStart(r.b, HOUR);
}

// The hour rows of hour `start`, folded from its minute rows in time order, page by page. Pages
// follow the rollups(resolution, bucket) index (bucket, then rowid), so each page reads only its
// own rows and no sort is needed; each series still sees its minutes in time order.
async function foldHour(db, start, pageRows) {
  const rows = new Map();
  let read = 0;
  let skipped = 0;
  let after = null;
  for (;;) {
    const keyset = after ? 'AND (bucket, rowid) > (?, ?) ' : '';
    const sql = `SELECT rowid AS row_id, * FROM rollups WHERE resolution = ? AND bucket >= ? AND bucket < ? ${keyset}ORDER BY bucket, rowid LIMIT ?`;
    const params = [MINUTE, start, start + HOUR_MS, ...(after ? [after.bucket, after.row_id] : []), pageRows];
    const page = (await db.prepare(sql).bind(...params).all()).results;
    for (const r of page) {
      let minute;
      try {
        minute = rowFromDb(r);
      } catch {
        skipped += 1;
        continue;
      }
      const own = reWindow(minute, HOUR);
      const key = rowKey(own);
      const row = rows.get(key);
      try {
        rows.set(key, row ? mergeRows(row, own) : own);
      } catch {
        // A series whose type changed within the hour (RollupConflictError), or a minute row whose
        // sketch cannot merge (SketchError, rows written before sketches were checked at ingest):
        // it stays in its minute row and is counted here, so one bad row never stops the hours.
        skipped += 1;
      }
    }
    read += page.length;
    if (page.length < pageRows) break;
    after = page[page.length - 1];
  }
  return { rows: [...rows.values()], read, skipped };
}

// The hour step: complete hours, oldest first, at most `maxHours` and (between hours) about
// `maxMinuteRows` minute rows read per run, `pageRows` per query. -> { hours: [start...],
// hourRows, minuteRowsRead, skipped, cursor, moved }
// `before` (ms, optional): only hours ending at or before it (the minute of the oldest point the
// minute step has not reached: an hour rolled earlier would have its raw points merged in one by
// one as late points). `more()` (optional): false stops before the next hour (the run's budget).
export async function rollHours(db, now, { maxHours = 24, maxMinuteRows = 50_000, pageRows = 2000, before = Infinity, more = () => true } = {}) {
  const result = { hours: [], hourRows: 0, minuteRowsRead: 0, skipped: 0, cursor: null, moved: false };
  while (result.hours.length < maxHours && result.minuteRowsRead < maxMinuteRows && more()) {
    const seen = await readCursors(db);
    result.cursor = seen.hour;
    const start = await nextHour(db, seen.hour);
    if (start === null || start + HOUR_MS > now - GRACE_MS || start + HOUR_MS > before) break;
    const folded = await foldHour(db, start, pageRows);
    try {
      await db.batch([cursorUpdate(db, 'hour', start, seen, now), ...writeRows(db, folded.rows)]);
    } catch (e) {
      if (!isCursorMoved(e)) throw e;
      result.moved = true;
      break;
    }
    result.hours.push(start);
    result.hourRows += folded.rows.length;
    result.minuteRowsRead += folded.read;
    result.skipped += folded.skipped;
    result.cursor = start;
  }
  return result;
}
