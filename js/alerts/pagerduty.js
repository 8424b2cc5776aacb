// PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"): a POST of
// { routing_key, event_action, dedup_key, payload, links } to https://events.pagerduty.com/v2/enqueue,
// answered 202. The documented constraints: dedup_key at most 255 characters; payload.summary at
// most 1024; payload.source and payload.severity required, severity one of critical, error,
// warning, info; payload.timestamp ISO 8601; custom_details free-form. A resolve event needs only
// routing_key, event_action 'resolve' and the dedup_key of the alert it closes.
//
// The dedup_key is `<service>/<fingerprint>`: PagerDuty groups every trigger of one error into one
// alert, and resolve(fingerprint) closes it.
import { EdgescopeConfigError } from '../config.js';
import { bound, summaryOf } from './fields.js';
import { checkDelivery, checkOptions, checkString, checkUrl, DELIVERY_OPTIONS } from './channel-options.js';
import { postJson } from './http-channel.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_LIMITS = Object.freeze({ dedupKey: 255, summary: 1024, source: 255 });
const SEVERITY = { CRITICAL: 'critical', WARNING: 'warning', INFO: 'info' };

// url: the EU service region's endpoint (https://events.eu.pagerduty.com/v2/enqueue) or a proxy.
export function pagerDuty(options) {
  checkOptions('pagerDuty', options, ['routingKey', 'source', 'url', ...DELIVERY_OPTIONS]);
  const routingKey = checkString('pagerDuty', 'routingKey', options.routingKey, { max: 64 });
  if (!/^[0-9A-Za-z]{32}$/.test(routingKey)) {
    throw new EdgescopeConfigError('pagerDuty({ routingKey })', 'the 32-character integration key of an Events API v2 integration', '(another string)');
  }
  const source = checkString('pagerDuty', 'source', options.source, { max: PAGERDUTY_LIMITS.source, optional: true });
  const url = checkUrl('pagerDuty', 'url', options.url ?? PAGERDUTY_EVENTS_URL);
  const delivery = checkDelivery('pagerDuty', options);
  const build = (alert) => pagerDutyTrigger(alert, { routingKey, source });
  return Object.freeze({
    kind: 'pagerduty',
    build,
    deliver: (alert, { id, deadline, context }) => postJson({ url, headers: {}, body: JSON.stringify(build(alert)), id, delivery, deadline, context }),
    buildResolve: (service, fingerprint) => pagerDutyResolve(service, fingerprint, routingKey),
    resolve: (service, fingerprint, { id, deadline, context }) =>
      postJson({ url, headers: {}, body: JSON.stringify(pagerDutyResolve(service, fingerprint, routingKey)), id, delivery, deadline, context }),
  });
}

// Stable for one error: the same service and fingerprint always give the same key.
export const dedupKeyOf = (service, fingerprint) => `${service}/${fingerprint}`.slice(0, PAGERDUTY_LIMITS.dedupKey);

export function pagerDutyTrigger(alert, { routingKey, source }) {
  const event = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKeyOf(alert.service, alert.fingerprint),
    payload: {
      summary: summaryOf(alert, PAGERDUTY_LIMITS.summary),
      source: bound(source ?? alert.service, PAGERDUTY_LIMITS.source),
      severity: SEVERITY[alert.severity] ?? 'error',
      timestamp: alert.time,
      component: alert.service,
      group: alert.route ?? undefined,
      class: alert.category || undefined,
      custom_details: {
        fingerprint: alert.fingerprint,
        type: alert.type,
        message: alert.message,
        version: alert.version,
        route: alert.route,
        status: alert.status,
        trace_id: alert.traceId,
        occurrences: alert.occurrences,
        suppressed_since_last_alert: alert.suppressed,
        fleet_occurrences_in_window: alert.fleetOccurrences,
        stack: alert.stack,
      },
    },
    client: 'edgescope',
  };
  if (alert.link) event.links = [{ href: alert.link, text: `Trace ${alert.traceId}` }];
  return event;
}

export function pagerDutyResolve(service, fingerprint, routingKey) {
  return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKeyOf(service, fingerprint) };
}
