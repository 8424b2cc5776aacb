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
//   keeps its records. D1 enforces the records' foreign keys to it, so it could not go earlier.
//
// Every delete is bounded (at most `maxDeletes` rows per table per run, picked by rowid), so a
// run stays small and a backlog is worked off over the next runs. Raw tables are aged from their
// oldest rows (the first `maxDeletes` by id): a row that arrived out of time order (an old
// timestamp behind newer ones) goes when it reaches the front, at most one retention period late.
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

// The oldest `n` rows of a raw table (by id): the only ones a run looks at.
const head = (table) => `SELECT id FROM ${table} ORDER BY id LIMIT ?1`;

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
    ['spans', `DELETE FROM spans WHERE id IN (${head('spans')}) AND start_time < ?2`, [cut('spans')]],
    // A log without a time (native senders may omit it) goes with the timed logs after it.
    ['logs', `DELETE FROM logs WHERE id IN (${head('logs')}) AND (time < ?2 OR (time IS NULL AND id < (SELECT max(id) FROM logs WHERE id IN (${head('logs')}) AND time < ?2)))`, [cut('logs')]],
    ['metric_points', `DELETE FROM metric_points WHERE id IN (${head('metric_points')}) AND id <= ?3 AND time < ?2`, cursors.minute === null ? null : [cut('metricPoints'), cursors.minute]],
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
