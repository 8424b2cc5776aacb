// Every recorded exception, error response and fatal/error log is classified (the rules:
// js/monitoring/error-config.js; the core: js/core/monitoring-core.js) into an error record:
//
//   { fingerprint, severity, category, type, message, normalizedMessage, stack, status, route,
//     spanName, traceId, spanId, source: 'exception'|'response'|'log',
//     repeated: { count, windowMs, severity } | null, time }
//
// Records of an invocation collect in scope.errorRecords; settleErrors() settles them once,
// before they are exported: a severity escalates when its rule's `repeated` condition is met
// fleet-wide, and each record adds 1 to the `errors` counter. Alerting reads the settled records.
//
// The `errors` counter's tags: error.severity (3 values), error.category (the rules' labels),
// error.fingerprint, error.type (the exception's type, a response's status code, else _OTHER) and
// http.route when known. A fingerprint groups one error site
// and message shape, so its number is that of distinct errors, not of requests; the core's series
// bound (es_limit maxSeries) caps it all the same: past it, new series are refused and counted in
// stats(), never merged under a wrong tag. error.type is cut to 128 characters.
import { ErrorClassifier } from '../core/monitoring-core.js';
import { errorFields, isError } from '../core/attribute-values.js';

// One classifier per rule set in the isolate, shared by every Telemetry with those rules: each is a
// slot in the core (at most 64), and an isolate that builds a Telemetry per request must not run
// out of them. The few distinct rule sets an isolate has stay; past MAX_CLASSIFIERS the oldest
// one's slot is given back.
const classifiers = new Map(); // `${defaults}\n${packed}` -> ErrorClassifier
const MAX_CLASSIFIERS = 16;
// Errors already classified outside an invocation (the manual API), by the object user code threw,
// with the trace it was recorded in: a parent and a child span recording the same error in one
// trace are one occurrence; the same object thrown again in another trace is another.
const manualRecords = new WeakMap(); // thrown object -> record
const MAX_MESSAGE = 4096; // what a record keeps of a message (the fingerprint reads as much)
const MAX_STACK = 16384;

export const ERRORS_COUNTER = 'errors';

function classifierOf(telemetry) {
  const { packed, defaults } = telemetry.config.errors ?? { packed: '', defaults: true };
  const key = `${defaults ? 1 : 0}\n${packed}`;
  let classifier = classifiers.get(key);
  if (!classifier) {
    if (classifiers.size >= MAX_CLASSIFIERS) {
      const [oldest, evicted] = classifiers.entries().next().value;
      classifiers.delete(oldest);
      evicted.destroy();
    }
    classifier = new ErrorClassifier({ packed, defaults });
    classifiers.set(key, classifier);
  }
  return classifier;
}

// The record already made for this thrown value in this invocation (or, without one, this trace):
// the same error recorded on several spans (a child's trace() rethrows it to the handler, whose
// root span records it again) is one occurrence: one record, one count. Within an invocation
// objects match by identity and primitives by value (`throw 'boom'` recorded by a child span and
// again by the root).
function recordFor(scope, thrown, traceId) {
  if (thrown === null || thrown === undefined) return undefined;
  if (scope) return scope.recordsByThrown?.get(thrown);
  if (typeof thrown !== 'object' && typeof thrown !== 'function') return undefined;
  const record = manualRecords.get(thrown);
  return record && traceId && record.traceId === traceId ? record : undefined;
}

function remember(scope, thrown, record) {
  if (thrown === null || thrown === undefined) return;
  if (scope) (scope.recordsByThrown ??= new Map()).set(thrown, record);
  else if (typeof thrown === 'object' || typeof thrown === 'function') manualRecords.set(thrown, record);
}

// The attributes a classified error puts on its span, its exception event and its log record.
export function errorAttributes(record) {
  return { 'error.severity': record.severity, 'error.category': record.category, 'error.fingerprint': record.fingerprint };
}

// Classifies one error and adds its record to the scope (or settles it at once when there is no
// invocation scope: a span made with the manual API). Returns the record, or null when the core
// is unavailable or classification failed (counted as an internal failure by the caller's
// fail-open path, never thrown into user code).
//   what: { source, error?, message?, status?, route?, span?, level?, binding? }
export function classifyError(telemetry, scope, what) {
  const { source, error, status = 0, span = null, level = '' } = what;
  // `thrown`: what user code threw, when `error` wraps a non-Error (span.js recordException).
  const thrown = 'thrown' in what ? what.thrown : error;
  const context = span && !span.noop ? span.spanContext() : null;
  const seen = recordFor(scope, thrown, context?.traceId);
  if (seen) return seen;
  let type = '';
  let message = what.message ?? '';
  let stack = '';
  if (error !== undefined && error !== null) {
    if (isError(error)) [type = 'Error', message = '', stack = ''] = errorFields(error);
    else message = String(error);
  }
  if (source === 'response' && !message) message = `HTTP ${status}`;
  message = message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) : message;
  stack = stack.length > MAX_STACK ? stack.slice(0, MAX_STACK) : stack;
  const route = what.route ?? scope?.route ?? null;
  const spanName = span?.name ?? null;
  const binding = what.binding ?? span?.bindingType ?? null;
  const got = classifierOf(telemetry).classify({ type, message, stack, status, route, binding, spanName, level });
  if (!got) return null;
  const record = {
    fingerprint: got.fingerprint,
    severity: got.severity,
    category: got.category,
    type,
    message,
    normalizedMessage: got.normalizedMessage,
    stack,
    status: status || null,
    route,
    spanName,
    traceId: context?.traceId ?? null,
    spanId: context?.spanId ?? null,
    source,
    repeated: got.repeated,
    time: Date.now(),
  };
  remember(scope, thrown, record);
  if (scope && !scope.errorsSettled) scope.errorRecords.push(record);
  else settleRecords(telemetry, [record], null);
  return record;
}

// Settles the scope's unsettled records: escalates where `repeated` is met (occurrences: Map
// fingerprint -> count seen fleet-wide within the rule's window, or null without shared state, when
// nothing escalates), records the `errors` counter once per record, and returns the records it
// settled. Records added later (background work) are settled by a later call.
export function settleErrors(scope, occurrences) {
  return settleRecords(scope.telemetry, takeUnsettled(scope), occurrences);
}

function takeUnsettled(scope) {
  const from = scope.errorsSettledCount ?? 0;
  scope.errorsSettledCount = scope.errorRecords.length;
  return scope.errorRecords.slice(from);
}

function settleRecords(telemetry, records, occurrences) {
  const counting = telemetry.config?.errors?.count !== false;
  for (const record of records) {
    const seen = occurrences?.get(record.fingerprint) ?? 0;
    if (record.repeated && seen >= record.repeated.count && rank(record.repeated.severity) > rank(record.severity)) {
      record.severity = record.repeated.severity;
    }
    const tags = {
      'error.severity': record.severity,
      'error.category': record.category,
      'error.fingerprint': record.fingerprint,
      'error.type': errorType(record),
    };
    if (record.route) tags['http.route'] = record.route;
    if (counting) telemetry.metrics.increment(ERRORS_COUNTER, 1, tags);
  }
  return records;
}

// OpenTelemetry semantic conventions (error.type): the exception's type; for an HTTP response the
// status code as a string; otherwise _OTHER.
function errorType(record) {
  if (record.type) return record.type.slice(0, 128);
  return record.source === 'response' && record.status ? String(record.status) : '_OTHER';
}

const rank = (severity) => (severity === 'CRITICAL' ? 2 : severity === 'WARNING' ? 1 : 0);

// The one place the invocation settles its error records (finalize, before the first flush, and
// again for what background work added, before the last). Without `alerts` they settle at once,
// with nothing escalated (no shared state to count in). With `alerts` (createAlerts() from
// 'edgescope/alerts'), its one request to the shared state answers the fleet-wide counts, the
// records settle with them, and their alerts go out; the returned promise (also handed to the
// invocation's waitUntil) ends when that work has, and never rejects. Whatever happens to the
// alert work, each record is settled, and counted, exactly once.
export function settleInvocationErrors(scope) {
  const records = takeUnsettled(scope);
  if (records.length === 0) return null;
  const telemetry = scope.telemetry;
  const alerts = telemetry.config.alerts;
  let settled = false;
  const settle = (occurrences) => {
    if (settled) return records;
    settled = true;
    return settleRecords(telemetry, records, occurrences);
  };
  if (!alerts) {
    settle(null);
    return null;
  }
  let work;
  try {
    work = Promise.resolve(alerts.alertInvocation(scope, records, { settle }));
  } catch (error) {
    work = Promise.reject(error);
  }
  return work.then(
    () => void settle(null),
    (error) => {
      settle(null);
      throw error;
    },
  );
}
