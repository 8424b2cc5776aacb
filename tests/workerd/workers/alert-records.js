// The error record the classifier puts on scope.errorRecords, built by hand from a caught error
// for the alert tests (classification lives elsewhere). One place, so the tests can switch to
// instrument()-produced records by replacing this helper: numbers in the message are normalized so
// the same error from different requests shares one fingerprint, as the classifier's does.
export function recordOf(error, { severity = 'CRITICAL', category = 'database', route = '/checkout', traceId, spanId, repeated = null, status = 500 } = {}) {
  const normalizedMessage = String(error.message).replace(/\d+/g, '<n>');
  return {
    fingerprint: `${error.name}:${normalizedMessage}`.replace(/[^0-9A-Za-z]+/g, '-').slice(0, 64),
    severity,
    category,
    type: error.name,
    message: error.message,
    normalizedMessage,
    stack: error.stack ?? null,
    status,
    route,
    spanName: `GET ${route}`,
    traceId,
    spanId,
    source: 'exception',
    repeated,
    time: Date.now(),
  };
}
