// What every alert says, whatever the channel: built once per alert from the invocation's error
// record (the shape js/alerts/index.d.ts names `ErrorRecord`) and what the de-duplication answered.
// Strings from the record are bounded here, so no channel can be handed a 1 MB stack; each
// channel applies its own service's limits on top (slack.js, pagerduty.js, email.js).
export const SEVERITIES = Object.freeze(['CRITICAL', 'WARNING', 'INFO']);
export const MAX_MESSAGE_CHARS = 1000;
export const MAX_STACK_CHARS = 4000;
const MAX_FIELD_CHARS = 256;

// Cuts at a code point boundary and says it was cut ("…"), so a bounded field never ends in half
// a surrogate pair (invalid UTF-16 becomes U+FFFD, or a JSON error in a strict receiver).
export function bound(text, max) {
  const value = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  if (value.length <= max) return value;
  let end = max - 1;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}

// The trace viewer's link: `{traceId}` and `{spanId}` in the template replaced (URI-encoded);
// null without a template or without a trace id.
export function traceLinkOf(template, record) {
  if (!template || !record.traceId) return null;
  return template.replaceAll('{traceId}', encodeURIComponent(record.traceId)).replaceAll('{spanId}', encodeURIComponent(record.spanId ?? ''));
}

// record: the settled ErrorRecord; decision: { occurrences, suppressed } for one channel.
export function alertFields(record, { service, version, traceLink }, { occurrences, suppressed, fleetOccurrences = null }) {
  return {
    severity: record.severity,
    category: bound(record.category, MAX_FIELD_CHARS),
    type: bound(record.type, MAX_FIELD_CHARS),
    fingerprint: record.fingerprint,
    service,
    version: version ?? null,
    route: record.route ? bound(record.route, MAX_FIELD_CHARS) : null,
    status: Number.isInteger(record.status) ? record.status : null,
    source: record.source ?? null,
    message: bound(record.message, MAX_MESSAGE_CHARS),
    stack: record.stack ? bound(record.stack, MAX_STACK_CHARS) : null,
    traceId: record.traceId ?? null,
    spanId: record.spanId ?? null,
    link: traceLinkOf(traceLink, record),
    time: new Date(Number.isFinite(record.time) ? record.time : Date.now()).toISOString(),
    occurrences,
    suppressed,
    fleetOccurrences,
  };
}

// One line for titles and subjects: "[CRITICAL] checkout: DatabaseError: connection reset".
export function summaryOf(alert, max) {
  const what = alert.type && !alert.message.startsWith(alert.type) ? `${alert.type}: ${alert.message}` : alert.message;
  return bound(`[${alert.severity}] ${alert.service}: ${what}`.replace(/\s+/g, ' '), max);
}
