// Failures of edgescope itself (a config function that throws, a trapped core, a bug). Telemetry
// fails open: the user's handler runs and its response is unchanged. Each failure is counted, and
// logged once per stage so a broken deployment says so without flooding the logs.
const counts = new Map();
let last = null; // { stage, message } of the latest failure, for stats().lastError

export function reportInternalFailure(stage, error) {
  const seen = counts.get(stage) ?? 0;
  counts.set(stage, seen + 1);
  last = { stage, message: String(error?.message ?? error) };
  if (seen === 0) {
    console.error(
      `[edgescope] internal failure during ${stage}; the request continues without telemetry for that part ` +
        `(further failures of this kind are only counted in stats().internalFailures): ${error?.stack ?? error}`,
    );
  }
}

export function internalFailureCounts() {
  return Object.fromEntries(counts);
}

// What scopeOf() returns while telemetry is unavailable for an invocation (its config failed, or
// the invocation could not be opened): the scope's API, recording nothing. A handler written for
// edgescope calls scopeOf(request) first; if that threw, a missing COLLECTOR_URL would turn every
// request into a 500. fetch() is the plain global fetch. telemetry.stats() is the real one when a
// Telemetry exists, else zeros with internalFailures and the failure as lastError.
export function unavailableScope(telemetry = null, ctx = null) {
  const stats = () => {
    if (telemetry) {
      try {
        return telemetry.stats();
      } catch {
        // a trapped core cannot report: the counters below still can
      }
    }
    return {
      exported: 0, buffered: 0, rejected: 0, failed: 0, dropped: 0, payloadsSent: 0, payloadsFailed: 0, flushes: 0,
      lastError: last ? `${last.stage}: ${last.message}` : null,
      exporters: [], core: {}, buffer: null, api: {},
      internalFailures: internalFailureCounts(),
    };
  };
  const unavailable = {
    config: null, metrics: METRICS, logger: LOGGER, log: LOGGER, buffer: null,
    startSpan: () => SPAN,
    trace: (name, fn) => fn(SPAN),
    fetch: (input, init) => fetch(input, init),
    flush: () => Promise.resolve({ records: 0 }),
    stats,
    dispose() {},
  };
  return {
    telemetry: unavailable, span: SPAN, log: LOGGER, logger: LOGGER, metrics: METRICS,
    // The runtime's own ctx (ExecutionContext or DurableObjectState), as an instrumented scope has
    // it: code that follows the README (`scope.ctx.waitUntil`) keeps working when telemetry is off.
    ctx,
    trace: (name, fn) => fn(SPAN),
    startSpan: () => SPAN,
    fetch: (input, init) => fetch(input, init),
    setRoute() {},
    // The cache-tier API (js/tiers/) answers as for a request that looked nothing up.
    recordFetch() {},
    cacheTier: 'none',
    cacheFacts: Object.freeze({ hits: 0, lookups: 0, byTier: Object.freeze({}) }),
    counts: Object.freeze({ spans: 0, logs: 0 }),
    status: null, outcome: null, responseBytes: null,
    // The runtime's own CacheStorage, untraced (js/bindings/cache.js is the traced one).
    get caches() {
      return globalThis.caches;
    },
  };
}

const noop = () => {};
const LOGGER = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop, fatal: noop, child: () => LOGGER, forSpan: () => LOGGER });
const METRICS = Object.freeze({
  increment: noop, add: noop, gauge: noop, histogram: noop,
  startTimer() {
    const start = Date.now();
    return () => Date.now() - start; // still the elapsed ms the caller may use
  },
});
const SPAN = Object.freeze({
  ended: true, logger: LOGGER,
  isRecording: () => false,
  setAttribute: () => SPAN, setAttributes: () => SPAN, addEvent: () => SPAN, setStatus: () => SPAN,
  recordException: () => SPAN, updateName: () => SPAN, setSource: () => SPAN, end: noop, spanContext: () => null,
  startSpan: () => SPAN,
  trace: (name, fn) => fn(SPAN),
});
