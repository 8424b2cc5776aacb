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
