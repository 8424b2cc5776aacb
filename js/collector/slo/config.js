// The collector's `slos` and `alerting` configuration, validated when the Worker module loads
// (createCollector), each error naming the field.
//
// slos: [{ name, service, kind: 'availability' | 'latency', objective, windowDays = 30, route?,
//   thresholdMs (latency only) }]. availability: good = requests answered with a status below 500
//   and no `error.type` (a throw); latency: good = requests that took at most thresholdMs. Both
//   count the `http.server.request.duration` metric of `service` (of `route` when given).
// alerting: { channels, routes?, renotifyMinutes = 60, deadlineMs = 10000, maxSubrequests = 10 }.
//   channels: { name: channel } from 'edgescope/alerts' (slack(), pagerDuty(), webhook(), email()),
//   or (env) => that object, for channels whose secrets are env bindings (checked at each
//   evaluation, since env exists only then). routes: { page: [names], ticket: [names] }; default
//   page to every channel, ticket to the slack and webhook channels (the same split as
//   'edgescope/alerts' makes between CRITICAL and WARNING).
import { EdgescopeConfigError } from '../../config.js';

export const SLO_KINDS = Object.freeze(['availability', 'latency']);
// Names go into alert keys, ids and URLs: a safe alphabet, bounded.
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SLO_KEYS = ['name', 'service', 'kind', 'objective', 'windowDays', 'route', 'thresholdMs'];
const ALERTING_KEYS = ['channels', 'routes', 'renotifyMinutes', 'deadlineMs', 'maxSubrequests'];
const CHANNEL_KINDS = ['slack', 'pagerduty', 'webhook', 'email'];
const TICKET_KINDS = ['slack', 'webhook'];
// The burn-rate rules assume the 3-day ticket window fits in the compliance window.
const MIN_WINDOW_DAYS = 3;
const MAX_WINDOW_DAYS = 90;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkSlo(slo, i, names) {
  const at = `collector.slos[${i}]`;
  if (!isObject(slo)) throw new EdgescopeConfigError(at, "{ name, service, kind: 'availability' | 'latency', objective }", slo);
  for (const key of Object.keys(slo)) {
    if (!SLO_KEYS.includes(key)) throw new EdgescopeConfigError(`${at}.${key}`, `absent (known keys: ${SLO_KEYS.join(', ')})`, slo[key]);
  }
  if (typeof slo.name !== 'string' || !NAME.test(slo.name)) throw new EdgescopeConfigError(`${at}.name`, '1 to 64 letters, digits, _ . -', slo.name);
  if (names.has(slo.name)) throw new EdgescopeConfigError(`${at}.name`, 'unique among the SLOs', slo.name);
  names.add(slo.name);
  if (typeof slo.service !== 'string' || slo.service === '' || slo.service.length > 256) {
    throw new EdgescopeConfigError(`${at}.service`, 'the service name its Worker reports (a non-empty string)', slo.service);
  }
  if (!SLO_KINDS.includes(slo.kind)) throw new EdgescopeConfigError(`${at}.kind`, "'availability' or 'latency'", slo.kind);
  // An objective of 1 leaves no budget (every burn rate infinite); below 0.5 is not an SLO.
  if (typeof slo.objective !== 'number' || !(slo.objective >= 0.5 && slo.objective < 1)) {
    throw new EdgescopeConfigError(`${at}.objective`, 'a fraction from 0.5 up to (not including) 1, like 0.999', slo.objective);
  }
  const windowDays = slo.windowDays ?? 30;
  if (!Number.isInteger(windowDays) || windowDays < MIN_WINDOW_DAYS || windowDays > MAX_WINDOW_DAYS) {
    throw new EdgescopeConfigError(`${at}.windowDays`, `an integer from ${MIN_WINDOW_DAYS} to ${MAX_WINDOW_DAYS} (days of the compliance window)`, slo.windowDays);
  }
  if (slo.route !== undefined && (typeof slo.route !== 'string' || slo.route === '' || slo.route.length > 256)) {
    throw new EdgescopeConfigError(`${at}.route`, "an http.route as the Worker reports it, like '/cart/:id'", slo.route);
  }
  if (slo.kind === 'latency') {
    if (typeof slo.thresholdMs !== 'number' || !(slo.thresholdMs > 0) || !Number.isFinite(slo.thresholdMs)) {
      throw new EdgescopeConfigError(`${at}.thresholdMs`, 'a positive number of milliseconds (a latency SLO counts requests at most this long as good)', slo.thresholdMs);
    }
  } else if (slo.thresholdMs !== undefined) {
    throw new EdgescopeConfigError(`${at}.thresholdMs`, "absent for an availability SLO (only kind: 'latency' has a threshold)", slo.thresholdMs);
  }
  return Object.freeze({
    name: slo.name,
    service: slo.service,
    kind: slo.kind,
    objective: slo.objective,
    windowDays,
    route: slo.route ?? null,
    thresholdMs: slo.kind === 'latency' ? slo.thresholdMs : null,
  });
}

export function validateSlos(slos) {
  if (slos === undefined) return Object.freeze([]);
  if (!Array.isArray(slos)) throw new EdgescopeConfigError('collector.slos', 'an array of SLO definitions', slos);
  const names = new Set();
  return Object.freeze(slos.map((slo, i) => checkSlo(slo, i, names)));
}

function checkInteger(alerting, field, fallback, min, max, what) {
  const v = alerting[field] === undefined ? fallback : alerting[field];
  if (!Number.isInteger(v) || v < min || v > max) throw new EdgescopeConfigError(`collector.alerting.${field}`, `an integer from ${min} to ${max} (${what})`, alerting[field]);
  return v;
}

// The channels object, checked: at load for an object, at each evaluation for a function's result.
export function checkChannels(channels, field = 'collector.alerting.channels') {
  if (!isObject(channels) || Object.keys(channels).length === 0) {
    throw new EdgescopeConfigError(field, 'an object naming at least one channel, like { oncall: pagerDuty({ routingKey }), team: slack({ webhookUrl }) }', channels);
  }
  for (const [name, channel] of Object.entries(channels)) {
    if (!NAME.test(name)) throw new EdgescopeConfigError(`${field}.${name}`, 'a channel name of 1 to 64 letters, digits, _ . -', name);
    if (!channel || !CHANNEL_KINDS.includes(channel.kind) || typeof channel.deliver !== 'function') {
      throw new EdgescopeConfigError(`${field}.${name}`, "a channel from 'edgescope/alerts': slack(), pagerDuty(), webhook() or email()", channel);
    }
  }
  return channels;
}

// routes as configured (or undefined) and the channels -> { page: [names], ticket: [names] }.
export function resolveSloRoutes(routes, channels, field = 'collector.alerting.routes') {
  const names = Object.keys(channels);
  const out = { page: names, ticket: names.filter((n) => TICKET_KINDS.includes(channels[n].kind)) };
  for (const [severity, list] of Object.entries(routes ?? {})) {
    out[severity] = list.filter((name) => {
      if (Object.hasOwn(channels, name)) return true;
      throw new EdgescopeConfigError(`${field}.${severity}`, `channel names from alerting.channels (${names.join(', ')})`, name);
    });
  }
  return out;
}

export function validateAlerting(alerting) {
  if (alerting === undefined) return null;
  if (!isObject(alerting)) throw new EdgescopeConfigError('collector.alerting', '{ channels, routes? }', alerting);
  for (const key of Object.keys(alerting)) {
    if (!ALERTING_KEYS.includes(key)) throw new EdgescopeConfigError(`collector.alerting.${key}`, `absent (known keys: ${ALERTING_KEYS.join(', ')})`, alerting[key]);
  }
  const { channels, routes } = alerting;
  if (typeof channels !== 'function') checkChannels(channels);
  if (routes !== undefined) {
    if (!isObject(routes)) throw new EdgescopeConfigError('collector.alerting.routes', "{ page: ['oncall'], ticket: ['team'] }", routes);
    for (const [severity, list] of Object.entries(routes)) {
      if (severity !== 'page' && severity !== 'ticket') throw new EdgescopeConfigError(`collector.alerting.routes.${severity}`, "'page' or 'ticket'", severity);
      if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) {
        throw new EdgescopeConfigError(`collector.alerting.routes.${severity}`, 'an array of channel names', list);
      }
    }
    if (typeof channels !== 'function') resolveSloRoutes(routes, channels);
  }
  return Object.freeze({
    channels,
    routes: routes === undefined ? undefined : Object.freeze({ ...routes }),
    // A firing alert nobody acknowledged is sent again this often; null: only once.
    renotifyMs: alerting.renotifyMinutes === null ? null : checkInteger(alerting, 'renotifyMinutes', 60, 5, 10080, 'minutes between reminders of an unacknowledged alert, or null for none') * 60_000,
    // Workers: waitUntil and a cron invocation's deliveries share the invocation's limits.
    deadlineMs: checkInteger(alerting, 'deadlineMs', 10_000, 1, 30_000, "ms for one evaluation's deliveries"),
    maxSubrequests: checkInteger(alerting, 'maxSubrequests', 10, 1, 1000, 'delivery requests per evaluation, retries included'),
  });
}
