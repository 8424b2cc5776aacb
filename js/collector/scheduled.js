// The collector's cron (wrangler.jsonc `triggers.crons`, every minute): roll raw metric points up
// into minutes, complete hours into hours, then apply retention. A run works within a budget
// (config `rollup`, validated by validateRollup below): it repeats the minute step (pointsPerStep
// points, one D1 batch each) until no point waits, or maxPointsPerRun points, maxQueriesPerRun D1
// statements or maxRunMs of wall time are spent. Those bounds follow the platform's: D1 counts
// every statement of a batch against 1,000 queries per invocation (50 on the free plan:
// developers.cloudflare.com/d1/platform/limits/); a cron invocation may run 15 minutes of wall
// time and the plan's CPU time (developers.cloudflare.com/workers/platform/limits/). The wall-time
// budget reads Date.now(), which inside workerd advances across I/O; every step is D1 I/O, so
// the clock moves between steps. A backlog past the budget is worked off over the next runs.
// `now` is passed in (the controller's scheduledTime), so tests choose the clock.
import { EdgescopeConfigError } from '../config.js';
import { applyRetention } from './storage/retention.js';
import { oldestUnrolled, readCursors, rollHours, rollMinutes } from './storage/rollups.js';

export const DEFAULT_ROLLUP = Object.freeze({
  // Raw points folded per minute step (one read, one D1 batch).
  pointsPerStep: 5000,
  // Per run: raw points folded, D1 statements issued by the rollups, wall time (ms).
  maxPointsPerRun: 100_000,
  maxQueriesPerRun: 600,
  maxRunMs: 20_000,
  // Hours rolled per run, and about how many minute rows they may read.
  maxHours: 24,
  maxMinuteRows: 50_000,
  // Minute rows read per query while rolling an hour.
  pageRows: 2000,
  // Rows deleted per table per run.
  maxDeletes: 5000,
});

// `rollup`: { <key above>: positive integer }, each optional.
export function validateRollup(value) {
  if (value === undefined) return DEFAULT_ROLLUP;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EdgescopeConfigError('collector.rollup', 'an object like { maxPointsPerRun: 100000 }', value);
  const out = { ...DEFAULT_ROLLUP };
  for (const [key, n] of Object.entries(value)) {
    if (!(key in DEFAULT_ROLLUP)) throw new EdgescopeConfigError(`collector.rollup.${key}`, `absent (known keys: ${Object.keys(DEFAULT_ROLLUP).join(', ')})`, n);
    if (!Number.isSafeInteger(n) || n < 1) throw new EdgescopeConfigError(`collector.rollup.${key}`, 'a positive integer', n);
    out[key] = n;
  }
  // A step must fit in a run's statement budget (a step issues a handful of statements).
  if (out.maxQueriesPerRun < 10) throw new EdgescopeConfigError('collector.rollup.maxQueriesPerRun', 'at least 10 (one minute step and one hour take several statements)', out.maxQueriesPerRun);
  return Object.freeze(out);
}

// `db` with every statement it prepares counted (D1 counts each statement of a batch).
function counted(db) {
  const wrapper = {
    queries: 0,
    prepare(sql) {
      wrapper.queries += 1;
      return db.prepare(sql);
    },
    batch: (statements) => db.batch(statements),
  };
  return wrapper;
}

const entries = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(' ');

// The minute steps of one run. -> totals of rollMinutes' results, with steps and budget (the
// bound that stopped a run with a backlog left: 'points' | 'queries' | 'time' | null).
async function minuteSteps(db, now, l, spent) {
  const total = { points: 0, unreadable: 0, skipped: 0, minuteRows: 0, hourRows: 0, steps: 0, cursor: null, drained: false, moved: false, budget: null };
  for (;;) {
    const step = await rollMinutes(db, now, { maxPoints: Math.min(l.pointsPerStep, l.maxPointsPerRun - total.points) });
    total.steps += 1;
    for (const k of ['points', 'unreadable', 'skipped', 'minuteRows', 'hourRows']) total[k] += step[k];
    if (step.reasons?.length) total.reasons = [...(total.reasons ?? []), ...step.reasons].slice(0, 5);
    total.cursor = step.cursor;
    total.drained = step.drained;
    total.moved = step.moved;
    if (step.drained || step.moved) return total;
    total.budget = spent();
    if (total.points >= l.maxPointsPerRun) total.budget = 'points';
    if (total.budget) return total;
  }
}

// One cron run. -> { minutes, hours, retention, error } (see storage/rollups.js and retention.js).
// Retention runs even when a rollup step failed (its deletes never take what a rollup still
// needs: they follow the cursors), so a failing rollup cannot make the tables grow without
// bound; the failure is then rethrown, for the caller to log and report.
export async function runScheduled(db, settings, now, limits = {}) {
  const l = { ...DEFAULT_ROLLUP, ...settings.rollup, ...limits };
  const deadline = Date.now() + l.maxRunMs;
  const cdb = counted(db);
  // Leaves room in the statement budget for one more step (a step issues several statements).
  const spent = () => (cdb.queries + 8 > l.maxQueriesPerRun ? 'queries' : Date.now() >= deadline ? 'time' : null);

  let minutes = null;
  let hours = null;
  let failure = null;
  try {
    minutes = await minuteSteps(cdb, now, l, spent);
    // Hours that ended before the oldest point still waiting (all of them once drained): an
    // hour rolled before its raw points reached its minute rows would need each of them merged
    // in later as a late point.
    const before = minutes.drained ? Infinity : ((await oldestUnrolled(cdb)) ?? Infinity);
    hours = await rollHours(cdb, now, { ...l, before: Math.floor(before / 60_000) * 60_000, more: () => spent() === null });
  } catch (e) {
    failure = e;
  }
  const retention = await applyRetention(db, settings.retention, now, await readCursors(db), l);

  const parts = [];
  if (minutes?.points > 0) parts.push(`rolled ${minutes.points} points in ${minutes.steps} step${minutes.steps === 1 ? '' : 's'} into ${minutes.minuteRows} minute rows${minutes.hourRows ? ` and ${minutes.hourRows} rolled-up hour rows (late points)` : ''}`);
  if (minutes && minutes.skipped + minutes.unreadable > 0) {
    const why = minutes.reasons?.length ? ` (${minutes.reasons.join('; ')})` : '';
    console.warn(`edgescope collector cron: ${minutes.skipped} points that cannot fold into their series' rollup${why} and ${minutes.unreadable} unreadable points left out of the rollups (they stay in metric_points until retention)`);
  }
  if (minutes?.moved || hours?.moved) console.warn('edgescope collector cron: another run moved the rollup cursors first; this run wrote no rollups for that step');
  if (minutes?.budget) parts.push(`backlog remains (this run's ${minutes.budget} budget is spent: config rollup)`);
  if (hours?.hours.length) parts.push(`rolled ${hours.hours.length} hours (${hours.hourRows} rows, last ${new Date(hours.cursor).toISOString()})`);
  if (hours?.skipped) console.warn(`edgescope collector cron: ${hours.skipped} minute rows that cannot merge into their series' hour row (another type, or a sketch that cannot merge) left out of the hour rollups`);
  if (Object.keys(retention.deleted).length) parts.push(`retention deleted ${entries(retention.deleted)}`);
  for (const [table, message] of Object.entries(retention.failed)) console.error(`edgescope collector cron: retention of ${table} failed: ${message}`);
  if (parts.length) console.log(`edgescope collector cron: ${parts.join('; ')}`);
  if (failure) throw failure;
  return { minutes, hours, retention, queries: cdb.queries };
}
