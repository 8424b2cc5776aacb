// The errors the resilience API throws to its caller.
//
// CircuitOpenError: a breaker refused the call. `retryAfter` is how long (ms) until the breaker
// will admit a call again (0 when it will as soon as another caller's trial call succeeds), and
// `state` the breaker state that refused it ('OPEN', 'HALF_OPEN', ...). It is thrown before the
// wrapped function runs, so nothing of the call happened.
//
// ResilienceStateError: the state store (KV or the Durable Object) failed. It never reaches the
// caller: a store that cannot be reached leaves the object working on the state this isolate last
// saw, counted in stats() and logged once (fail open, like the telemetry); changes resolve to
// { applied: false, error } with its message.
export class CircuitOpenError extends Error {
  constructor(name, state, retryAfterMs) {
    const retryAfter = Math.max(0, Math.ceil(retryAfterMs));
    const said = String(state).toLowerCase().replace('_', '-');
    let why;
    if (retryAfter > 0) why = `call refused; retry after ${retryAfter} ms`;
    else if (state === 'HALF_OPEN') why = 'call refused while a trial call decides whether the provider recovered';
    else why = 'this call is in the share of traffic the graduated curve sends away from the primary';
    super(`edgescope breaker '${name}' is ${said}: ${why}`);
    this.name = 'CircuitOpenError';
    this.breaker = name;
    this.state = state;
    this.retryAfter = retryAfter;
  }
}

export class ResilienceStateError extends Error {
  constructor(store, what, message, options) {
    super(`edgescope resilience (${store}): ${what}: ${message}`, options);
    this.name = 'ResilienceStateError';
    this.store = store;
  }
}

// Cloudflare marks errors thrown by a Durable Object stub (workers/runtime-apis/durable-objects,
// "Error handling"): `.overloaded` (the object is overloaded; retrying makes it worse, so never
// retry) and `.retryable` (a transient internal error; the call may be retried).
export const isOverloaded = (error) => Boolean(error && typeof error === 'object' && error.overloaded === true);
export const isRetryable = (error) => Boolean(error && typeof error === 'object' && error.retryable === true && error.overloaded !== true);

// A bounded one-line description of anything thrown.
export function describeError(error) {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
