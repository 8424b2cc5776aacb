// Where every configured SLO stands at `now`: the /api/slos rows (and the summary's `slos`), and
// what the cron's evaluation decides alerts from — one computation for both, so the dashboard
// shows exactly the numbers an alert fired on.
import { assess } from './burn-rate.js';
import { countWindows } from './read.js';

// -> [{ slo, counts, result }] in configuration order; result is burn-rate.js assess().
export async function assessSlos(db, slos, now) {
  const counts = await countWindows(db, slos, now);
  return slos.map((slo) => ({ slo, counts: counts.get(slo.name), result: assess(counts.get(slo.name), slo.objective) }));
}

// One /api/slos row. compliance is null while the window has no requests (nothing to judge); the
// budget then stays whole (1) and every burn rate is 0.
export function statusRow({ slo, counts, result }) {
  const row = { name: slo.name, service: slo.service, kind: slo.kind, objective: slo.objective, windowDays: slo.windowDays };
  if (slo.route !== null) row.route = slo.route;
  if (slo.kind === 'latency') row.thresholdMs = slo.thresholdMs;
  Object.assign(row, {
    good: result.good,
    total: result.total,
    compliance: result.compliance,
    errorBudgetRemaining: result.errorBudgetRemaining,
    burnRates: result.burnRates,
    status: result.status,
  });
  // Latency rows without a sketch or explicit buckets cannot be judged; counted, not hidden.
  if (counts.unmeasured > 0) row.unmeasured = counts.unmeasured;
  return row;
}

// (db, settings: the collector's validated config, now: ms) -> the /api/slos rows.
export async function sloStatus(db, settings, now) {
  return (await assessSlos(db, settings.slos, now)).map(statusRow);
}
