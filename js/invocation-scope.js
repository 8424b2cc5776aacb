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

const scopes = new WeakMap();

export function registerScope(scope, ...keys) {
  for (const key of keys) if (key && typeof key === 'object') scopes.set(key, scope);
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
    this.settle();
  }

  // Ends the request part of the invocation. Synchronous up to the first export; never throws;
  // whatever happens, `done` settles and the invocation count returns to zero.
  finalize({ response, outcome, error }) {
    if (this.finalized) return;
    this.finalized = true;
    const telemetry = this.telemetry;
    try {
      this.endRoot(response, outcome, error);
    } catch (failure) {
      reportInternalFailure('finalize', failure);
    }
    writeInvocationSummaries(this); // Analytics Engine: one data point, after the root ended (never throws)
    // Alert work (a shared-state request, then the channels) is tracked like the handler's own
    // waitUntil work, so the background wait below includes it.
    this.track(this.settleErrors());
    const first = safeFlush(telemetry);
    first
      .then(() => this.awaitBackground())
      .then(() => {
        this.closed = true;
        this.endLeftOpenSpans();
        // What background work recorded; later records settle as they come (error-records.js).
        const alerting = this.settleErrors();
        this.errorsSettled = true;
        return alerting;
      })
      .then(() => {
        // The backlog was replayed by the first flush: one replay per invocation (buffer.replay bounds).
        return telemetry.core.pending() > 0 ? safeFlush(telemetry, { replay: false }) : undefined;
      })
      .catch((failure) => reportInternalFailure('background export', failure))
      .finally(() => {
        this.closed = true;
        telemetry.activeInvocations = Math.max(0, telemetry.activeInvocations - 1);
        this.settle();
      });
  }

  endRoot(response, outcome, error) {
    const root = this.rootSpan;
    root.setAttribute('edgescope.response.outcome', outcome);
    if (response) {
      root.setAttribute(ATTR.status, response.status);
      if (response.status >= 400) this.classifyResponse(response.status);
      // Only when user code left the status unset (OpenTelemetry: a span's status is set by
      // instrumentation only if unset; Ok is final).
      if (response.status >= 500) root.setStatus('error', `HTTP ${response.status}`, { ifUnset: true });
    }
    const end = Date.now();
    root.end(end);
    const telemetry = this.telemetry;
    if (telemetry.config.requestMetrics && this.method) {
      // Semantic conventions: http.server.request.duration in seconds; the status code is an int;
      // a thrown handler has no status code and is tagged with error.type instead.
      const outcomeTags = response ? { [ATTR.status]: response.status } : { [ATTR.errorType]: error?.name ?? 'Error' };
      telemetry.metrics.histogram(
        'http.server.request.duration',
        (end - this.startTime) / 1000,
        { [ATTR.method]: this.method, ...outcomeTags, ...(this.route ? { [ATTR.route]: this.route } : {}) },
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
    for (const span of [...this.openSpans]) {
      if (span === this.rootSpan) continue;
      span.setAttribute('edgescope.span.unended', true);
      span.end();
    }
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
  const bound = new Map();
  return new Proxy(ctx, {
    get(target, key) {
      if (key === 'waitUntil') return waitUntil;
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
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
