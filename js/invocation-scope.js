// What one invocation's code uses: its root span, a logger correlated with it, metrics, traced
// fetch. scopeOf(request) finds it (also by ctx, the scheduled controller or the queue batch),
// since Workers give no implicit async context without nodejs_compat.
import { ATTR } from './http-attributes.js';

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
  constructor(telemetry, method = null) {
    this.telemetry = telemetry;
    this.method = method;
    this.startTime = Date.now();
    this.metrics = telemetry.metrics;
    this.openSpans = new Set();
    this.rootSpan = null;
    this.route = null;
    this.finalized = null;
  }

  attach(rootSpan) {
    this.rootSpan = rootSpan;
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
  setRoute(route) {
    this.route = route;
    this.rootSpan.setAttribute(ATTR.route, route);
    this.rootSpan.updateName(this.method ? `${this.method} ${route}` : route);
  }

  // Ends the invocation: reads response state now (after delivery), ends spans user code left
  // open, records the request metric, and flushes. Never rejects.
  finalize({ response, outcome, error }) {
    if (this.finalized) return this.finalized;
    const telemetry = this.telemetry;
    const root = this.rootSpan;
    for (const span of [...this.openSpans]) {
      if (span === root) continue;
      span.setAttribute('edgescope.span.unended', true);
      span.end();
    }
    root.setAttribute('edgescope.response.outcome', outcome);
    if (response) {
      root.setAttribute(ATTR.status, response.status);
      if (response.status >= 500) root.setStatus('error', `HTTP ${response.status}`);
    }
    const start = this.startTime;
    root.end();
    if (telemetry.config.requestMetrics && this.method) {
      // A thrown handler has no status code; semconv tags it with error.type instead.
      const outcomeTags = response ? { [ATTR.status]: String(response.status) } : { [ATTR.errorType]: error?.name ?? 'Error' };
      telemetry.metrics.histogram(
        'http.server.request.duration',
        Date.now() - start,
        { [ATTR.method]: this.method, ...outcomeTags, ...(this.route ? { [ATTR.route]: this.route } : {}) },
        { unit: 'ms' },
      );
    }
    telemetry.activeInvocations--;
    this.finalized = telemetry.flush().catch((error) => {
      console.error(`[edgescope] flush failed: ${error?.stack ?? error}`);
    });
    return this.finalized;
  }
}
