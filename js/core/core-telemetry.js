// A JavaScript handle on one core Telemetry instance (bindings/edgescope.h). It interns names
// and attribute keys once (a Map lookup afterwards), caches metric series ids, and converts
// JavaScript values to the core's typed attributes. All numbers below mirror the C ABI.
import { getCore } from './wasm-core.js';

export const SpanKind = Object.freeze({ internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });
export const StatusCode = Object.freeze({ unset: 0, ok: 1, error: 2 });
export const MetricType = Object.freeze({ counter: 0, updown: 1, gauge: 2, histogram: 3 });
export const LogLevel = Object.freeze({ debug: 5, info: 9, warn: 13, error: 17, fatal: 21 });
export const WireFormat = Object.freeze({ native: 0, 'otlp-json': 1 });
export const SIGNALS = Object.freeze(['mixed', 'traces', 'metrics', 'logs']);

// Same order as StatId in wasm/include/edgescope/limits.hpp.
export const STAT_NAMES = Object.freeze([
  'spansDroppedOpenLimit',
  'spansDroppedBufferFull',
  'logsDroppedBufferFull',
  'seriesDroppedLimit',
  'metricValuesRejected',
  'attributesDropped',
  'valuesTruncated',
  'stringsRepaired',
  'recordsDroppedOversize',
  'recordsShrunk',
  'namesDroppedInternLimit',
]);
// Of those, the ones that mean a record (or value) never reaches a collector.
export const DROP_STATS = Object.freeze([
  'spansDroppedOpenLimit',
  'spansDroppedBufferFull',
  'logsDroppedBufferFull',
  'seriesDroppedLimit',
  'metricValuesRejected',
  'recordsDroppedOversize',
]);

// JavaScript strings are cut before crossing so a 10 MB attribute costs nothing; the core then
// cuts precisely on a UTF-8 boundary (Limits in wasm/include/edgescope/limits.hpp).
const MAX_NAME_CHARS = 1024;
const MAX_VALUE_CHARS = 4096;
const MAX_MESSAGE_CHARS = 16384;

export class CoreError extends Error {
  constructor(operation, message) {
    super(`edgescope core: ${operation}: ${message}`);
    this.name = 'CoreError';
  }
}

export class CoreTelemetry {
  constructor({ service, sampleRate, maxPayloadBytes, maxBatchSize, resource }) {
    const { exports, memory } = getCore();
    this.x = exports;
    this.mem = memory;
    const seed = crypto.getRandomValues(new Uint32Array(8));
    const len = memory.writeString(service.slice(0, MAX_NAME_CHARS));
    this.h = this.check('create', exports.es_create(len, sampleRate, maxPayloadBytes, maxBatchSize ?? 0, ...seed));
    this.names = new Map();
    this.series = new Map();
    if (resource) {
      this.stage(resource);
      exports.es_set_resource(this.h);
    }
  }

  check(operation, status) {
    if (status < 0) throw new CoreError(operation, this.mem.lastError());
    return status;
  }

  id(name) {
    let id = this.names.get(name);
    if (id === undefined) {
      const len = this.mem.writeString(String(name).slice(0, MAX_NAME_CHARS));
      id = this.check('intern', this.x.es_intern(this.h, len));
      this.names.set(name, id);
    }
    return id;
  }

  // Stages every own key of `attributes` (skipping null/undefined) for the next consuming call.
  stage(attributes) {
    if (!attributes) return;
    for (const key of Object.keys(attributes)) this.stageOne(key, attributes[key]);
  }

  stageOne(key, value) {
    const x = this.x;
    switch (typeof value) {
      case 'string':
        x.es_stage_string(this.h, this.id(key), this.mem.writeString(value.slice(0, MAX_VALUE_CHARS)));
        return;
      case 'number':
        if (Number.isSafeInteger(value)) x.es_stage_int(this.h, this.id(key), value);
        else x.es_stage_double(this.h, this.id(key), value);
        return;
      case 'boolean':
        x.es_stage_bool(this.h, this.id(key), value ? 1 : 0);
        return;
      case 'undefined':
        return;
      case 'bigint':
        this.stageOne(key, value.toString());
        return;
      default:
        if (value === null) return;
        if (value instanceof Error) {
          // OpenTelemetry semantic conventions for exceptions (exception.type/message/stacktrace).
          const prefix = key === 'error' || key === 'exception' ? 'exception' : `${key}.exception`;
          this.stageOne(`${prefix}.type`, value.name);
          this.stageOne(`${prefix}.message`, value.message);
          if (value.stack) this.stageOne(`${prefix}.stacktrace`, value.stack);
          return;
        }
        this.stageOne(key, safeStringify(value));
    }
  }

  startSpan(parent, name, kind, now, attributes) {
    const span = this.check('start span', this.x.es_span_start(this.h, parent, this.id(name), kind, now));
    if (attributes) this.setAttributes(span, attributes);
    return span;
  }

  startRemoteSpan(name, kind, now, traceparent, tracestate) {
    const nameId = this.id(name); // interning uses the scratch buffer: do it before the headers
    const [tp, ts] = this.mem.writeStrings(traceparent.slice(0, 512), tracestate.slice(0, 8193));
    const span = this.check('start span', this.x.es_span_start_remote(this.h, nameId, kind, now, tp, ts));
    return { span, rejectedHeader: this.x.es_remote_rejected(this.h) === 1 };
  }

  setAttribute(span, key, value) {
    this.stageOne(key, value);
    this.x.es_span_attributes(this.h, span);
  }

  setAttributes(span, attributes) {
    this.stage(attributes);
    this.x.es_span_attributes(this.h, span);
  }

  addEvent(span, name, now, attributes) {
    const nameId = this.id(name);
    this.stage(attributes);
    this.x.es_span_event(this.h, span, nameId, now);
  }

  setStatus(span, code, message = '') {
    const len = this.mem.writeString(String(message).slice(0, MAX_MESSAGE_CHARS));
    this.check('set status', this.x.es_span_status(this.h, span, code, len));
  }

  rename(span, name) {
    this.x.es_span_rename(this.h, span, this.id(name));
  }

  endSpan(span, now) {
    return this.x.es_span_end(this.h, span, now) === 0;
  }

  isRecording(span) {
    return this.x.es_span_recording(this.h, span) === 1;
  }

  // { traceparent, tracestate } of an open span, or null.
  spanContext(span) {
    if (this.x.es_span_context(this.h, span) === 0) return null;
    const [traceparent, tracestate] = this.mem.output().split('\n');
    return { traceparent, tracestate };
  }

  // Series ids are cached per (type, name, unit, tags) so a repeated update is one Map lookup.
  seriesId(type, name, unit, tags) {
    const key = tags ? `${type}\u0000${name}\u0000${unit}\u0000${tagKey(tags)}` : `${type}\u0000${name}\u0000${unit}`;
    let id = this.series.get(key);
    if (id === undefined) {
      const nameId = this.id(name);
      const unitId = this.id(unit);
      this.stage(tags);
      id = this.check('metric series', this.x.es_series(this.h, type, nameId, unitId));
      this.series.set(key, id);
    }
    return id;
  }

  // Returns null when recorded, else the core's reason.
  record(seriesId, value, now) {
    return this.x.es_record(this.h, seriesId, value, now) === 0 ? null : this.mem.lastError();
  }

  log(level, message, span, now, attributes) {
    this.stage(attributes);
    const len = this.mem.writeString(String(message).slice(0, MAX_MESSAGE_CHARS));
    this.check('log', this.x.es_log(this.h, level, span, now, len));
  }

  pending() {
    return this.x.es_pending(this.h);
  }

  // Moves every finished record into the drained batch; returns the record count.
  drain() {
    return this.x.es_drain(this.h);
  }

  // Encodes the drained batch; payload bytes are copied out of wasm memory.
  encode(format) {
    const x = this.x;
    const count = this.check('encode', x.es_encode(this.h, WireFormat[format]));
    const payloads = [];
    for (let i = 0; i < count; i++) {
      payloads.push({
        signal: SIGNALS[x.es_payload_signal(this.h, i)],
        records: x.es_payload_records(this.h, i),
        body: this.mem.copyOut(x.es_payload_ptr(this.h, i), x.es_payload_len(this.h, i)),
      });
    }
    return payloads;
  }

  release() {
    this.x.es_release(this.h);
  }

  stats() {
    const out = {};
    STAT_NAMES.forEach((name, i) => {
      out[name] = this.x.es_stat(this.h, i);
    });
    return out;
  }
}

function tagKey(tags) {
  let key = '';
  for (const k of Object.keys(tags)) key += `${k}\u0001${tags[k]}\u0002`;
  return key;
}

function safeStringify(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
