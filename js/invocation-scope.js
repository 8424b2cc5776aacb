// What one invocation's code uses: its root span, a logger correlated with it, metrics, traced
// fetch, and the instrumented ctx. scopeOf(request) finds it (also by ctx, the instrumented ctx,
// the scheduled controller or the queue batch), since Workers give no implicit async context
// without nodejs_compat.
//
// The invocation's life (ARCHITECTURE.md, "Request lifecycle"):
//   open      ctx.waitUntil(done) is registered before the handler runs;
//   finalize  when the body was delivered (or cancelled, or the handler threw): the root span ends,
//             the request metric is recorded, and what is finished is exported at once;
//   background then the work the handler handed to ctx.waitUntil is awaited, up to
//             `backgroundDeadlineMs`; spans still open after that are ended (marked
//             edgescope.span.unended) and everything it produced is exported;
//   done      settles; `done` never rejects and the invocation count always returns to zero.
import { ATTR, headerAttributes } from './http-attributes.js';
import { reportInternalFailure } from './internal-failures.js';
import { writeInvocationSummaries } from './invocation-summary.js';
import { classifyError, errorAttributes, settleInvocationErrors } from './monitoring/error-records.js';
import { MAX_ENTRIES, rulesFor } from './tiers/tier-core.js';
import { CacheFacts, fetchFactsProblem } from './tiers/tier-facts.js';
import { NO_TIER } from './tiers/tier-config.js';
import { TIER_ATTRIBUTE, cacheAttributes, recordCacheCounters, recordLookupDuration } from './tiers/tier-report.js';
import { scopeCaches } from './bindings/cache.js';

const scopes = new WeakMap();

// Up to three keys (the event, the runtime's ctx, the instrumented ctx): named parameters rather
// than a rest array, since this runs on every invocation.
export function registerScope(scope, a, b, c) {
  if (a && typeof a === 'object') scopes.set(a, scope);
  if (b && typeof b === 'object') scopes.set(b, scope);
  if (c && typeof c === 'object') scopes.set(c, scope);
}

// The scope registered under `key`, or undefined (scopeOf without the throw).
export function registeredScope(key) {
  return key && typeof key === 'object' ? scopes.get(key) : undefined;
}

export function scopeOf(key) {
  const scope = key && typeof key === 'object' ? scopes.get(key) : undefined;
  if (!scope) {
    throw new Error(
      'edgescope: scopeOf() was given something that is not the request, ctx, controller or batch of an ' +
        'invocation wrapped by instrument()',
    );
  }
  return scope;
}

export class InvocationScope {
  constructor(telemetry, ctx) {
    this.telemetry = telemetry;
    this.method = null;
    this.startTime = Date.now();
    this.metrics = telemetry.metrics;
    this.openSpans = new Set();
    this.background = new Set();
    this.rootSpan = null;
    this.route = null;
    this.finalized = false;
    this.closed = false;
    // Classified errors of this invocation (js/monitoring/error-records.js), settled before export.
    this.errorRecords = [];
    this.errorsSettled = false;
    // Cache tiers (js/tiers/): spans that set a source, in the order their sources were set, each
    // with its start order; the lookups recordFetch was told about; the decision, made at finalize.
    this.spanCount = 0;
    this.logCount = 0;
    this.sources = [];
    this.facts = new CacheFacts();
    this.finalTier = null;
    // Set at finalize: the response status (null without a response), the body watcher's outcome,
    // and the body bytes it saw delivered (0 for a response without a body).
    this.status = null;
    this.outcome = null;
    this.responseBytes = null;
    this.done = new Promise((resolve) => (this.settle = resolve));
    telemetry.noteUnitOfWorkStart();
    telemetry.activeInvocations++;
    ctx.waitUntil(this.done);
    this.ctx = instrumentContext(ctx, this);
  }

  attach(rootSpan, method) {
    this.rootSpan = rootSpan;
    this.method = method;
    if (method && rootSpan.name === undefined) rootSpan.name = method; // instrument() names it so
    this.log = this.logger = this.telemetry.logger.forSpan(rootSpan);
  }

  get span() {
    return this.rootSpan;
  }

  // The request's cache tier (js/tiers/tier-report.js). Final only after finalize (the body
  // delivered or cancelled): a streaming handler's spans recorded after its promise resolved still
  // count, so a read right after `await handler()` sees the decision so far, often 'none'.
  get cacheTier() {
    return this.finalTier ?? this.decideTier();
  }

  get cacheFacts() {
    return this.facts.snapshot();
  }

  // { spans, logs } this invocation started and wrote (the no-op span of a refused name excluded).
  get counts() {
    return { spans: this.spanCount, logs: this.logCount };
  }

  // The start order of a span of this invocation (span.js): 1 for the root, then 2, 3, ...
  noteSpan() {
    return ++this.spanCount;
  }

  // A span's source tier (span.js setSource, already validated). Setting it again replaces it.
  noteSource(span, source) {
    if (span.sourceEntry) {
      span.sourceEntry.source = source;
      return;
    }
    if (this.sources.length >= MAX_ENTRIES) {
      this.telemetry.repairs.sourcesRefused++;
      this.telemetry.reportOnce('span-source-bound', `more than ${MAX_ENTRIES} spans of one invocation set a source tier; later ones do not take part in the cache tier`);
      return;
    }
    span.sourceEntry = { span, source };
    this.sources.push(span.sourceEntry);
  }

  // One crossing into the core, and only when a span set a source.
  decideTier() {
    if (this.sources.length === 0) return NO_TIER;
    const entries = this.sources.map(({ span, source }) => ({ order: span.order, name: span.name ?? '', source }));
    try {
      const index = rulesFor(this.telemetry.config.cacheTiers.packed).decide(entries);
      return index === null || index < 0 ? NO_TIER : entries[index].source;
    } catch (failure) {
      reportInternalFailure('cache tier', failure);
      return NO_TIER;
    }
  }

  // One lookup of a cache or store (js/tiers/tier-facts.js). A bad call is counted and reported
  // once, never thrown. Lookups after finalize (ctx.waitUntil work) go to the metrics at once;
  // the root span has ended by then.
  recordFetch(facts) {
    const telemetry = this.telemetry;
    try {
      const problem = fetchFactsProblem(facts, telemetry.config.cacheTiers.tierSet);
      if (problem) {
        telemetry.repairs.fetchesRefused++;
        telemetry.reportOnce('record-fetch', `recordFetch() ${problem}; the lookup is not recorded`);
        return;
      }
      const { tier, hit, durationMs } = facts;
      this.facts.add(tier, hit, durationMs, facts.bytes ?? 0);
      recordLookupDuration(this.metrics, tier, hit, durationMs);
      if (this.finalized) {
        const late = new CacheFacts();
        late.add(tier, hit, durationMs, facts.bytes ?? 0);
        recordCacheCounters(this.metrics, late);
      }
    } catch (failure) {
      telemetry.repairs.fetchesRefused++;
      reportInternalFailure('recordFetch', failure);
    }
  }

  trace(name, fn, options) {
    return this.rootSpan.trace(name, fn, options);
  }

  startSpan(name, options) {
    return this.rootSpan.startSpan(name, options);
  }

  fetch(input, init) {
    return this.telemetry.fetch(input, init, { parent: this.rootSpan });
  }

  // Names the root span "{method} {route}" and sets http.route (low-cardinality route template).
  // A route is a template like '/users/:id' (OpenTelemetry HTTP semantic conventions, http.route).
  // Anything else (undefined, '', a number) would name the span "GET undefined" or "GET ": it is
  // refused, counted in stats().api.routesRefused and reported once; the name stays the method.
  setRoute(route) {
    if (typeof route !== 'string' || route.trim() === '') {
      this.telemetry.repairs.routesRefused++;
      this.telemetry.reportOnce('set-route', `setRoute() takes a non-empty route template like '/users/:id' (got ${typeof route === 'string' ? JSON.stringify(route) : String(route)}); the root span keeps its name`);
      return;
    }
    this.route = route;
    this.rootSpan.setAttribute(ATTR.route, route);
    this.rootSpan.updateName(this.method ? `${this.method} ${route}` : route);
  }

  // A promise the handler gave to ctx.waitUntil: the invocation exports what it produced.
  track(promise) {
    if (this.closed || !promise || typeof promise.then !== 'function') return;
    const tracked = Promise.resolve(promise).then(
      () => this.background.delete(tracked),
      () => this.background.delete(tracked),
    );
    this.background.add(tracked);
  }

  noteResponse(response) {
    const names = this.telemetry.config.capture.responseHeaders;
    if (names.length) this.rootSpan.setAttributes(headerAttributes('response', response.headers, names));
  }

  fail(error) {
    this.rootSpan.recordException(error);
    this.rootSpan.setStatus('error', error?.message ?? String(error));
  }

  // The invocation could not be opened: give back what the constructor took.
  abandon() {
    this.closed = true;
    this.telemetry.activeInvocations--;
    this.telemetry.noteUnitOfWorkEnd();
    this.settle();
  }

  // Ends the request part of the invocation. Synchronous up to the first export; never throws;
  // whatever happens, `done` settles and the invocation count returns to zero.
  // `bytes`: the body bytes the body watcher saw delivered.
  finalize({ response, outcome, error, bytes }) {
    if (this.finalized) return;
    this.finalized = true;
    this.status = response?.status ?? null;
    this.outcome = outcome;
    this.responseBytes = bytes ?? 0;
    const telemetry = this.telemetry;
    try {
      this.finalTier = this.decideTier();
    } catch (failure) {
      this.finalTier = NO_TIER;
      reportInternalFailure('cache tier', failure);
    }
    try {
      this.endRoot(response, outcome, error);
    } catch (failure) {
      reportInternalFailure('finalize', failure);
    }
    writeInvocationSummaries(this); // Analytics Engine: one data point, after the root ended (never throws)
    // Alert work (a shared-state request, then the channels) is tracked like the handler's own
    // waitUntil work, so the background wait below includes it.
    this.track(this.settleErrors());
    this.afterFirstExport(safeFlush(telemetry));
  }

  // The rest of the invocation after finalize's export: the background work, what it recorded,
  // then `done`. One async function rather than a chain of then/catch/finally (fewer promises and
  // closures per invocation); never rejects.
  async afterFirstExport(first) {
    const telemetry = this.telemetry;
    try {
      await first;
      if (this.background.size > 0) await this.awaitBackground();
      this.closed = true;
      this.endLeftOpenSpans();
      // What background work recorded; later records settle as they come (error-records.js).
      const alerting = this.settleErrors();
      this.errorsSettled = true;
      if (alerting) await alerting;
      // The backlog was replayed by the first flush: one replay per invocation (buffer.replay bounds).
      if (telemetry.core.pending() > 0) await safeFlush(telemetry, { replay: false });
    } catch (failure) {
      reportInternalFailure('background export', failure);
    } finally {
      this.closed = true;
      telemetry.activeInvocations = Math.max(0, telemetry.activeInvocations - 1);
      telemetry.noteUnitOfWorkEnd();
      this.settle();
      // Records written while this last export was in flight (a WebSocket's messages: the
      // invocation was still open, so they queued nothing) are flushed now (js/late-records.js).
      telemetry.late?.note();
    }
  }

  endRoot(response, outcome, error) {
    const root = this.rootSpan;
    const facts = this.facts;
    // One batch (one es_span_set): the outcome, the cache tier and lookups, the status code.
    const attributes = cacheAttributes(this.finalTier, facts);
    attributes['edgescope.response.outcome'] = outcome;
    const status = this.status; // response.status, read once at finalize (a call into the runtime)
    if (response) attributes[ATTR.status] = status;
    root.setAttributes(attributes);
    if (response) {
      if (status >= 400) this.classifyResponse(status);
      // Only when user code left the status unset (OpenTelemetry: a span's status is set by
      // instrumentation only if unset; Ok is final).
      if (status >= 500) root.setStatus('error', `HTTP ${status}`, { ifUnset: true });
    }
    const end = Date.now();
    root.end(end);
    const telemetry = this.telemetry;
    if (facts.lookups > 0) recordCacheCounters(telemetry.metrics, facts);
    if (telemetry.config.requestMetrics && this.method) {
      // Semantic conventions: http.server.request.duration in seconds; the status code is an int;
      // a thrown handler has no status code and is tagged with error.type instead.
      const outcomeTags = response ? { [ATTR.status]: status } : { [ATTR.errorType]: error?.name ?? 'Error' };
      telemetry.metrics.histogram(
        'http.server.request.duration',
        (end - this.startTime) / 1000,
        { [ATTR.method]: this.method, ...outcomeTags, ...(this.route ? { [ATTR.route]: this.route } : {}), [TIER_ATTRIBUTE]: this.finalTier },
        { unit: 's' },
      );
    }
  }

  // An error response is an error occurrence of its own (source 'response'), tagged with the
  // route; the root span carries its classification unless an exception's is already there.
  classifyResponse(status) {
    const root = this.rootSpan;
    try {
      const record = classifyError(this.telemetry, this, { source: 'response', status, route: this.route, span: root });
      if (record && !root.classified) root.setAttributes(errorAttributes(record));
    } catch (failure) {
      reportInternalFailure('error classification', failure);
    }
  }

  // Settles (and, with `alerts`, alerts on) the records so far; a promise while alert work runs.
  settleErrors() {
    try {
      return settleInvocationErrors(this)?.catch((failure) => reportInternalFailure('alerts', failure)) ?? null;
    } catch (failure) {
      reportInternalFailure('error classification', failure);
      return null;
    }
  }

  // Waits for the handler's own ctx.waitUntil work (including work it registers meanwhile), up to
  // the deadline: the runtime allows 30 s after the response, and the export after this needs its
  // share of that window.
  async awaitBackground() {
    if (this.background.size === 0) return; // no timer when there is nothing to wait for
    const deadlineMs = this.telemetry.config.backgroundDeadlineMs;
    let timer;
    const expired = new Promise((resolve) => {
      timer = setTimeout(() => resolve(true), deadlineMs);
    });
    try {
      while (this.background.size > 0) {
        const timedOut = await Promise.race([Promise.allSettled([...this.background]).then(() => false), expired]);
        if (timedOut) {
          console.warn(
            `[edgescope] work handed to ctx.waitUntil was still running ${deadlineMs} ms after the response; ` +
              'exporting what it produced so far (backgroundDeadlineMs)',
          );
          return;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  endLeftOpenSpans() {
    if (this.openSpans.size === 0 || (this.openSpans.size === 1 && this.openSpans.has(this.rootSpan))) return;
    for (const span of [...this.openSpans]) {
      if (span === this.rootSpan) continue;
      span.setAttribute('edgescope.span.unended', true);
      span.end();
    }
  }

  // The Cache API with match, put and delete traced as this invocation's spans (js/bindings/cache.js),
  // made at the first use. A property of the scope rather than a patched global `caches`: Workers
  // have no implicit async context without nodejs_compat, and one isolate serves concurrent
  // requests, so a global could not tell whose span a cache call is. `bindings: false` (or
  // 'cache' in bindings.exclude) gives the runtime's own `caches`; undefined where there is none.
  get caches() {
    if (this.cachesView === undefined) this.cachesView = scopeCaches(this);
    return this.cachesView;
  }
}

function safeFlush(telemetry, options) {
  try {
    return telemetry.flush(options).catch((error) => reportInternalFailure('export', error));
  } catch (error) {
    reportInternalFailure('export', error);
    return Promise.resolve();
  }
}

// The ctx the handler sees: the runtime's own, except that waitUntil also tells the scope about
// the promise. Every other member is the runtime's, bound to it, so passThroughOnException, props,
// exports and anything added later behave exactly as without us.
function instrumentContext(ctx, scope) {
  const waitUntil = function waitUntil(promise) {
    scope.track(promise);
    return ctx.waitUntil(promise);
  };
  let bound = null; // made at the first method read other than waitUntil
  return new Proxy(ctx, {
    get(target, key) {
      if (key === 'waitUntil') return waitUntil;
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      bound ??= new Map();
      let fn = bound.get(key);
      if (!fn || fn.original !== value) {
        fn = value.bind(target);
        fn.original = value;
        bound.set(key, fn);
      }
      return fn;
    },
  });
}
