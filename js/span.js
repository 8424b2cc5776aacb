// A span as user code sees it. Calls on an ended or unsampled span are cheap no-ops in the core;
// the JavaScript side keeps the handle, its invocation scope (to end what user code forgot to end
// when the invocation finalizes) and, once ended, its context, so that a child started later still
// joins the same trace under it (OpenTelemetry: a parent's context stays valid after it ends).
import { applyBeforeSend } from './before-send.js';
import { SpanKind, StatusCode } from './core/core-telemetry.js';
import { reportInternalFailure } from './internal-failures.js';
import { classifyError, errorAttributes } from './monitoring/error-records.js';

// Span attributes that name the binding a span calls (its type is a classification input, e.g.
// the built-in rule for D1): OpenTelemetry's db.system and Cloudflare's binding type.
const BINDING_KEYS = new Set(['db.system', 'db.system.name', 'cloudflare.binding.type']);

export class Span {
  // recording: whether the core records it (sampled), as the core said when it started it. A span
  // that does not record takes no attribute, event, status or name: those calls return at once,
  // without reading the values or crossing into the core (which would discard them).
  constructor(telemetry, handle, scope, isRoot, recording = false) {
    this.telemetry = telemetry;
    this.handle = handle;
    this.scope = scope;
    this.isRoot = isRoot;
    this.ended = handle === 0; // the no-op span (refused by a bound) is born ended
    this.noop = handle === 0;
    this.recording = handle !== 0 && recording;
    this.status = 'unset';
    this.endedContext = null; // once ended: its context (core-telemetry.js EndedContext)
    this.name = undefined; // its name as started or last renamed (telemetry.js named())
    this.bindingType = undefined; // from BINDING_KEYS, for error classification
    // Its start order in the invocation and its source tier entry (invocation-scope.js): the cache
    // tier is decided by start order, whenever sources were set.
    this.order = this.noop || !scope ? 0 : scope.noteSpan();
    this.sourceEntry = null;
    if (!this.ended) scope?.openSpans.add(this);
  }

  isRecording() {
    return !this.ended && this.recording;
  }

  setAttribute(key, value) {
    if (BINDING_KEYS.has(key) && typeof value === 'string') this.bindingType = value;
    if (this.ended || !this.recording) return this;
    if (this.telemetry.config.beforeSend) return this.setAttributes({ [key]: value });
    this.telemetry.core.setAttribute(this.handle, key, value);
    return this;
  }

  // Remembers the binding type among `attributes` (BINDING_KEYS), for error classification.
  noteBinding(attributes) {
    try {
      for (const key of BINDING_KEYS) {
        const value = attributes?.[key];
        if (typeof value === 'string') this.bindingType = value;
      }
    } catch {
      // a throwing getter: the core's conversion counts it (attribute-values.js)
    }
  }

  setAttributes(attributes) {
    this.noteBinding(attributes);
    if (this.ended || !this.recording) return this;
    const record = applyBeforeSend(this.telemetry, { type: 'attributes', attributes });
    if (record) this.telemetry.core.setAttributes(this.handle, record.attributes);
    return this;
  }

  addEvent(name, attributes) {
    if (this.ended) return this;
    if (typeof name !== 'string' || name === '') {
      this.telemetry.repairs.eventsRefused++;
      this.telemetry.reportOnce('event-name', `an event name must be a non-empty string (got ${JSON.stringify(name)}); the event is not recorded`);
      return this;
    }
    if (!this.recording) return this;
    const record = applyBeforeSend(this.telemetry, { type: 'event', name, attributes: attributes ?? {} });
    if (record) this.telemetry.core.addEvent(this.handle, String(record.name || name), Date.now(), record.attributes);
    return this;
  }

  // 'ok' | 'error' | 'unset' (OpenTelemetry trace API, "Set Status"): the message is kept only with
  // 'error'; 'unset' is ignored; once 'ok' the status is final. { ifUnset: true } is for
  // instrumentation, which sets a status only where user code did not.
  setStatus(code, message, { ifUnset = false } = {}) {
    const numeric = StatusCode[code];
    if (numeric === undefined) throw new TypeError(`edgescope: span status must be 'ok', 'error' or 'unset' (got ${code})`);
    if (this.ended || code === 'unset' || this.status === 'ok' || (ifUnset && this.status !== 'unset')) return this;
    this.status = code;
    if (this.recording) this.telemetry.core.setStatus(this.handle, numeric, message ?? '');
    return this;
  }

  // The exception event carries the error's classification (error.severity, error.category,
  // error.fingerprint: js/monitoring/error-records.js), and so does the span; the invocation's
  // error records get one entry. Classified even when the span does not record: the `errors`
  // counter and alerting count every error, sampled or not.
  recordException(error) {
    const err = error instanceof Error ? error : new Error(String(error));
    let classified = null;
    try {
      const record = classifyError(this.telemetry, this.scope, { source: 'exception', error: err, thrown: error, span: this });
      if (record) classified = errorAttributes(record);
    } catch (failure) {
      reportInternalFailure('error classification', failure);
    }
    this.addEvent('exception', classified ? { error: err, ...classified } : { error: err });
    if (classified) {
      this.classified = true;
      this.setAttributes(classified);
    }
    return this;
  }

  // Where what this span produced came from: a tier of the vocabulary (memory cache kv r2 d1
  // origin build miss, plus config cacheTiers.tiers). Noted on the invocation whether or not the
  // span records, so an unsampled request still gets its cache tier; a recording span also gets
  // the `cache.source` attribute. An unknown tier is counted (stats().api.sourcesRefused) and
  // reported once, and the span keeps its previous source: never a throw into user code.
  setSource(tier) {
    if (this.noop) return this;
    if (typeof tier !== 'string' || !this.telemetry.config.cacheTiers.tierSet.has(tier)) {
      this.telemetry.repairs.sourcesRefused++;
      this.telemetry.reportOnce(
        'span-source',
        `setSource() takes a tier of ${this.telemetry.config.cacheTiers.tiers.join(', ')} or one added with cacheTiers.tiers (got ${typeof tier === 'string' ? JSON.stringify(tier) : String(tier)}); the span's source is unchanged`,
      );
      return this;
    }
    this.scope?.noteSource?.(this, tier);
    if (!this.ended && this.recording) this.telemetry.core.setAttribute(this.handle, 'cache.source', tier);
    return this;
  }

  updateName(name) {
    if (typeof name === 'string') this.name = name;
    if (!this.ended && this.recording) this.telemetry.core.rename(this.handle, name);
    return this;
  }

  end(endTime) {
    if (this.ended) return;
    this.ended = true;
    this.scope?.openSpans.delete(this);
    // Kept for children started after the end (a waitUntil task that outlives its parent).
    this.endedContext = this.telemetry.core.endSpan(this.handle, this.telemetry.checkTime(endTime, 'endTime'));
    if (this.isRoot) this.telemetry.rootEnded();
    this.telemetry.late?.note();
  }

  // { traceId, spanId, traceFlags, traceparent, tracestate }, or null for the no-op span.
  spanContext() {
    const ctx = this.ended ? this.endedContext : this.telemetry.core.spanContext(this.handle);
    if (!ctx) return null;
    const { traceparent, tracestate } = ctx;
    const [, traceId, spanId, flags] = traceparent.split('-');
    return { traceId, spanId, traceFlags: Number.parseInt(flags, 16), traceparent, tracestate };
  }

  startSpan(name, options = {}) {
    return this.telemetry.openSpan(name, options ?? {}, this);
  }

  trace(name, fn, options = {}) {
    return this.telemetry.traceUnder(this, name, fn, options ?? {});
  }

  get logger() {
    return this.telemetry.logger.forSpan(this);
  }
}

export function spanKind(kind = 'internal') {
  const numeric = SpanKind[kind];
  if (numeric === undefined) {
    throw new TypeError(`edgescope: span kind must be one of ${Object.keys(SpanKind).join(', ')} (got ${kind})`);
  }
  return numeric;
}
