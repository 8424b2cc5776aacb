// createAlerts(options): channels, routing and fleet-wide de-duplication for the errors an
// invocation recorded. Everything is validated here, once, with errors naming the field; the
// per-invocation work is alertInvocation (alert-invocation.js), inside the invocation's waitUntil.
import { EdgescopeConfigError } from '../config.js';
import { MAX_DEADLINE_MS } from '../exporters/options.js';
import { MAX_CHANNELS, MAX_COOLDOWN_MS } from '../storage/alert-table.js';
import { alertInvocation } from './alert-invocation.js';
import { resolveRoutes } from './routing.js';
import { alertState } from './state-client.js';
import { runAlerts, runResolve } from './run.js';
import { newStats } from './stats.js';

export const ALERTS_BRAND = Symbol.for('edgescope.alerts');
export const DEFAULT_COOLDOWN_MS = 3_600_000;
const CHANNEL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CHANNEL_KINDS = ['slack', 'pagerduty', 'webhook', 'email'];
const KNOWN = ['channels', 'routes', 'cooldownMs', 'state', 'service', 'version', 'traceLink', 'deadlineMs', 'maxSubrequests'];

export function createAlerts(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new EdgescopeConfigError('alerts', 'createAlerts({ channels, state, service })', options);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new EdgescopeConfigError(`alerts.${key}`, `one of the known options (${KNOWN.join(', ')})`, key);
  }
  const { service } = options;
  if (typeof service !== 'string' || service.trim() === '' || service.length > 256) {
    throw new EdgescopeConfigError('alerts.service', 'a non-empty string of at most 256 characters (the service the alerts name)', service);
  }
  const version = options.version;
  if (version !== undefined && (typeof version !== 'string' || version === '' || version.length > 128)) {
    throw new EdgescopeConfigError('alerts.version', 'a non-empty string of at most 128 characters (e.g. env.CF_VERSION_METADATA.id)', version);
  }
  const channels = checkChannels(options.channels);
  const routes = resolveRoutes(options.routes, channels);
  const cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  if (!Number.isInteger(cooldownMs) || cooldownMs < 1000 || cooldownMs > MAX_COOLDOWN_MS) {
    throw new EdgescopeConfigError('alerts.cooldownMs', `an integer from 1000 to ${MAX_COOLDOWN_MS} (ms between two alerts for one error on one channel)`, cooldownMs);
  }
  const traceLink = checkTraceLink(options.traceLink);
  const deadlineMs = options.deadlineMs ?? 10_000;
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1 || deadlineMs > MAX_DEADLINE_MS) {
    throw new EdgescopeConfigError('alerts.deadlineMs', `an integer from 1 to ${MAX_DEADLINE_MS} (ms for one invocation's deliveries; waitUntil allows 30 s)`, deadlineMs);
  }
  const maxSubrequests = options.maxSubrequests ?? 10;
  if (!Number.isInteger(maxSubrequests) || maxSubrequests < 1 || maxSubrequests > 1000) {
    throw new EdgescopeConfigError('alerts.maxSubrequests', 'an integer from 1 to 1000 (delivery requests per invocation, retries included)', maxSubrequests);
  }
  const state = alertState(options.state, service);
  const config = Object.freeze({ channels, routes, cooldownMs, state, service, version, traceLink, deadlineMs, maxSubrequests });
  const stats = newStats(Object.keys(channels));
  const alerts = Object.freeze({
    [ALERTS_BRAND]: true,
    config,
    // records: the invocation's error records; settle(occurrences) escalates them (the classifier's
    // settleErrors). Never rejects. Use alertInvocation(), which hands this to waitUntil.
    run: (records, settle) => runAlerts(config, stats, records, settle),
    // alertInvocation(this, ...) as a method, so the core's finalize can call it from
    // config.alerts without importing any of 'edgescope/alerts'.
    alertInvocation: (scope, records, options) => alertInvocation(alerts, scope, records, options),
    // Resolves the PagerDuty alert of `fingerprint` on every pagerDuty channel, then releases its
    // cooldown on every channel so its next occurrence alerts again; pass the promise to
    // ctx.waitUntil. Never rejects: { channel: { ok, error? } }.
    resolve: (fingerprint) => runResolve(config, stats, fingerprint),
    stats: () => stats.snapshot(),
  });
  return alerts;
}

export const isAlerts = (value) => value !== null && typeof value === 'object' && value[ALERTS_BRAND] === true;

function checkChannels(channels) {
  if (channels === null || typeof channels !== 'object' || Array.isArray(channels) || Object.keys(channels).length === 0) {
    throw new EdgescopeConfigError('alerts.channels', 'an object naming at least one channel, like { oncall: pagerDuty({ routingKey }), team: slack({ webhookUrl }) }', channels);
  }
  const entries = Object.entries(channels);
  if (entries.length > MAX_CHANNELS) throw new EdgescopeConfigError('alerts.channels', `at most ${MAX_CHANNELS} channels`, channels);
  for (const [name, channel] of entries) {
    if (!CHANNEL_NAME.test(name)) throw new EdgescopeConfigError(`alerts.channels.${name}`, 'a channel name of 1 to 64 letters, digits, _ . -', name);
    if (!channel || !CHANNEL_KINDS.includes(channel.kind) || typeof channel.deliver !== 'function') {
      throw new EdgescopeConfigError(`alerts.channels.${name}`, 'a channel from slack(), pagerDuty(), webhook() or email()', channel);
    }
  }
  return Object.freeze({ ...channels });
}

// A template with {traceId} (and optionally {spanId}) that is an http(s) URL once filled in.
function checkTraceLink(template) {
  if (template === undefined) return null;
  const field = 'alerts.traceLink';
  if (typeof template !== 'string' || !template.includes('{traceId}') || template.length > 2000) {
    throw new EdgescopeConfigError(field, "a URL template containing {traceId}, like 'https://ui.example.com/trace/{traceId}'", template);
  }
  let url;
  try {
    url = new URL(template.replaceAll('{traceId}', '0').replaceAll('{spanId}', '0'));
  } catch {
    throw new EdgescopeConfigError(field, 'an absolute http(s) URL template', template);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EdgescopeConfigError(field, 'an absolute http(s) URL template', template);
  return template;
}
