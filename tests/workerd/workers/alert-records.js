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

// What the classifier's settleErrors does with the de-duplication's answer: a record whose
// `repeated` rule is met by the fleet-wide count takes the rule's severity.
export function settleLikeClassifier(records, occurrences) {
  for (const record of records) {
    const n = occurrences.get(record.fingerprint);
    if (record.repeated && n !== undefined && n >= record.repeated.count) record.severity = record.repeated.severity;
  }
  return records;
}
