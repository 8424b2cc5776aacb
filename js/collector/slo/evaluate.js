// The cron's SLO evaluation: every configured SLO's burn rates at `now` (status.js), then the
// alerts table brought in line — a rule met with no open alert fires one, an open alert whose rule
// no longer holds resolves (so does one whose SLO left the configuration), and an open alert
// nobody acknowledged is sent again every alerting.renotifyMs (and to the channels whose last
// delivery failed, at the next evaluation). The rows are written first and each transition is
// claimed by a conditional write (alert-rows.js), so a notification goes out once per transition
// however many evaluations race, and a failed delivery never loses the row: it is counted,
// logged, and kept in the row's details (deliveries, pending, deliveryFailures).
import { claimReminder, insertFiring, markResolved, openSloAlerts, writeDetails } from './alert-rows.js';
import { channelsFor, deliverAll } from './notify.js';
import { assessSlos } from './status.js';

const SEVERITIES = ['page', 'ticket'];
// Alert ids are random (Web Crypto randomUUID, RFC 9562 version 4), not derived from the name
// and time: an id is what acknowledges an alert, so it must not be guessable (slo/api.js).
export const alertKey = (name, severity) => `slo:${name}:${severity}`;

function sloFacts(slo) {
  return { name: slo.name, service: slo.service, kind: slo.kind, objective: slo.objective, windowDays: slo.windowDays, route: slo.route, thresholdMs: slo.thresholdMs };
}

function firingDetails(slo, counts, result, rule, now) {
  const long = counts[rule.long];
  return {
    slo: sloFacts(slo),
    rule: { long: rule.long, short: rule.short, burnRate: rule.burnRate },
    burnRates: result.burnRates,
    bad: long.total - long.good,
    good: result.good,
    total: result.total,
    compliance: result.compliance,
    errorBudgetRemaining: result.errorBudgetRemaining,
    notifiedAt: now,
    reminders: 0,
    deliveries: {},
    pending: [],
    deliveryFailures: 0,
  };
}

const snapshot = (result) => ({ burnRates: result.burnRates, compliance: result.compliance, errorBudgetRemaining: result.errorBudgetRemaining });

// Which open alert needs a message now (besides fire and resolve), and to which channels:
// 'all' for a reminder, the pending (failed) channels for a retry, or null.
function followUp(alert, renotifyMs, now) {
  if (alert.acknowledgedAt !== null) return null;
  if (renotifyMs !== null && now - (alert.details.notifiedAt ?? alert.firedAt) >= renotifyMs) return 'all';
  return alert.details.pending?.length ? 'pending' : null;
}

// (db: the D1 binding, settings: the collector's validated config, env: the Worker's env (for
// alerting.channels(env)), now: ms, the cron's scheduledTime) -> what it did:
// { evaluated, fired, resolved, reminded, delivered, deliveryFailures, channelErrors, unmeasured }.
export async function evaluateSlos(db, settings, env, now) {
  const summary = { evaluated: settings.slos.length, fired: 0, resolved: 0, reminded: 0, delivered: 0, deliveryFailures: 0, channelErrors: 0, unmeasured: 0 };
  const alerting = settings.alerting;
  const assessed = await assessSlos(db, settings.slos, now);
  const skipped = assessed[0]?.counts.skipped ?? 0;
  if (skipped > 0) console.warn(`edgescope collector: ${skipped} raw request-metric point(s) whose type differs from their series left out of the SLO evaluation (rollup/fold.js conflict)`);
  const open = await openSloAlerts(db);
  const jobs = []; // { alert, phase, to: 'all' | 'pending' }
  for (const { slo, counts, result } of assessed) {
    summary.unmeasured += counts.unmeasured;
    if (counts.unmeasured > 0) console.warn(`edgescope collector: SLO ${slo.name}: ${counts.unmeasured} request(s) in its windows have no exponential sketch or explicit buckets; left out of good and total (reported as unmeasured in /api/slos)`);
    for (const severity of SEVERITIES) {
      const key = alertKey(slo.name, severity);
      const rule = result[severity];
      const alert = open.get(key);
      open.delete(key);
      if (rule && !alert) {
        const fired = await insertFiring(db, { id: crypto.randomUUID(), key, name: slo.name, service: slo.service, severity, firedAt: now, details: firingDetails(slo, counts, result, rule, now) });
        if (fired) {
          summary.fired++;
          jobs.push({ alert: fired, phase: 'fire', to: 'all' });
        }
      } else if (!rule && alert) {
        const details = { ...alert.details, resolvedWith: snapshot(result), pending: [] };
        if (await markResolved(db, alert, now, details)) {
          summary.resolved++;
          jobs.push({ alert: { ...alert, state: 'resolved', resolvedAt: now, details }, phase: 'resolve', to: 'all' });
        }
      } else if (rule && alert && alerting) {
        const to = followUp(alert, alerting.renotifyMs, now);
        if (to === null) continue;
        const details = { ...alert.details, last: snapshot(result), ...(to === 'all' ? { notifiedAt: now, reminders: (alert.details.reminders ?? 0) + 1 } : {}) };
        if (await claimReminder(db, alert, now, details)) {
          if (to === 'all') summary.reminded++;
          jobs.push({ alert: { ...alert, details, updatedAt: now }, phase: to === 'all' ? 'remind' : 'fire', to });
        }
      }
    }
  }
  // Open alerts of SLOs no longer configured: nothing will ever resolve them otherwise.
  for (const alert of open.values()) {
    const details = { ...alert.details, resolvedWith: { removed: true }, pending: [] };
    if (await markResolved(db, alert, now, details)) {
      summary.resolved++;
      jobs.push({ alert: { ...alert, state: 'resolved', resolvedAt: now, details }, phase: 'resolve', to: 'all' });
    }
  }
  if (!alerting || jobs.length === 0) return summary;
  await notify(db, alerting, env, jobs, now, summary);
  return summary;
}

async function notify(db, alerting, env, jobs, now, summary) {
  let channels;
  let routes;
  try {
    ({ channels, routes } = channelsFor(alerting, env));
  } catch (error) {
    summary.channelErrors++;
    console.error(`edgescope collector: SLO alerts not delivered, the alerting channels are unusable: ${error?.message ?? error} (${jobs.length} notification(s); the alert rows are written)`);
    return;
  }
  const planned = jobs.map((job) => ({ ...job, channels: job.to === 'all' ? routes[job.alert.severity] : job.alert.details.pending.filter((name) => Object.hasOwn(channels, name)) }));
  const outcomes = await deliverAll(alerting, channels, planned.filter((j) => j.channels.length > 0), now);
  for (const { job, results } of outcomes) {
    const details = { ...job.alert.details, deliveries: { ...job.alert.details.deliveries } };
    const failed = [];
    for (const [name, r] of Object.entries(results)) {
      details.deliveries[name] = { phase: job.phase, at: now, ok: r.ok, status: r.status, ...(r.ok ? {} : { cause: r.cause, error: r.error }) };
      if (r.ok) summary.delivered++;
      else {
        failed.push(name);
        summary.deliveryFailures++;
        console.error(`edgescope collector: channel '${name}' did not deliver the ${job.phase} of SLO alert ${job.alert.key} (${job.alert.id}): ${r.error} (${job.phase === 'resolve' ? 'not retried' : 'retried at the next evaluation'}; recorded in the alert's details.deliveries)`);
      }
    }
    details.deliveryFailures = (details.deliveryFailures ?? 0) + failed.length;
    details.pending = job.phase === 'resolve' ? [] : failed;
    await writeDetails(db, job.alert.id, details, now);
  }
}

