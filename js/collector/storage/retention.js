// Retention per table, run by the cron after the rollups: each table keeps its rows for its own
// period (config `retention`), and nothing a rollup still needs goes first:
//
// - metric_points: only points the minute rollups already hold (id <= cursor 'minute') AND older
//   than their retention; spans (by start_time) and logs (by time) by age.
// - rollups: minute rows only once their hour is rolled up (bucket before cursor 'hour' + 1 h)
//   AND older than their retention; hour rows by age.
// - error_minutes by minute; errors (one row per fingerprint) when not seen for their period;
//   alerts only once resolved, by resolved_at.
// - batches (the de-duplication keys of accepted payloads) have no time of their own: a batch row
//   goes once none of its records remain, i.e. it lives as long as the longest-kept raw table
//   keeps its records (D1 enforces the records' foreign keys to it, so it could not go earlier).
//   Whether a batch still has records is read from arrival order (there is no index on batch_id):
//   every batch that arrived before the oldest remaining record's batch goes. A batch of old
//   records that arrived late waits for the batches before it: at most one retention period.
//
// Every delete is bounded (at most `maxDeletes` rows per table per run), and finds its rows
// through an index on their time (migration 0002), so a run stays small and a backlog is worked
// off over the next runs.
import { EdgescopeConfigError } from '../../config.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const DAY = UNIT_MS.d;
const HOUR_MS = UNIT_MS.h;

// Default periods (ms). Raw rows a week (metric points 2 days: the rollups keep them), minute
// rollups 8 days (a 7-day query window at minute steps), hour rollups 90 days (30-day SLO windows
// and room around them), error minutes 31 days, fingerprints and resolved alerts 90 days.
export const DEFAULT_RETENTION = Object.freeze({
  spans: 7 * DAY,
  logs: 7 * DAY,
  metricPoints: 2 * DAY,
  rollupsMinute: 8 * DAY,
  rollupsHour: 90 * DAY,
  errorMinutes: 31 * DAY,
  errors: 90 * DAY,
  alerts: 90 * DAY,
});

// `retention`: { <table key>: '<n>m' | '<n>h' | '<n>d' }, each optional (defaults above).
export function validateRetention(value) {
  if (value === undefined) return DEFAULT_RETENTION;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EdgescopeConfigError('collector.retention', "an object of periods like { spans: '7d' }", value);
  const out = { ...DEFAULT_RETENTION };
  for (const [key, period] of Object.entries(value)) {
    if (!(key in DEFAULT_RETENTION)) throw new EdgescopeConfigError(`collector.retention.${key}`, `absent (known keys: ${Object.keys(DEFAULT_RETENTION).join(', ')})`, period);
    const m = typeof period === 'string' ? /^([1-9][0-9]{0,5})([mhd])$/.exec(period) : null;
    if (!m) throw new EdgescopeConfigError(`collector.retention.${key}`, "a period: a positive whole number of minutes, hours or days, like '30m', '36h' or '7d'", period);
    out[key] = Number(m[1]) * UNIT_MS[m[2]];
  }
  return Object.freeze(out);
}

// The ids of rows of `table` whose `column` is before ?2, at most ?1, found through the
// (service, <time>) index of migration 0002: one index seek per service (a recursive walk over the
// distinct services, SQLite's "skip-scan" by hand), then a range per service, so a run reads
// about as many rows as it deletes however large the table is. Rows without a service are
// looked up in the index's NULL range.
const expiredIds = (table, column) =>
  `WITH RECURSIVE s(v) AS (SELECT (SELECT min(service) FROM ${table}) UNION ALL SELECT (SELECT min(service) FROM ${table} WHERE service > s.v) FROM s WHERE s.v IS NOT NULL) ` +
  `SELECT id FROM (SELECT x.id FROM s CROSS JOIN ${table} AS x ON x.service = s.v AND x.${column} < ?2 UNION ALL SELECT id FROM ${table} WHERE service IS NULL AND ${column} < ?2) LIMIT ?1`;

// The batch rowid of the oldest record of `table` that has a batch id, looking only at its first
// ?1 rows: -1 (delete no batch) when those hold none and the table holds more; NULL when the
// table has no records with a batch id at all (it then holds back no batch).
const oldestReferenced = (table) =>
  `SELECT coalesce((SELECT b.rowid FROM batches AS b WHERE b.batch_id = (SELECT batch_id FROM (SELECT id, batch_id FROM ${table} ORDER BY id LIMIT ?1) WHERE batch_id IS NOT NULL ORDER BY id LIMIT 1)), ` +
  `CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT ?1 + 1)) > ?1 THEN -1 END) AS r`;

// One DELETE per table: [name, sql, params(n, cutoffs)]; null params = skip this run.
function deletes(retention, now, cursors) {
  const cut = (key) => now - retention[key];
  const hourRolled = cursors.hour === null ? null : cursors.hour + HOUR_MS;
  return [
    ['spans', `DELETE FROM spans WHERE id IN (${expiredIds('spans', 'start_time')})`, [cut('spans')]],
    // Logs always have a time: ingest dates one sent without it when it is received.
    ['logs', `DELETE FROM logs WHERE id IN (${expiredIds('logs', 'time')})`, [cut('logs')]],
    // Through the metric_points(time) index; points after the cursor are skipped, not deleted.
    ['metric_points', 'DELETE FROM metric_points WHERE id IN (SELECT id FROM metric_points WHERE time < ?2 AND id <= ?3 LIMIT ?1)', cursors.minute === null ? null : [cut('metricPoints'), cursors.minute]],
    ['rollups (minute)', 'DELETE FROM rollups WHERE rowid IN (SELECT rowid FROM rollups WHERE resolution = 60 AND bucket < ?2 LIMIT ?1)', hourRolled === null ? null : [Math.min(cut('rollupsMinute'), hourRolled)]],
    ['rollups (hour)', 'DELETE FROM rollups WHERE rowid IN (SELECT rowid FROM rollups WHERE resolution = 3600 AND bucket < ?2 LIMIT ?1)', [cut('rollupsHour')]],
    ['error_minutes', 'DELETE FROM error_minutes WHERE rowid IN (SELECT rowid FROM error_minutes WHERE bucket < ?2 LIMIT ?1)', [cut('errorMinutes')]],
    ['errors', 'DELETE FROM errors WHERE rowid IN (SELECT rowid FROM errors WHERE last_seen < ?2 LIMIT ?1)', [cut('errors')]],
    ['alerts', "DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts WHERE state = 'resolved' AND resolved_at < ?2 LIMIT ?1)", [cut('alerts')]],
    // After the raw tables, in the same run: batches whose records just went can go too. The
    // bound is computed inside the statement, so a payload stored meanwhile is never caught.
    [
      'batches',
      'DELETE FROM batches WHERE rowid IN (SELECT rowid FROM batches WHERE rowid < (SELECT coalesce(min(r), 9007199254740991) FROM ' +
        `(${oldestReferenced('spans')} UNION ALL ${oldestReferenced('logs')} UNION ALL ${oldestReferenced('metric_points')}) WHERE r IS NOT NULL) ORDER BY rowid LIMIT ?1)`,
      [],
    ],
  ];
}

// Runs every table's bounded delete. -> { deleted: { table: rows }, failed: { table: message } }
// A failing delete is reported and the others still run; nothing is half-deleted (one statement
// is one transaction).
export async function applyRetention(db, retention, now, cursors, { maxDeletes = 5000 } = {}) {
  const deleted = {};
  const failed = {};
  for (const [table, sql, params] of deletes(retention, now, cursors)) {
    if (params === null) continue;
    try {
      const r = await db.prepare(sql).bind(maxDeletes, ...params).run();
      const n = r.meta?.changes ?? 0;
      if (n > 0) deleted[table] = n;
    } catch (e) {
      failed[table] = String(e?.message ?? e);
    }
  }
  return { deleted, failed };
}

// The periods the readers need kept (checked at config time, so a deploy cannot silently answer
// from part of its data): the query API reads windows up to 24 h from minute rollups
// (query/params.js MINUTE_WINDOW_MAX) and the SLO burn windows up to 6 h from them, so minute rows
// stay at least 25 h (the day plus the hour the cron may lag); longer windows and every SLO's
// compliance window (and its 3-day burn window) read hour rollups, so hour rows stay at least the
// longest of those plus a day. -> retention, or an EdgescopeConfigError naming the field.
export const MIN_MINUTE_ROLLUPS = 25 * HOUR_MS;
export function checkRetentionWindows(retention, slos = []) {
  if (retention.rollupsMinute < MIN_MINUTE_ROLLUPS) {
    throw new EdgescopeConfigError('collector.retention.rollupsMinute', "at least '25h' (24 h query windows and SLO burn windows read minute rollups)", retention.rollupsMinute / HOUR_MS + 'h');
  }
  const longest = Math.max(3, ...slos.map((s) => s.windowDays));
  if (retention.rollupsHour < (longest + 1) * DAY) {
    throw new EdgescopeConfigError('collector.retention.rollupsHour', `at least '${longest + 1}d' (the longest SLO or burn window, ${longest} days, reads hour rollups, plus a day)`, retention.rollupsHour / DAY + 'd');
  }
  return retention;
}
