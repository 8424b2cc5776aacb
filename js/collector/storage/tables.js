// The collector's second D1 migration (0002_rollups.sql), as statements: per-minute and per-hour
// rollups of the metric points, the rollup cursors, errors by fingerprint (whole and per minute),
// the alerts the SLO evaluation fires, and the indexes the query API reads by.
// scripts/collector-migrations.mjs writes these to examples/collector/migrations/0002_rollups.sql;
// tests apply the committed files in order, as `wrangler d1 migrations apply` does. A migration
// already applied to a database never changes (wrangler runs each file once): a schema change is
// a new migration, with new statements here under a new file name.
//
// Times are ms since the epoch (REAL), as in 0001. JSON columns are TEXT (D1's types:
// developers.cloudflare.com/d1/sql-api/ "Supported data types").
export const ROLLUPS_MIGRATION = '0002_rollups.sql';

export const ROLLUP_STATEMENTS = Object.freeze([
  // One row per (service, metric, resolution, window, series). resolution: 60 or 3600 (seconds);
  // bucket: the window's start (ms); series: the tags as JSON with sorted keys; route:
  // tags['http.route'] (or NULL) so the summary can group by it without parsing JSON.
  // value: counter sum of deltas, gauge last value, histogram sum. points: raw points folded in.
  'CREATE TABLE IF NOT EXISTS rollups (service TEXT NOT NULL, name TEXT NOT NULL, ' +
    'resolution INTEGER NOT NULL CHECK (resolution IN (60, 3600)), bucket REAL NOT NULL, series TEXT NOT NULL, route TEXT, ' +
    "type TEXT NOT NULL CHECK (type IN ('counter', 'updowncounter', 'gauge', 'histogram')), unit TEXT, value REAL, " +
    'count REAL, sum REAL, min REAL, max REAL, exponential TEXT, bounds TEXT, bucket_counts TEXT, points INTEGER NOT NULL, ' +
    'PRIMARY KEY (service, name, resolution, bucket, series))',
  // 'minute': the highest metric_points.id folded into the minute rollups; 'hour': the start (ms)
  // of the last hour folded into the hourly rollups.
  'CREATE TABLE IF NOT EXISTS rollup_cursor (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL, updated REAL)',
  'CREATE TABLE IF NOT EXISTS errors (service TEXT NOT NULL, fingerprint TEXT NOT NULL, severity TEXT, category TEXT, type TEXT, ' +
    'message TEXT, route TEXT, count INTEGER NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL, last_trace_id TEXT, ' +
    'PRIMARY KEY (service, fingerprint))',
  'CREATE TABLE IF NOT EXISTS error_minutes (service TEXT NOT NULL, fingerprint TEXT NOT NULL, bucket REAL NOT NULL, severity TEXT, ' +
    'count INTEGER NOT NULL, PRIMARY KEY (service, fingerprint, bucket))',
  'CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, service TEXT, ' +
    "severity TEXT NOT NULL CHECK (severity IN ('page', 'ticket')), state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')), " +
    'fired_at REAL NOT NULL, resolved_at REAL, acknowledged_at REAL, acknowledged_by TEXT, details TEXT NOT NULL, updated_at REAL)',
  // One open alert per key: a second 'firing' row for the same key is refused.
  "CREATE UNIQUE INDEX IF NOT EXISTS alerts_firing_key ON alerts (key) WHERE state = 'firing'",
  'CREATE INDEX IF NOT EXISTS spans_trace_id ON spans (trace_id)',
  'CREATE INDEX IF NOT EXISTS spans_service_start ON spans (service, start_time)',
  'CREATE INDEX IF NOT EXISTS logs_service_time ON logs (service, time)',
  'CREATE INDEX IF NOT EXISTS logs_trace_id ON logs (trace_id)',
  'CREATE INDEX IF NOT EXISTS metric_points_time ON metric_points (time)',
  'CREATE INDEX IF NOT EXISTS rollups_resolution_bucket ON rollups (resolution, bucket)',
  'CREATE INDEX IF NOT EXISTS error_minutes_bucket ON error_minutes (bucket)',
]);

// Splits a migration file into its statements the way the committed files are written: `--`
// comment lines, then statements each ending with `;` at the end of a line.
export function migrationStatements(text) {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// The collector's third migration (0003_autoincrement.sql):
//
// - metric_points rebuilt with `id INTEGER PRIMARY KEY AUTOINCREMENT`. Without AUTOINCREMENT
//   SQLite gives a new row max(rowid) + 1 (sqlite.org/autoinc.html), so once retention deleted
//   the highest ids, new points got ids at or below the rollup cursor and were never rolled up
//   nor queried. AUTOINCREMENT never reuses an id, even after its row is deleted. The rows are
//   copied with their ids; when the cursor is already past every stored id (the newest points
//   went), a placeholder row at the cursor's id is written and deleted again, which leaves the
//   table's sequence at the cursor, so the next point is numbered after it.
// - error_minutes keyed by severity as well: one row per (service, fingerprint, minute,
//   severity), so a minute with 10 WARNING and 1 CRITICAL occurrences counts 10 and 1, not 11
//   CRITICAL. severity is NOT NULL ('' = unclassified): a NULL in a primary key column would
//   never conflict (SQLite treats NULLs as distinct), so the upsert would add a row per payload.
//   Rows kept from 0002 stay under the one severity they had.
// - spans(start_time): the trace list without a service filter reads newest first through it.
//
// The statements run in one transaction (wrangler applies a migration file as one; D1 refuses
// BEGIN/COMMIT in it: developers.cloudflare.com/d1/reference/migrations/). The new tables are
// created, filled, the old ones dropped (their indexes go with them) and the new ones renamed.
// No table references metric_points or error_minutes, so D1's enforced foreign keys allow it.
export const AUTOINCREMENT_MIGRATION = '0003_autoincrement.sql';

// The placeholder row's name: no metric carries it (names are OTLP instrument names).
const SEQUENCE_MARK = 'edgescope.migration.sequence';

export const AUTOINCREMENT_STATEMENTS = Object.freeze([
  // 0001's metric_points, the same columns in the same order, with AUTOINCREMENT.
  'CREATE TABLE metric_points_0003 (id INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT REFERENCES batches(batch_id), name TEXT NOT NULL, ' +
    "type TEXT NOT NULL CHECK (type IS NULL OR type IN ('counter', 'updowncounter', 'gauge', 'histogram')), value REAL NOT NULL, unit TEXT, " +
    'time REAL NOT NULL, tags TEXT NOT NULL, service TEXT NOT NULL, count REAL, sum REAL, min REAL, max REAL, bounds TEXT, bucket_counts TEXT, ' +
    'exponential TEXT, p50 REAL, p95 REAL, p99 REAL)',
  'INSERT INTO metric_points_0003 SELECT * FROM metric_points ORDER BY id',
  'INSERT INTO metric_points_0003 (id, name, type, value, time, tags, service) ' +
    `SELECT last_id, '${SEQUENCE_MARK}', 'counter', 0, 0, '{}', '' FROM rollup_cursor WHERE name = 'minute' ` +
    'AND last_id > (SELECT coalesce(max(id), 0) FROM metric_points)',
  `DELETE FROM metric_points_0003 WHERE name = '${SEQUENCE_MARK}'`,
  'DROP TABLE metric_points',
  'ALTER TABLE metric_points_0003 RENAME TO metric_points',
  'CREATE INDEX IF NOT EXISTS metric_points_time ON metric_points (time)',
  "CREATE TABLE error_minutes_0003 (service TEXT NOT NULL, fingerprint TEXT NOT NULL, bucket REAL NOT NULL, severity TEXT NOT NULL DEFAULT '', " +
    'count INTEGER NOT NULL, PRIMARY KEY (service, fingerprint, bucket, severity))',
  "INSERT INTO error_minutes_0003 (service, fingerprint, bucket, severity, count) SELECT service, fingerprint, bucket, coalesce(severity, ''), count FROM error_minutes",
  'DROP TABLE error_minutes',
  'ALTER TABLE error_minutes_0003 RENAME TO error_minutes',
  'CREATE INDEX IF NOT EXISTS error_minutes_bucket ON error_minutes (bucket)',
  'CREATE INDEX IF NOT EXISTS spans_start ON spans (start_time)',
]);
