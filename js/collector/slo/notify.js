// SLO alerts out through edgescope's alert channels ('edgescope/alerts': slack(), pagerDuty(),
// webhook(), email()), reusing their senders as they are: each channel's deliver() takes the
// AlertFields every channel understands (js/alerts/fields.js), and a pagerDuty channel's
// resolve() closes the incident its trigger opened — the dedup_key is `<service>/<fingerprint>`
// for both, and the fingerprint of an SLO alert is its key ('slo:<name>:page'), so PagerDuty
// groups every trigger and reminder of one firing into one incident and the resolve closes it.
// Other channels get a message on resolve (severity INFO, type 'SLO recovered').
//
// Delivery shares one deadline and one subrequest budget per evaluation (Workers: a cron
// invocation's subrequest limit), the HTTP exporter's retries included. A failure is counted and
// logged, and kept on the alert row; it never undoes the row.
import { createFlushContext } from '../../exporters/flush-context.js';
import { checkChannels, resolveSloRoutes } from './config.js';

const pct = (x) => (x === null ? 'n/a' : `${(Math.round(x * 10000) / 100).toString()}%`);
const times = (x) => `${Math.round(x * 100) / 100}×`;

export function describeSlo(slo) {
  const what = slo.kind === 'latency' ? `requests within ${slo.thresholdMs} ms` : 'availability';
  return `${pct(slo.objective)} ${what} over ${slo.windowDays}d${slo.route ? ` on ${slo.route}` : ''}`;
}

// The message every channel shows.
export function messageOf(alert, phase) {
  const d = alert.details;
  const budget = `${pct(d.errorBudgetRemaining)} of the error budget left`;
  if (phase === 'resolve') {
    const rates = Object.entries(d.resolvedWith?.burnRates ?? {}).map(([w, r]) => `${w} ${times(r)}`).join(', ');
    return `${alert.name} (${describeSlo(d.slo)}) recovered: burn rates back below the ${alert.severity} thresholds (${rates}); ${pct(d.resolvedWith?.errorBudgetRemaining ?? d.errorBudgetRemaining)} of the error budget left`;
  }
  const { long, short, burnRate } = d.rule;
  const lead = phase === 'remind' ? `still burning, unacknowledged since ${new Date(alert.firedAt).toISOString()}: ` : '';
  return `${alert.name} (${describeSlo(d.slo)}) ${lead}error budget burning at ${times(d.burnRates[long])} over ${long} and ${times(d.burnRates[short])} over ${short} (${alert.severity} at ${burnRate}× on both); ${budget}`;
}

// AlertFields (js/alerts/index.d.ts) for an SLO alert, plus what a webhook receiver needs to tell
// fire from resolve: `state`, `alertId`, `key` and the alert's `details`.
export function sloAlertFields(alert, phase, now) {
  const d = alert.details;
  return {
    severity: phase === 'resolve' ? 'INFO' : alert.severity === 'page' ? 'CRITICAL' : 'WARNING',
    category: 'slo',
    type: phase === 'resolve' ? 'SLO recovered' : `SLO burn rate (${alert.severity})`,
    fingerprint: alert.key,
    service: alert.service,
    version: null,
    route: d.slo.route ?? null,
    status: null,
    source: 'slo',
    message: messageOf(alert, phase),
    stack: null,
    traceId: null,
    spanId: null,
    link: null,
    time: new Date(now).toISOString(),
    // Bad requests in the window that tripped the rule (the long one).
    occurrences: d.bad ?? 0,
    suppressed: 0,
    fleetOccurrences: null,
    state: phase === 'resolve' ? 'resolved' : 'firing',
    alertId: alert.id,
    key: alert.key,
    details: d,
  };
}

// The channels and routes of this evaluation: a function of env is called now. Throws
// EdgescopeConfigError naming the field.
export function channelsFor(alerting, env) {
  const channels = typeof alerting.channels === 'function' ? checkChannels(alerting.channels(env), 'collector.alerting.channels(env)') : alerting.channels;
  return { channels, routes: resolveSloRoutes(alerting.routes, channels) };
}

const safeId = (text) => text.replace(/[^0-9A-Za-z_.-]/g, '_').slice(0, 160);

// jobs: [{ alert, phase: 'fire'|'remind'|'resolve', channels: [names] }] ->
// [{ job, results: { channel: { ok, status, error?, cause?, attempts } } }]
export async function deliverAll(alerting, channels, jobs, now) {
  const deadline = Date.now() + alerting.deadlineMs;
  const context = createFlushContext({ maxSubrequests: alerting.maxSubrequests });
  return Promise.all(
    jobs.map(async (job) => {
      const fields = sloAlertFields(job.alert, job.phase, now);
      const entries = await Promise.all(
        job.channels.map(async (name) => {
          const channel = channels[name];
          const how = { id: safeId(`${job.alert.id}-${name}-${job.phase}-${now}`), deadline, context };
          try {
            const result = job.phase === 'resolve' && channel.kind === 'pagerduty' ? await channel.resolve(job.alert.service, job.alert.key, how) : await channel.deliver(fields, how);
            return [name, result];
          } catch (error) {
            return [name, { ok: false, status: 0, cause: 'internal', error: error?.message ?? String(error) }];
          }
        }),
      );
      return { job, results: Object.fromEntries(entries) };
    }),
  );
}
