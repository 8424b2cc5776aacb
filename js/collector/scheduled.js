// The collector's cron (wrangler.jsonc `triggers.crons`, every minute): roll raw metric points up
// into minutes, complete hours into hours, then apply retention. Each step is bounded per run
// (Workers cron invocations have CPU and D1 query limits: developers.cloudflare.com/workers/platform/limits/
// and developers.cloudflare.com/d1/platform/limits/); a backlog is worked off over the next runs.
// `now` is passed in (the controller's scheduledTime), so tests choose the clock.
import { applyRetention } from './storage/retention.js';
import { readCursors, rollHours, rollMinutes } from './storage/rollups.js';

export const DEFAULT_LIMITS = Object.freeze({
  // Raw points folded into minutes per run.
  maxPoints: 5000,
  // Hours rolled per run, and about how many minute rows they may read.
  maxHours: 24,
  maxMinuteRows: 50_000,
  // Rows deleted per table per run.
  maxDeletes: 5000,
});

const entries = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(' ');

// One cron run. -> { minutes, hours, retention } (see storage/rollups.js and retention.js).
export async function runScheduled(db, settings, now, limits = {}) {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const minutes = await rollMinutes(db, now, l);
  // Hours only once the minutes have caught up: an hour rolled before its raw points reached its
  // minute rows would need every one of them re-merged later.
  const hours = minutes.drained ? await rollHours(db, now, l) : null;
  const retention = await applyRetention(db, settings.retention, now, await readCursors(db), l);

  const parts = [];
  if (minutes.points > 0) parts.push(`rolled ${minutes.points} points into ${minutes.minuteRows} minute rows${minutes.hourRows ? ` and ${minutes.hourRows} rolled-up hour rows (late points)` : ''}`);
  if (minutes.skipped + minutes.unreadable > 0) console.warn(`edgescope collector cron: ${minutes.skipped} points whose type differs from their series' rollup and ${minutes.unreadable} unreadable points left out of the rollups (they stay in metric_points until retention)`);
  if (minutes.moved || hours?.moved) console.warn('edgescope collector cron: another run moved the rollup cursors first; this run wrote no rollups for that step');
  if (!minutes.drained && !minutes.moved) parts.push('backlog remains');
  if (hours?.hours.length) parts.push(`rolled ${hours.hours.length} hours (${hours.hourRows} rows, last ${new Date(hours.cursor).toISOString()})`);
  if (hours?.skipped) console.warn(`edgescope collector cron: ${hours.skipped} minute rows of another type than their series' hour row left out of the hour rollups`);
  if (Object.keys(retention.deleted).length) parts.push(`retention deleted ${entries(retention.deleted)}`);
  for (const [table, message] of Object.entries(retention.failed)) console.error(`edgescope collector cron: retention of ${table} failed: ${message}`);
  if (parts.length) console.log(`edgescope collector cron: ${parts.join('; ')}`);
  return { minutes, hours, retention };
}
