// The manual API: one Telemetry per service per isolate. instrument() builds on it; code that
// does not use instrument() calls trace()/startSpan()/metrics/logger and awaits flush() inside
// ctx.waitUntil.
import { validateConfig } from './config.js';
import { CoreTelemetry } from './core/core-telemetry.js';
import { ExportPipeline } from './export-pipeline.js';
import { tracedFetch } from './traced-fetch.js';
import { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { Span, spanKind } from './span.js';

export class Telemetry {
  constructor(config) {
    this.config = validateConfig(config);
    this.core = new CoreTelemetry(this.config);
    this.pipeline = new ExportPipeline(this.core, this.config.exporters);
    this.metrics = new Metrics(this);
    this.logger = new Logger(this);
    this.activeInvocations = 0;
    this.openRoots = 0;
    this.warnedUnflushed = false;
  }

  get log() {
    return this.logger;
  }

  // options: { parent?: Span, kind?: 'internal'|'server'|'client'|'producer'|'consumer',
  //            attributes?: object, startTime?: ms }
  startSpan(name, options = {}) {
    const { parent, attributes, startTime = Date.now() } = options;
    const kind = spanKind(options.kind);
    if (parent && !(parent instanceof Span)) throw new TypeError('edgescope: `parent` must be a Span');
    if (!parent || parent.ended) {
      this.noteUnitOfWorkStart();
      this.openRoots++;
    }
    const live = parent && !parent.ended;
    const handle = this.core.startSpan(live ? parent.handle : 0, name, kind, startTime, attributes);
    return new Span(this, handle, live ? parent.scope : (options.scope ?? null), !live);
  }

  // A root span continuing an incoming W3C trace context (used by instrument()).
  startRemoteSpan(name, { kind = 'server', traceparent, tracestate, attributes, startTime = Date.now(), scope }) {
    this.openRoots++;
    const { span, rejectedHeader } = this.core.startRemoteSpan(name, spanKind(kind), startTime, traceparent ?? '', tracestate ?? '');
    if (attributes) this.core.setAttributes(span, attributes);
    return { span: new Span(this, span, scope, true), rejectedHeader };
  }

  // Runs fn(span) in a new span and ends it when fn settles; a throw or rejection is recorded on
  // the span (exception event, error status) and rethrown unchanged.
  trace(name, fn, options = {}) {
    const span = this.startSpan(name, options);
    const fail = (error) => {
      span.recordException(error);
      span.setStatus('error', error?.message ?? String(error));
      span.end();
      throw error;
    };
    let result;
    try {
      result = fn(span);
    } catch (error) {
      fail(error);
    }
    if (result && typeof result.then === 'function') {
      return result.then((value) => {
        span.end();
        return value;
      }, fail);
    }
    span.end();
    return result;
  }

  // fetch() with a CLIENT span and the W3C traceparent/tracestate headers injected.
  fetch(input, init, { parent } = {}) {
    return tracedFetch(this, parent, input, init);
  }

  // Drains everything finished and delivers it; pass the promise to ctx.waitUntil.
  flush() {
    return this.pipeline.flush();
  }

  stats() {
    return this.pipeline.stats();
  }

  rootEnded() {
    this.openRoots = Math.max(0, this.openRoots - 1);
  }

  // A new unit of work (invocation or root span) while records from an earlier one are still
  // waiting means an earlier invocation never flushed: its telemetry would be lost if the isolate
  // were evicted. Say so once.
  noteUnitOfWorkStart() {
    if (this.warnedUnflushed || this.activeInvocations > 0 || this.openRoots > 0) return;
    const pending = this.core.pending();
    if (pending === 0) return;
    this.warnedUnflushed = true;
    console.warn(
      `[edgescope] ${pending} telemetry record(s) from an earlier invocation were never flushed. ` +
        'Call ctx.waitUntil(telemetry.flush()) in every invocation, or wrap the handler with instrument(). ' +
        '(This warning is shown once.)',
    );
  }
}

export function createTelemetry(config) {
  return new Telemetry(config);
}
