// One call on a binding, in a CLIENT (or PRODUCER) span parented on the invocation's root span.
// The span ends when the call settles; a throw or rejection is recorded on it (exception event,
// error status) and rethrown as the very same object, so user code and the runtime see exactly
// what they would without edgescope. The call's value is returned as is (never copied or read
// beyond what `settled` looks at). A failure of edgescope itself never reaches the call: the
// binding is then called untraced and the failure is counted (internal-failures.js).
import { reportInternalFailure } from '../internal-failures.js';

// call: () => the real binding call's result (a promise or a value).
// settled(span, value, durationMs): optional, adds what the result tells (rows, hit or miss).
export function tracedCall(scope, name, kind, attributes, call, settled) {
  // A wrapped env kept past its invocation (stored in a module variable) and used by a later
  // request: its calls are not this invocation's, and it has exported everything already.
  if (scope.closed) return call();
  let span;
  let start;
  try {
    span = scope.rootSpan.startSpan(name, { kind, attributes });
    start = Date.now();
  } catch (failure) {
    reportInternalFailure('binding span', failure);
    return call();
  }
  let result;
  try {
    result = call();
  } catch (error) {
    fail(span, error);
    throw error;
  }
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    return result.then(
      (value) => {
        finish(span, settled, value, start);
        return value;
      },
      (error) => {
        fail(span, error);
        throw error;
      },
    );
  }
  finish(span, settled, result, start);
  return result;
}

function finish(span, settled, value, start) {
  try {
    // Date.now() in workerd advances only across I/O: exactly the binding call's wait.
    if (settled) settled(span, value, Date.now() - start);
  } catch (failure) {
    reportInternalFailure('binding span', failure);
  }
  try {
    span.end();
  } catch (failure) {
    reportInternalFailure('binding span', failure);
  }
}

function fail(span, error) {
  try {
    span.recordException(error);
    span.setStatus('error', error?.message ?? String(error));
    span.end();
  } catch (failure) {
    reportInternalFailure('binding span', failure);
  }
}

// A lookup (KV get, R2 get/head, D1 read, Cache API match): the span's source tier ('miss' when
// nothing came back) and one per-fetch fact on the invocation (scope.recordFetch), so cache.hits,
// cache.lookups and bytes by tier count every binding read without user code.
export function recordLookup(scope, span, tier, hit, durationMs, bytes) {
  span.setSource(hit ? tier : 'miss');
  const fact = { tier, hit, durationMs };
  if (hit && Number.isFinite(bytes) && bytes >= 0) fact.bytes = bytes;
  scope.recordFetch(fact);
}
