// The manual API: one Telemetry per service per isolate. instrument() builds on it; code that
// does not use instrument() calls trace()/startSpan()/metrics/logger and awaits flush() inside
// ctx.waitUntil.
import { validateConfig } from './config.js';
import { CoreTelemetry } from './core/core-telemetry.js';
import { ExportPipeline } from './export-pipeline.js';
import { tracedFetch } from './traced-fetch.js';
import { internalFailureCounts } from './internal-failures.js';
import { LateRecords } from './late-records.js';
import { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { defaultResource } from './resource.js';
import { Span, spanKind } from './span.js';
import { applyBeforeSend } from './before-send.js';
import { BufferControl } from './buffering/buffer-control.js';
import { BufferMetrics } from './buffering/buffer-metrics.js';

// instrument() hands a root span its invocation scope through this key: not a public option.
export const SCOPE = Symbol('edgescope.scope');

// Times are milliseconds since the Unix epoch. Anything before 2000-01-01 is a mistake (0, NaN, or
// seconds where milliseconds were meant) and would reach a backend as a date in 1970.
const EARLIEST_PLAUSIBLE_MS = 946684800000;

export class Telemetry {
  constructor(config) {
    this.config = validateConfig(config);
    this.resource = { ...defaultResource(this.config), ...this.config.resource };
    this.core = new CoreTelemetry({ ...this.config, resource: this.resource });
    if (this.config.redact.disabled.length) {
      // Never silent: a built-in protection turned off is said once, at startup.
      console.warn(`[edgescope] redaction categories turned off by config: ${this.config.redact.disabled.join(', ')}`);
    }
    this.pipeline = new ExportPipeline(this.core, this.config.exporters, { maxSubrequests: this.config.maxSubrequests, buffer: this.config.buffer });
    this.buffer = this.pipeline.buffer ? new BufferControl(this.pipeline.buffer, this.config.maxSubrequests) : null;
    this.bufferMetrics = new BufferMetrics(this);
    this.metrics = new Metrics(this);
    this.logger = new Logger(this);
    this.activeInvocations = 0;
    this.openRoots = 0;
    this.warnedUnflushed = false;
    this.late = null; // js/late-records.js, for instrument()'s Telemetry only
    // The "never flushed" warning needs to know whether records left by the last unit of work that
    // ended were flushed since: flushes counts flush() calls (each drains synchronously), and
    // flushesAtLastEnd is that count when a unit last ended (-1: none has ended yet).
    this.flushes = 0;
    this.flushesAtLastEnd = -1;
    this.repairs = { timesRepaired: 0, spansRefused: 0, eventsRefused: 0, logsRefused: 0, droppedByBeforeSend: 0, routesRefused: 0, sourcesRefused: 0, fetchesRefused: 0, bindingsUnattributed: 0 };
    this.reported = new Set();
  }

  get log() {
    return this.logger;
  }

  // instrument()'s Telemetry: records written while none of its invocations runs are flushed in
  // the platform's waitUntil (js/late-records.js).
  exportLateRecords() {
    this.late = new LateRecords(this);
  }

  // Called by instrument() at the start of each invocation: a core that trapped is replaced here,
  // so one bad call never leaves later ones running on a half-updated heap.
  beginInvocation() {
    if (this.core.dead) this.core.revive();
  }

  // options: { parent?: Span, kind?: 'internal'|'server'|'client'|'producer'|'consumer',
  //            attributes?: object, startTime?: ms, source?: cache tier (Span.setSource) }
  startSpan(name, options = {}) {
    return this.openSpan(name, options, options.parent);
  }

  // startSpan() with the parent given apart from the options (Span.trace/startSpan: no copy of
  // the options to add it).
  // `options.source`: the span's source tier (Span.setSource).
  openSpan(name, options, parent) {
    const span = this.makeSpan(name, options, parent);
    if (options.source !== undefined) span.setSource(options.source);
    return span;
  }

  makeSpan(name, options, parent) {
    let { attributes } = options;
    const kind = spanKind(options.kind);
    if (parent !== undefined && parent !== null && !(parent instanceof Span)) {
      throw new TypeError('edgescope: `parent` must be a Span');
    }
    if (typeof name !== 'string' || name === '') {
      this.repairs.spansRefused++;
      this.reportOnce('span-name', `a span name must be a non-empty string (got ${JSON.stringify(name)}); the span is not recorded`);
      return new Span(this, 0, null, false);
    }
    const startTime = this.checkTime(options.startTime, 'startTime');
    if (this.config.beforeSend) {
      const record = applyBeforeSend(this, { type: 'span', name, attributes: attributes ?? {} });
      if (!record) return new Span(this, 0, null, false);
      if (typeof record.name === 'string' && record.name !== '') name = record.name;
      attributes = record.attributes;
    }
    if (!parent) {
      this.noteUnitOfWorkStart();
      this.openRoots++;
      const handle = this.core.startSpan(0, name, kind, startTime, attributes);
      return named(new Span(this, handle, options[SCOPE] ?? null, true, this.core.recording), name, attributes);
    }
    // A child of a refused (no-op) span is refused too: never a new recorded root.
    if (parent.noop) return new Span(this, 0, null, false);
    const scope = parent.scope ?? null;
    if (parent.telemetry === this && !parent.ended) {
      return named(new Span(this, this.core.startSpan(parent.handle, name, kind, startTime, attributes), scope, false, this.core.recording), name, attributes);
    }
    // A parent that has ended, or that belongs to another Telemetry instance: its context (trace
    // id, span id, flags, tracestate) is carried over, so the child stays in the parent's trace
    // under the parent, and in the parent's invocation.
    const context = parent.spanContext();
    if (!context) return new Span(this, 0, null, false);
    const { span } = this.core.startRemoteSpan(name, kind, startTime, context.traceparent, context.tracestate ?? '');
    const recording = this.core.recording;
    if (attributes && recording) this.core.setAttributes(span, attributes);
    return named(new Span(this, span, parent.telemetry === this ? scope : null, false, recording), name, attributes);
  }

  // A root span continuing an incoming W3C trace context (used by instrument()). `attributes` may
  // be a function returning them: it is called only when the span records (or a beforeSend hook
  // is set, which sees every span), so an unsampled request does not build them.
  startRemoteSpan(name, { kind = 'server', traceparent, tracestate, attributes, startTime, scope }) {
    if (this.config.beforeSend) {
      if (typeof attributes === 'function') attributes = attributes();
      const record = applyBeforeSend(this, { type: 'span', name, attributes: attributes ?? {} });
      // Refused by the hook: the request still runs, under a span that records nothing.
      if (!record) return { span: new Span(this, 0, scope, false), rejectedHeader: false };
      attributes = record.attributes;
    }
    this.openRoots++;
    const { span, rejectedHeader } = this.core.startRemoteSpan(
      name,
      spanKind(kind),
      this.checkTime(startTime, 'startTime'),
      traceparent ?? '',
      tracestate ?? '',
    );
    const recording = this.core.recording;
    if (attributes && recording) this.core.setAttributes(span, typeof attributes === 'function' ? attributes() : attributes);
    return { span: named(new Span(this, span, scope, true, recording), name, null), rejectedHeader };
  }

  // Runs fn(span) in a new span and ends it when fn settles; a throw or rejection is recorded on
  // the span (exception event, error status) and rethrown unchanged.
  trace(name, fn, options = {}) {
    return runIn(this.startSpan(name, options), fn);
  }

  // trace() under `parent` (Span.trace).
  traceUnder(parent, name, fn, options) {
    return runIn(this.openSpan(name, options, parent), fn);
  }

  // fetch() with a CLIENT span and the W3C traceparent/tracestate headers injected.
  fetch(input, init, { parent } = {}) {
    return tracedFetch(this, parent, input, init);
  }

  // Drains everything finished and delivers it; pass the promise to ctx.waitUntil.
  // options: { replay?: boolean } (default true: replay the offline buffer's backlog first, within
  // buffer.replay's bounds), { maxSubrequests?: number }.
  flush(options) {
    this.flushes++;
    this.bufferMetrics.record();
    return this.pipeline.flush(options);
  }

  stats() {
    return { ...this.pipeline.stats(), api: { ...this.repairs }, internalFailures: internalFailureCounts() };
  }

  // Releases the core instance; the Telemetry must not be used afterwards.
  dispose() {
    this.core.dispose();
  }

  rootEnded() {
    this.openRoots = Math.max(0, this.openRoots - 1);
    this.noteUnitOfWorkEnd();
  }

  // No root span open and no invocation running: a unit of work has ended.
  noteUnitOfWorkEnd() {
    if (this.openRoots === 0 && this.activeInvocations === 0) this.flushesAtLastEnd = this.flushes;
  }

  // A caller's time, or now when none was given. An implausible one (0, NaN, seconds instead of
  // milliseconds) is replaced by now, counted, and reported once.
  checkTime(time, field) {
    if (time === undefined) return Date.now();
    const value = time instanceof Date ? time.getTime() : time;
    if (typeof value === 'number' && Number.isFinite(value) && value >= EARLIEST_PLAUSIBLE_MS) return value;
    this.repairs.timesRepaired++;
    this.reportOnce(
      `time-${field}`,
      `\`${field}\` must be milliseconds since the Unix epoch (Date.now()), got ${String(time)}; using the current time`,
    );
    return Date.now();
  }

  reportOnce(kind, message) {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    console.warn(`[edgescope] ${message} (reported once; counted in stats().api)`);
  }

  // A new unit of work (invocation or root span) while records from an earlier one are still
  // waiting means an earlier invocation never flushed: its telemetry would be lost if the isolate
  // were evicted. Say so once. Records are from an earlier unit only if one has ended and nothing
  // was flushed since: a log line written before the first span of the same unit is not.
  noteUnitOfWorkStart() {
    if (this.warnedUnflushed || this.activeInvocations > 0 || this.openRoots > 0) return;
    if (this.flushesAtLastEnd !== this.flushes) return;
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

// Runs fn(span) and ends the span when fn settles (Telemetry.trace).
function runIn(span, fn) {
  let result;
  try {
    result = fn(span);
  } catch (error) {
    failSpan(span, error);
  }
  if (result && typeof result.then === 'function') {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error) => failSpan(span, error),
    );
  }
  span.end();
  return result;
}

// A throw or rejection: recorded on the span (exception event, error status), which ends; the
// error is rethrown unchanged.
function failSpan(span, error) {
  span.recordException(error);
  span.setStatus('error', error?.message ?? String(error));
  span.end();
  throw error;
}

export function createTelemetry(config) {
  return new Telemetry(config);
}

// What error classification needs from a span besides the core's record (span.js): its name, and
// the binding type among the attributes it started with.
function named(span, name, attributes) {
  span.name = name;
  if (attributes && typeof attributes === 'object') span.noteBinding(attributes);
  return span;
}
