// A JavaScript handle on one core Telemetry instance (bindings/edgescope.h). It interns names and
// attribute keys once (a Map lookup afterwards), caches metric series ids, and converts JavaScript
// values to the core's typed attributes (attribute-values.js).
//
// Caches follow the core's tables: a name or series id is cached only when the core accepted it
// (never a refusal), each cache holds at most as many entries as the core's table, and the ids a
// drain evicts are dropped from them (es_evicted), so a cached id always names what the core has.
//
// A trap kills the wasm instance (wasm-core.js). From then on every method is a cheap no-op that
// returns a safe default and never throws into user code; `dead` says so, and revive() starts a
// fresh core with the same config. Span handles carry the core's epoch, so a Span from before a
// revive can never touch a span of the new core.
import { cut, errorFields, isError, objectText, readEntries, textOf, typedArray, UNREADABLE } from './attribute-values.js';
import { getCore, isTrap, markDead } from './wasm-core.js';
import { LIMIT_NAMES, SIGNALS, STAT_NAMES, StatId, Status, WireFormat } from './tables.js';

export {
  DROP_STATS,
  LIMIT_NAMES,
  LogLevel,
  MetricType,
  SIGNALS,
  STAT_NAMES,
  SpanKind,
  StatusCode,
  WireFormat,
} from './tables.js';

// Headers are cut before crossing (their parsers refuse anything longer anyway).
const MAX_TRACEPARENT_CHARS = 512;
// One more than the core accepts (8192 bytes): a longer header is refused whole, never cut into a
// valid-looking shorter one (W3C trace-context allows removing whole members only).
const MAX_TRACESTATE_CHARS = 8193;
// A series key longer than this is not cached (the cache would pin large tag values in memory).
const MAX_CACHED_SERIES_KEY_CHARS = 4096;
// A cached type conflict, in the series cache: repeated conflicting calls cost one Map lookup.
const CONFLICT = -1;
// Span handles given out are core handle + epoch * EPOCH_SPAN (core handles are positive int32).
const EPOCH_SPAN = 2 ** 32;
// What a disposed CoreTelemetry points at instead of a core.
const DISPOSED = Object.freeze({ dead: true });

export class CoreError extends Error {
  constructor(operation, message) {
    super(`edgescope core: ${operation}: ${message}`);
    this.name = 'CoreError';
  }
}

export class CoreTelemetry {
  // config: { service, sampleRate, maxPayloadBytes, maxBatchSize?, resource? } (js/config.js).
  // Throws CoreError when the core refuses it.
  constructor(config) {
    this.config = config;
    this.epoch = -1;
    this.disposed = false;
    this.traps = 0;
    this.statsBase = zeroStats(); // what earlier (trapped) cores had counted
    this.lastStats = zeroStats();
    this.attach();
  }

  // True once the wasm instance trapped (until revive()) or after dispose().
  get dead() {
    return this.core.dead === true;
  }

  // Replaces a trapped core: a fresh wasm instance (from the same module) and a new core with the
  // same config. Records the old core held are lost; its counters carry over (as of the last
  // stats() read). Returns true when a new core is running, false when there was nothing to
  // revive (alive, or disposed) or the new core could not start.
  revive() {
    if (this.disposed || !this.core.dead) return false;
    try {
      this.attach();
      return true;
    } catch (error) {
      if (isTrap(error)) return false;
      throw error;
    }
  }

  // Frees the core (es_destroy). Every later call is a no-op.
  dispose() {
    if (this.disposed) return;
    if (!this.core.dead) {
      try {
        this.lastStats = this.stats();
        this.x.es_destroy(this.h);
      } catch (error) {
        if (!isTrap(error)) throw error;
      }
    }
    this.disposed = true;
    this.core = DISPOSED;
    this.names.clear();
    this.series.clear();
  }

  attach() {
    const { service, sampleRate, maxPayloadBytes, maxBatchSize, resource, redact } = this.config;
    const core = getCore();
    const x = core.exports;
    try {
      const seed = crypto.getRandomValues(new Uint32Array(8));
      // Cut only to bound the copy (config allows 256 characters); the core cuts at max_name_bytes.
      const len = core.memory.writeString(cut(textOf(service), 4096));
      const h = x.es_create(len, sampleRate, maxPayloadBytes, maxBatchSize ?? 0, ...seed);
      if (h < 0) throw new CoreError('create', core.memory.lastError());
      const limits = {};
      LIMIT_NAMES.forEach((name, i) => {
        limits[name] = x.es_limit(h, i);
      });
      this.statsBase = this.lastStats;
      this.core = core;
      this.x = x;
      this.mem = core.memory;
      this.h = h;
      this.limits = Object.freeze(limits);
      this.nameChars = limits.maxNameBytes + 1;
      this.valueChars = limits.maxAttributeValueBytes + 1;
      this.messageChars = limits.maxMessageBytes + 1;
      this.names = new Map(); // name -> id, only ids the core accepted
      this.series = new Map(); // series key -> id, or CONFLICT
      this.epoch++;
      this.spanBase = this.epoch * EPOCH_SPAN;
      if (redact) {
        // Policy before resource: the resource's values enter through the same redaction.
        const lists = [redact.keys, redact.valuePrefixes, redact.literals].map((list) => list.join('\n'));
        const total = lists.reduce((n, text) => n + text.length * 3, 0);
        const ptr = x.es_scratch(total);
        if (ptr === 0 && total > 0) throw new CoreError('redaction', core.memory.lastError());
        const lengths = [];
        let offset = 0;
        for (const text of lists) {
          const written = new TextEncoder().encodeInto(text, core.memory.view(ptr + offset, text.length * 3)).written;
          lengths.push(written);
          offset += written;
        }
        if (x.es_set_redaction(h, redactionFlags(redact), ...lengths) < 0) {
          throw new CoreError('redaction', core.memory.lastError());
        }
      }
      if (resource) {
        this.stage(resource);
        x.es_set_resource(h);
      }
    } catch (error) {
      if (isTrap(error)) markDead(core);
      throw error;
    }
  }

  // A trap marks the instance dead and returns `fallback`; anything else empties the stage (so
  // nothing staged for a failed call reaches the next one) and is rethrown.
  fault(error, fallback) {
    if (!isTrap(error)) {
      try {
        this.x.es_stage_clear(this.h);
      } catch (clearError) {
        if (!isTrap(clearError)) throw clearError;
        return this.die(clearError, fallback);
      }
      throw error;
    }
    return this.die(error, fallback);
  }

  die(error, fallback) {
    if (!this.core.dead) {
      markDead(this.core);
      console.error(
        `[edgescope] the telemetry core trapped (${error?.message ?? error}); what it held since the last ` +
          'flush is lost. Calls are no-ops until a fresh core is started (revive()).',
      );
    }
    this.traps++;
    return fallback;
  }

  // The core's handle for a span handle this object gave out; -1 for one from an earlier core.
  local(span) {
    if (span === 0) return 0;
    const local = span - this.spanBase;
    return local > 0 && local < EPOCH_SPAN ? local : -1;
  }

  global(handle) {
    return handle > 0 ? handle + this.spanBase : 0;
  }

  // The name id for `name`, or the core's refusal (negative), which every call taking a name id
  // accepts: the core then refuses what it would have named, and counts it.
  id(name) {
    const cached = this.names.get(name);
    if (cached !== undefined) return cached;
    const text = textOf(name);
    const id = this.x.es_intern(this.h, this.mem.writeString(cut(text, this.nameChars)));
    // Cached: accepted ids only, and only names short enough not to pin a large string.
    if (id > 0 && text === name && text.length < this.nameChars && this.names.size < this.limits.maxInterned) {
      this.names.set(name, id);
    }
    return id;
  }

  // Stages every own enumerable attribute (skipping null/undefined) for the next consuming call.
  // Never throws: see attribute-values.js.
  stage(attributes) {
    if (attributes === undefined || attributes === null) return;
    const entries = readEntries(attributes);
    if (entries === null) this.stageUnreadable();
    else this.stageEntries(entries);
  }

  // An attribute set whose keys cannot even be listed: counted, and staged as one refused
  // attribute (a refused key id), so the record's dropped-attribute count shows it and a metric
  // series refuses it rather than merging into the untagged series.
  stageUnreadable() {
    this.countHost(StatId.valuesUnconvertible);
    this.x.es_stage_bool(this.h, Status.rejected, 0);
  }

  stageEntries(entries) {
    for (let i = 0; i < entries.length; i += 2) this.stageOne(entries[i], entries[i + 1]);
  }

  stageOne(key, value) {
    const x = this.x;
    switch (typeof value) {
      case 'string':
        this.stageText(key, value);
        return;
      case 'number':
        // NaN and infinities go through as doubles: the core refuses and counts them (JSON has
        // neither, and "NaN" as a string would lie about the type).
        if (Number.isSafeInteger(value)) x.es_stage_int(this.h, this.id(key), value);
        else x.es_stage_double(this.h, this.id(key), value);
        return;
      case 'boolean':
        x.es_stage_bool(this.h, this.id(key), value ? 1 : 0);
        return;
      case 'undefined':
        return;
      case 'bigint':
        this.stageText(key, textOf(value));
        return;
      case 'symbol':
        if (value === UNREADABLE) this.stageUnconvertible(key, value); // its getter threw
        else this.stageText(key, textOf(value));
        return;
      case 'function':
        this.stageUnconvertible(key, value);
        return;
      default:
        if (value === null) return;
        if (isError(value)) {
          // OpenTelemetry semantic conventions for exceptions (exception.type/message/stacktrace).
          const prefix = key === 'error' || key === 'exception' ? 'exception' : `${key}.exception`;
          const [type, message, stack] = errorFields(value);
          if (type !== undefined) this.stageText(`${prefix}.type`, type);
          if (message !== undefined) this.stageText(`${prefix}.message`, message);
          if (stack) this.stageText(`${prefix}.stacktrace`, stack);
          return;
        }
        {
          const array = typedArray(value, this.valueChars);
          if (array !== null) {
            this.stageArray(key, array);
            return;
          }
          const text = objectText(value);
          if (text === null) this.stageUnconvertible(key, value);
          else this.stageText(key, text);
        }
    }
  }

  stageText(key, text) {
    const keyId = this.id(key); // interning uses the scratch buffer: before the value is written
    this.x.es_stage_string(this.h, keyId, this.mem.writeString(cut(text, this.valueChars)));
  }

  // A homogeneous array (attribute-values.js typedArray) as one es_stage_array call.
  stageArray(key, { type, items }) {
    const keyId = this.id(key); // interning uses the scratch buffer: before the elements are written
    this.x.es_stage_array(this.h, keyId, type, items.length, this.mem.writeArray(type, items));
  }

  stageUnconvertible(key, value) {
    this.countHost(StatId.valuesUnconvertible);
    this.stageText(key, textOf(value));
  }

  countHost(statId) {
    this.x.es_count(this.h, statId, 1);
  }

  status(operation, status) {
    if (status < 0) throw new CoreError(operation, this.mem.lastError());
    return status;
  }

  startSpan(parent, name, kind, now, attributes) {
    if (this.core.dead) return 0;
    try {
      const span = this.status('start span', this.x.es_span_start(this.h, this.local(parent), this.id(name), kind, now));
      if (span !== 0 && attributes) {
        this.stage(attributes);
        this.x.es_span_attributes(this.h, span);
      }
      return this.global(span);
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  startRemoteSpan(name, kind, now, traceparent, tracestate) {
    if (this.core.dead) return { span: 0, rejectedHeader: false };
    try {
      const nameId = this.id(name); // interning uses the scratch buffer: do it before the headers
      const [tp, ts] = this.mem.writeStrings(
        cut(textOf(traceparent), MAX_TRACEPARENT_CHARS),
        cut(textOf(tracestate), MAX_TRACESTATE_CHARS),
      );
      const span = this.status('start span', this.x.es_span_start_remote(this.h, nameId, kind, now, tp, ts));
      return { span: this.global(span), rejectedHeader: this.x.es_remote_rejected(this.h) === 1 };
    } catch (error) {
      return this.fault(error, { span: 0, rejectedHeader: false });
    }
  }

  setAttribute(span, key, value) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      this.stageOne(key, value);
      this.x.es_span_attributes(this.h, local);
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  setAttributes(span, attributes) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      this.stage(attributes);
      this.x.es_span_attributes(this.h, local);
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  addEvent(span, name, now, attributes) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      const nameId = this.id(name);
      this.stage(attributes);
      this.status('add event', this.x.es_span_event(this.h, local, nameId, now));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  setStatus(span, code, message = '') {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      const len = this.mem.writeString(cut(textOf(message), this.messageChars));
      this.status('set status', this.x.es_span_status(this.h, local, code, len));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  rename(span, name) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      this.x.es_span_rename(this.h, local, this.id(name));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  endSpan(span, now) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return false;
    try {
      return this.x.es_span_end(this.h, local, now) === 0;
    } catch (error) {
      return this.fault(error, false);
    }
  }

  isRecording(span) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return false;
    try {
      return this.x.es_span_recording(this.h, local) === 1;
    } catch (error) {
      return this.fault(error, false);
    }
  }

  // { traceparent, tracestate } of an open span, or null.
  spanContext(span) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return null;
    try {
      if (this.x.es_span_context(this.h, local) === 0) return null;
      const [traceparent, tracestate] = this.mem.output().split('\n');
      return { traceparent, tracestate };
    } catch (error) {
      return this.fault(error, null);
    }
  }

  // The series id for (type, name, unit, tags), or 0 when the core refused it (counted there).
  // Throws CoreError the first time a name is used with another metric type; after that the
  // conflict is remembered, counted and answered with 0 for one Map lookup.
  // `now` (default: the current time) starts a new series' first delta window.
  seriesId(type, name, unit, tags, now) {
    if (this.core.dead) return 0;
    try {
      const entries = tags === undefined || tags === null ? null : readEntries(tags);
      const key = seriesKey(type, name, unit, entries);
      if (key !== null) {
        const cached = this.series.get(key);
        if (cached > 0) return cached;
        if (cached === CONFLICT) {
          this.countHost(StatId.metricTypeConflicts);
          return 0;
        }
      }
      const nameId = this.id(name);
      const unitId = unit === '' || unit === undefined || unit === null ? 0 : this.id(unit);
      if (entries !== null) this.stageEntries(entries);
      else if (tags !== undefined && tags !== null) this.stageUnreadable();
      const id = this.x.es_series(this.h, type, nameId, unitId, now ?? Date.now());
      if (id === Status.typeConflict) {
        if (key !== null) this.remember(key, CONFLICT);
        throw new CoreError('metric series', this.mem.lastError());
      }
      this.status('metric series', id);
      if (id > 0 && key !== null) this.remember(key, id);
      return id;
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  remember(key, value) {
    if (this.series.size < this.limits.maxSeries) this.series.set(key, value);
  }

  // Returns null when recorded, else the core's reason.
  record(seriesId, value, now) {
    if (this.core.dead) return null;
    try {
      return this.x.es_record(this.h, seriesId, value, now) === 0 ? null : this.mem.lastError();
    } catch (error) {
      return this.fault(error, null);
    }
  }

  log(level, message, span, now, attributes) {
    if (this.core.dead) return;
    try {
      this.stage(attributes);
      const len = this.mem.writeString(cut(textOf(message), this.messageChars));
      this.status('log', this.x.es_log(this.h, level, this.local(span), now, len));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  // A log correlated with a span that has already ended, through that span's traceparent.
  logInContext(level, message, traceparent, now, attributes) {
    if (this.core.dead) return;
    try {
      this.stage(attributes);
      const [len, tpLen] = this.mem.writeStrings(cut(textOf(message), this.messageChars), cut(textOf(traceparent), MAX_TRACEPARENT_CHARS));
      this.status('log', this.x.es_log_context(this.h, level, now, len, tpLen));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  pending() {
    if (this.core.dead) return 0;
    try {
      return this.x.es_pending(this.h);
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  // Moves every finished record into the drained batch; returns the record count. `now` (the
  // collection time) ends this window and starts the next: the start time of the next delta
  // metric points. Then drops the ids the drain evicted from the caches.
  drain(now = Date.now()) {
    if (this.core.dead) return 0;
    try {
      const records = this.x.es_drain(this.h, now);
      this.forgetEvicted();
      return records;
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  forgetEvicted() {
    const names = this.evictedIds(0);
    if (names !== null) {
      for (const [name, id] of this.names) if (names.has(id)) this.names.delete(name);
    }
    const series = this.evictedIds(1);
    if (series !== null) {
      // An evicted series may have been what made another type's use of its name a conflict.
      for (const [key, id] of this.series) if (id === CONFLICT || series.has(id)) this.series.delete(key);
    }
  }

  evictedIds(kind) {
    const count = this.x.es_evicted(this.h, kind);
    if (count <= 0) return null;
    const bytes = this.mem.copyOut(this.x.es_output_ptr(), count * 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ids = new Set();
    for (let i = 0; i < count; i++) ids.add(view.getInt32(i * 4, true));
    return ids;
  }

  // Encodes the drained batch: [{ signal, records, body, batchId }], the bytes copied out of wasm
  // memory. batchId: 32 lowercase hex digits, unique per payload (the Idempotency-Key; native
  // bodies carry it as "batchId").
  encode(format) {
    if (this.core.dead) return [];
    try {
      const x = this.x;
      const count = this.status('encode', x.es_encode(this.h, WireFormat[format]));
      const payloads = [];
      for (let i = 0; i < count; i++) {
        this.status('batch id', x.es_payload_batch_id(this.h, i));
        const batchId = this.mem.output();
        payloads.push({
          signal: SIGNALS[x.es_payload_signal(this.h, i)],
          records: x.es_payload_records(this.h, i),
          body: this.mem.copyOut(x.es_payload_ptr(this.h, i), x.es_payload_len(this.h, i)),
          batchId,
        });
      }
      return payloads;
    } catch (error) {
      return this.fault(error, []);
    }
  }

  release() {
    if (this.core.dead) return;
    try {
      this.x.es_release(this.h);
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  // The core's counters (STAT_NAMES), summed over every core this object has run, plus coreTraps.
  stats() {
    if (!this.core.dead) {
      try {
        const out = {};
        STAT_NAMES.forEach((name, i) => {
          out[name] = this.statsBase[name] + this.x.es_stat(this.h, i);
        });
        this.lastStats = out;
      } catch (error) {
        this.fault(error, undefined);
      }
    }
    return { ...this.lastStats, coreTraps: this.traps };
  }
}

function zeroStats() {
  return Object.fromEntries(STAT_NAMES.map((name) => [name, 0]));
}

// A cache key for (type, name, unit, tags) from the tag entries as read once, or null when the
// series should not be cached (a non-string name, a tag value that is not a primitive, too long).
// Length prefixes keep keys unambiguous; a value's type is part of it (1 and "1" are different
// tags), and values are keyed as the core will store them (a bigint as its decimal string).
function seriesKey(type, name, unit, entries) {
  if (typeof name !== 'string' || (unit !== undefined && unit !== null && typeof unit !== 'string')) return null;
  const u = unit ?? '';
  let key = `${type}|${name.length}:${name}${u.length}:${u}`;
  if (entries === null) return key.length <= MAX_CACHED_SERIES_KEY_CHARS ? key : null;
  for (let i = 0; i < entries.length; i += 2) {
    const k = entries[i];
    const v = entries[i + 1];
    switch (typeof v) {
      case 'string':
        key += `${k.length}:${k}s${v.length}:${v}`;
        break;
      case 'number':
        key += `${k.length}:${k}n${v};`;
        break;
      case 'boolean':
        key += `${k.length}:${k}${v ? 't' : 'f'}`;
        break;
      case 'bigint': {
        const text = v.toString();
        key += `${k.length}:${k}s${text.length}:${text}`;
        break;
      }
      case 'undefined':
        break;
      default:
        if (v !== null) return null;
    }
    if (key.length > MAX_CACHED_SERIES_KEY_CHARS) return null;
  }
  return key;
}

// Bit i of the flags of es_set_redaction (bindings/edgescope.h).
function redactionFlags(redact) {
  return (
    (redact.defaultKeys ? 1 : 0) |
    (redact.keysInText ? 2 : 0) |
    (redact.authCredentials ? 4 : 0) |
    (redact.jwts ? 8 : 0) |
    (redact.cardNumbers ? 16 : 0)
  );
}
