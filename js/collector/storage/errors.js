// Errors by fingerprint, from one decoded payload: the upserts into `errors` (one row per service
// and fingerprint: count, first and last seen, the latest occurrence's trace and description) and
// `error_minutes` (occurrences per minute and severity), added to the payload's own D1 batch by
// ingest/store.js, so a payload refused as a duplicate adds nothing here either.
//
// Where a fingerprint comes from: the core classifies every recorded exception, error response
// and error log, and puts error.fingerprint, error.severity and error.category on the span, on
// its `exception` event and on the log record (js/monitoring/error-records.js). One occurrence is
// one fingerprint in one trace: a child span and its root recording the same thrown error, or a
// span and the error log written for it, are one error, not two (the core counts it once in its
// `errors` counter the same way). Records outside any trace are one occurrence each.
//
// What describes an occurrence (OpenTelemetry semantic conventions, "Exceptions"): the span's
// `exception` event attributes exception.type / exception.message, else the span's error.type
// and status message; a log's `error` ({ name, message }), else its message; http.route from the
// records that carry it. Pure and Worker-safe.

export const MINUTE_MS = 60_000;
// What a row keeps of a message: the core's own cut (error-records.js MAX_MESSAGE).
const MAX_TEXT = 4096;
const RANK = { CRITICAL: 3, WARNING: 2, INFO: 1 };

const str = (v) => (typeof v === 'string' && v !== '' ? (v.length > MAX_TEXT ? v.slice(0, MAX_TEXT) : v) : null);
const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const minuteOf = (time) => Math.floor(time / MINUTE_MS) * MINUTE_MS;

// The higher of two severities (an occurrence escalated on one record and not another keeps the
// escalation); unknown labels rank below the three known ones.
export function higherSeverity(a, b) {
  if (a === null) return b;
  if (b === null) return a;
  return (RANK[b] ?? 0) > (RANK[a] ?? 0) ? b : a;
}

function fromSpan(span, service, now) {
  const a = span.attributes ?? {};
  const fingerprint = str(a['error.fingerprint']);
  if (fingerprint === null) return null;
  const events = Array.isArray(span.events) ? span.events : [];
  const exception = events.find((e) => e?.name === 'exception' && (e.attributes?.['error.fingerprint'] ?? fingerprint) === fingerprint);
  const ea = exception?.attributes ?? {};
  return {
    service: span.service ?? service,
    fingerprint,
    severity: str(a['error.severity']) ?? str(ea['error.severity']),
    category: str(a['error.category']) ?? str(ea['error.category']),
    type: str(ea['exception.type']) ?? str(a['error.type']),
    message: str(ea['exception.message']) ?? str(span.statusMessage),
    route: str(a['http.route']),
    // When the error happened: its exception event, else the end of the span it ended.
    time: finite(exception?.time) ?? finite(span.endTime) ?? finite(span.startTime) ?? now,
    traceId: span.traceId ?? null,
  };
}

function fromLog(log, service, now) {
  const a = log.attributes ?? {};
  const fingerprint = str(a['error.fingerprint']);
  if (fingerprint === null) return null;
  const error = log.error && typeof log.error === 'object' ? log.error : {};
  return {
    service: log.service ?? service,
    fingerprint,
    severity: str(a['error.severity']),
    category: str(a['error.category']),
    type: str(error.name) ?? str(a['exception.type']) ?? str(a['error.type']),
    message: str(error.message) ?? str(a['exception.message']) ?? str(log.message),
    route: str(a['http.route']),
    // A log without a time (an OTLP sender may omit it) is dated when it was received.
    time: finite(log.time) ?? now,
    traceId: log.traceId ?? null,
  };
}

// Two records of one occurrence: the first one's description, gaps filled from the second; the
// earlier time; the higher severity.
function combine(a, b) {
  return {
    ...a,
    severity: higherSeverity(a.severity, b.severity),
    category: a.category ?? b.category,
    type: a.type ?? b.type,
    message: a.message ?? b.message,
    route: a.route ?? b.route,
    time: Math.min(a.time, b.time),
  };
}

// The payload's error occurrences, spans first (their description is the fuller one).
export function errorOccurrences(payload, now = Date.now()) {
  const byKey = new Map();
  let unkeyed = 0;
  const add = (o) => {
    if (o === null) return;
    const key = o.traceId ? `${o.service}\u0000${o.fingerprint}\u0000${o.traceId}` : `\u0001${unkeyed++}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? combine(seen, o) : o);
  };
  for (const span of payload.spans ?? []) add(fromSpan(span, payload.service, now));
  for (const log of payload.logs ?? []) add(fromLog(log, payload.service, now));
  return [...byKey.values()];
}

// Occurrences summed per (service, fingerprint) and per (service, fingerprint, minute).
export function errorRows(occurrences) {
  const errors = new Map();
  const minutes = new Map();
  for (const o of occurrences) {
    const key = `${o.service}\u0000${o.fingerprint}`;
    const row = errors.get(key);
    if (!row) {
      errors.set(key, { service: o.service, fingerprint: o.fingerprint, severity: o.severity, category: o.category, type: o.type, message: o.message, route: o.route, count: 1, firstSeen: o.time, lastSeen: o.time, lastTraceId: o.traceId });
    } else {
      row.count += 1;
      row.firstSeen = Math.min(row.firstSeen, o.time);
      // The latest occurrence describes the row; the earlier ones fill what it lacks.
      const latest = o.time >= row.lastSeen;
      for (const f of ['severity', 'category', 'type', 'message', 'route']) row[f] = latest ? (o[f] ?? row[f]) : (row[f] ?? o[f]);
      if (latest) {
        row.lastSeen = o.time;
        row.lastTraceId = o.traceId ?? row.lastTraceId;
      }
    }
    // Per minute and severity (migration 0003's key): each occurrence counts under its own
    // severity, so the summary's errorsBySeverity adds up to the occurrences. '' = unclassified.
    const bucket = minuteOf(o.time);
    const severity = o.severity ?? '';
    const mkey = `${key}\u0000${bucket}\u0000${severity}`;
    const m = minutes.get(mkey);
    if (m) m.count += 1;
    else minutes.set(mkey, { service: o.service, fingerprint: o.fingerprint, bucket, severity, count: 1 });
  }
  return { errors: [...errors.values()], minutes: [...minutes.values()] };
}

// The newer row's value, or the older's where the newer has none (SQLite upsert: `errors` is the
// stored row, `excluded` the one being inserted; every SET reads the stored row as it was).
const latest = (c) => `${c} = CASE WHEN excluded.last_seen >= errors.last_seen THEN coalesce(excluded.${c}, errors.${c}) ELSE coalesce(errors.${c}, excluded.${c}) END`;

export const UPSERT_ERROR =
  'INSERT INTO errors (service, fingerprint, severity, category, type, message, route, count, first_seen, last_seen, last_trace_id) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (service, fingerprint) DO UPDATE SET count = errors.count + excluded.count, ' +
  'first_seen = min(errors.first_seen, excluded.first_seen), last_seen = max(errors.last_seen, excluded.last_seen), ' +
  ['severity', 'category', 'type', 'message', 'route', 'last_trace_id'].map(latest).join(', ');

export const UPSERT_ERROR_MINUTE =
  'INSERT INTO error_minutes (service, fingerprint, bucket, severity, count) VALUES (?, ?, ?, ?, ?) ' +
  'ON CONFLICT (service, fingerprint, bucket, severity) DO UPDATE SET count = error_minutes.count + excluded.count';

// The statements ({ sql, params }) adding a payload's errors; none when it carries no fingerprint.
export function errorStatements(payload, now = Date.now()) {
  const { errors, minutes } = errorRows(errorOccurrences(payload, now));
  return [
    ...errors.map((r) => ({ sql: UPSERT_ERROR, params: [r.service, r.fingerprint, r.severity, r.category, r.type, r.message, r.route, r.count, r.firstSeen, r.lastSeen, r.lastTraceId] })),
    ...minutes.map((m) => ({ sql: UPSERT_ERROR_MINUTE, params: [m.service, m.fingerprint, m.bucket, m.severity, m.count] })),
  ];
}
