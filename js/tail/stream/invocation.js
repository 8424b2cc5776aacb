// EXPERIMENTAL. One watched invocation's span tree, built from its streaming tail events in the
// order they arrive (TailEvent.sequence): the onset opens the invocation span, spanOpen/spanClose
// open and close its descendants (automatic fetch, KV, RPC... spans and user custom spans), and
// the outcome ends the invocation. Which span an event is about is its spanContext.spanId
// (workers-types TailStream.SpanContext: for spanOpen the parent, for spanClose, attributes,
// spanUpdate, log and exception the span itself).
//
// Bounds: at most `maxOpenSpans` open at once and `maxSpans` in all per invocation (a runaway
// loop of subrequests must not grow the tail Worker's memory without end); a span refused by
// either is counted, and the events about it are counted as unmatched. Spans the platform never
// closed are ended at the outcome with `edgescope.tail.unclosed` = true, and counted.
import { LogLevel } from '../../core/tables.js';
import { attributesOf, childKind, logText, LOG_LEVELS, onsetSpan, timeOf } from './platform-values.js';

export class InvocationTrace {
  constructor(owner, tail) {
    this.owner = owner; // the handler: telemetry, idMap, stats, limits, warn()
    this.spans = new Map(); // platform span id -> { span, open }
    this.coreIds = []; // the core ids this invocation mapped (forgotten after its flush)
    this.open = 0;
    this.count = 0;
    this.root = null;
    this.rootId = null;
    this.done = false;
    this.start(tail);
  }

  get stats() {
    return this.owner.stats;
  }

  start(tail) {
    const { telemetry } = this.owner;
    const onset = tail.event;
    const context = tail.spanContext ?? {};
    const { name, kind, attributes } = onsetSpan(onset);
    attributes['cloudflare.invocation_id'] = String(tail.invocationId ?? '');
    // The platform's parent and trace id enter the core as a W3C traceparent (the only way it
    // takes given ids); the span's own id is swapped for the platform's at export (id-rewrite.js).
    // Without a parent (a top-level invocation) a traceparent cannot carry the trace id alone:
    // its parent-id must not be all zeros (W3C Trace Context, "parent-id").
    const traceparent = isHex(context.traceId, 32) && isHex(context.spanId, 16) ? `00-${context.traceId}-${context.spanId}-01` : '';
    const { span } = telemetry.startRemoteSpan(name, { kind, traceparent, attributes, startTime: timeOf(tail) });
    this.root = span;
    this.rootId = onset.spanId;
    this.remember(onset.spanId, span, context.traceId);
    this.count = 1;
    this.stats.invocations++;
  }

  // Maps the core's ids of `span` to the platform's, for the exported records.
  remember(platformSpanId, span, platformTraceId) {
    this.spans.set(platformSpanId, { span, open: true });
    this.open++;
    const core = span.spanContext();
    if (!core) return;
    if (isHex(platformSpanId, 16) && this.owner.idMap.set(core.spanId, platformSpanId)) this.coreIds.push(core.spanId);
    if (isHex(platformTraceId, 32) && this.owner.idMap.set(core.traceId, platformTraceId)) this.coreIds.push(core.traceId);
  }

  handle(tail) {
    const event = tail?.event;
    if (this.done) {
      this.stats.eventsAfterOutcome++;
      this.owner.warn('after-outcome', 'a streaming tail event arrived after its invocation\'s outcome; it is not recorded');
      return;
    }
    switch (event?.type) {
      case 'spanOpen':
        return this.spanOpen(tail, event);
      case 'spanClose':
        return this.withSpan(tail, (entry) => this.close(entry, timeOf(tail), event.outcome));
      case 'attributes':
        return this.withSpan(tail, (entry) => entry.span.setAttributes(attributesOf(event.info, this.stats)));
      case 'spanUpdate':
        return this.withSpan(tail, (entry) => this.update(entry, event.info));
      case 'log':
        return this.log(tail, event);
      case 'exception':
        return this.withSpan(tail, (entry) => this.exception(entry, event), true);
      case 'return':
        return this.returned(event);
      case 'streamDiagnostic':
        return this.diagnostic(event);
      case 'outcome':
        return this.outcome(tail, event);
      case 'diagnosticChannel':
        this.stats.eventsIgnored++;
        return;
      default:
        this.stats.eventsIgnored++;
        this.owner.warn(`type-${event?.type}`, `a streaming tail event of unknown type ${JSON.stringify(event?.type)} is not recorded`);
    }
  }

  spanOpen(tail, event) {
    const parentId = tail.spanContext?.spanId;
    const parent = this.spans.get(parentId);
    if (!parent) {
      this.unmatched('spanOpen');
      return;
    }
    const limits = this.owner.limits;
    if (this.open >= limits.maxOpenSpans || this.count >= limits.maxSpans) {
      this.stats.spansRefused++;
      this.root.setAttribute('edgescope.tail.spans_refused', (this.refused = (this.refused ?? 0) + 1));
      this.owner.warn('span-cap', `an invocation opened more than ${limits.maxOpenSpans} spans at once or ${limits.maxSpans} in all; the rest are not recorded (counted in stats().spansRefused)`);
      return;
    }
    const name = typeof event.name === 'string' && event.name !== '' ? event.name : 'span';
    const info = event.info;
    const attributes = info?.type === 'attributes' ? attributesOf(info.info, this.stats) : {};
    if (info?.type === 'jsrpc') attributes['rpc.system'] = 'cloudflare_jsrpc';
    const span = parent.span.startSpan(name, { kind: childKind(name), startTime: timeOf(tail), attributes });
    this.count++;
    this.stats.spans++;
    this.remember(event.spanId, span, tail.spanContext?.traceId);
  }

  withSpan(tail, fn, rootFallback = false) {
    let entry = this.spans.get(tail.spanContext?.spanId);
    if (!entry && rootFallback) entry = this.spans.get(this.rootId);
    if (!entry) return this.unmatched(tail.event.type);
    fn(entry);
  }

  unmatched(type) {
    this.stats.eventsUnmatched++;
    this.owner.warn(`unmatched-${type}`, `a ${type} event names a span this invocation never opened (or one refused by the span caps); it is not recorded`);
  }

  close(entry, time, outcome) {
    if (!entry.open) {
      this.stats.eventsUnmatched++;
      return;
    }
    if (outcome && outcome !== 'ok') {
      entry.span.setAttribute('cloudflare.outcome', outcome);
      entry.span.setStatus('error', outcome, { ifUnset: true });
    }
    entry.open = false;
    this.open--;
    entry.span.end(time);
  }

  update(entry, info) {
    if (info?.type === 'name' && typeof info.name === 'string') entry.span.updateName(info.name);
    else if (info?.type === 'status' && ['ok', 'error', 'unset'].includes(info.status?.code)) entry.span.setStatus(info.status.code, info.status.message);
    else this.stats.eventsIgnored++;
  }

  exception(entry, event) {
    const error = new Error(String(event.message ?? ''));
    error.name = String(event.name ?? 'Error');
    if (typeof event.stack === 'string') error.stack = event.stack;
    entry.span.recordException(error);
    entry.span.setStatus('error', error.message);
    this.stats.exceptions++;
  }

  // console output, at the platform's time, on the span it was written in (or the invocation's).
  log(tail, event) {
    const entry = this.spans.get(tail.spanContext?.spanId) ?? this.spans.get(this.rootId);
    const level = LogLevel[LOG_LEVELS[event.level] ?? 'info'];
    const attributes = { 'log.source': 'console' };
    if (event.truncated === true) {
      attributes['cloudflare.log.truncated'] = true;
      this.stats.logsTruncated++;
    }
    const errors = Array.isArray(event.errorInfo) ? event.errorInfo.filter(Boolean) : [];
    if (errors[0]) {
      attributes['exception.type'] = String(errors[0].name ?? 'Error');
      attributes['exception.message'] = String(errors[0].message ?? '');
    }
    const core = this.owner.telemetry.core;
    const text = logText(event.message);
    const span = entry.span;
    if (span.ended && span.endedContext) core.logInContext(level, text, span.endedContext.traceparent, timeOf(tail), attributes);
    else core.log(level, text, span.ended ? 0 : span.handle, timeOf(tail), attributes);
    this.stats.logs++;
  }

  returned(event) {
    const status = event.info?.statusCode;
    if (typeof status !== 'number') return;
    this.root.setAttribute('http.response.status_code', status);
    // OpenTelemetry HTTP semantic conventions: a server span is an error for 5xx only.
    if (status >= 500) this.root.setStatus('error', `HTTP ${status}`, { ifUnset: true });
  }

  diagnostic(event) {
    const dropped = event.diagnostic?.diagnosticsType === 'droppedEvents' ? Number(event.diagnostic.count) : 0;
    if (!(dropped > 0)) return;
    this.droppedByPlatform = (this.droppedByPlatform ?? 0) + dropped;
    this.stats.droppedByPlatform += dropped;
    this.root.setAttribute('cloudflare.tail.dropped_events', this.droppedByPlatform);
    this.owner.warn('platform-dropped', 'the platform dropped streaming tail events of an invocation (its trace is incomplete; counted in stats().droppedByPlatform)');
  }

  outcome(tail, event) {
    const time = timeOf(tail);
    const root = this.root;
    root.setAttribute('cloudflare.outcome', String(event.outcome));
    if (typeof event.cpuTime === 'number') root.setAttribute('cloudflare.cpu_time_ms', event.cpuTime);
    if (typeof event.wallTime === 'number') root.setAttribute('cloudflare.wall_time_ms', event.wallTime);
    if (event.outcome !== 'ok') root.setStatus('error', String(event.outcome), { ifUnset: true });
    this.finish(time);
  }

  // An invocation whose outcome never came (the platform dropped it, the stream was cut) and that
  // the handler gave up on to keep its memory bounded: ended now, marked, exported as it stands.
  abandon(time) {
    this.root.setAttribute('edgescope.tail.abandoned', true);
    this.finish(time);
  }

  // Ends everything still open (children first), then the invocation span.
  finish(time) {
    this.done = true;
    const unclosed = [...this.spans.entries()].filter(([id, entry]) => entry.open && id !== this.rootId).reverse();
    for (const [, entry] of unclosed) {
      entry.span.setAttribute('edgescope.tail.unclosed', true);
      this.close(entry, time);
      this.stats.spansEndedAtOutcome++;
    }
    if (unclosed.length > 0) this.owner.warn('unclosed', 'spans the platform never closed were ended at the invocation\'s outcome (attribute edgescope.tail.unclosed; counted in stats().spansEndedAtOutcome)');
    const root = this.spans.get(this.rootId);
    if (root?.open) this.close(root, time);
  }
}

function isHex(value, length) {
  return typeof value === 'string' && value.length === length && /^[0-9a-f]+$/.test(value) && !/^0+$/.test(value);
}
