// A JavaScript handle on one core Telemetry instance (bindings/edgescope.h). It caches metric
// series ids; its base class (attribute-batch.js) interns names and attribute keys once (a Map
// lookup afterwards) and writes JavaScript values as the core's typed attributes.
//
// Caches follow the core's tables: a name or series id is cached only when the core accepted it
// (never a refusal), each cache holds at most as many entries as the core's table, and the ids a
// drain evicts are dropped from them (es_evicted), so a cached id always names what the core has.
//
// A trap kills the wasm instance (wasm-core.js). From then on every method is a cheap no-op that
// returns a safe default and never throws into user code; `dead` says so, and revive() starts a
// fresh core with the same config. Span handles carry the core's epoch, so a Span from before a
// revive can never touch a span of the new core.
import { cut, readEntries, textOf } from './attribute-values.js';
import { getCore, isTrap, markDead } from './wasm-core.js';
import { IO } from './core-memory.js';
import { EndedContext, hex8 } from './ended-context.js';
import { applySampling } from '../sampling-config.js';
import { AttributeBatch } from './attribute-batch.js';
import { seriesKey } from './series-key.js';
import { AttributeType, LIMIT_NAMES, SIGNALS, STAT_NAMES, StatId, Status, WireFormat } from './tables.js';

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

export class CoreTelemetry extends AttributeBatch {
  // config: { service, sampleRate, maxPayloadBytes, maxBatchSize?, resource? } (js/config.js).
  // Throws CoreError when the core refuses it.
  constructor(config) {
    super();
    this.config = config;
    this.epoch = -1;
    this.disposed = false;
    this.traps = 0;
    this.statsBase = zeroStats(); // what earlier (trapped) cores had counted
    this.lastStats = zeroStats();
    this.statsView = null;
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
      this.rawStats = new Float64Array(STAT_NAMES.length).fill(-1); // the new core's, as last read
      this.statsView = null;
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
      this.batchBytes = 0;
      this.batchCount = 0;
      this.recording = false; // of the span the last startSpan / startRemoteSpan returned
      // The core starts with the default policy (every built-in category on, no lists:
      // RedactionPolicy's default constructor, wasm/include/edgescope/redaction.hpp), so only a
      // config that differs from it is sent: a fresh isolate's first Telemetry then skips
      // es_set_redaction, whose first call compiles and runs the policy's parser and rebuilds the
      // default deny list, only to end where es_create started.
      if (redact && !isDefaultRedaction(redact)) {
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
      const samplingError = this.config.sampling ? applySampling(x, core.memory, h, this.config.sampling) : null;
      if (samplingError) throw new CoreError('sampling', samplingError);
      const maxBuckets = this.config.histograms?.maxBuckets;
      if (maxBuckets !== undefined && maxBuckets !== 160 && x.es_set_max_buckets(h, maxBuckets) < 0) {
        throw new CoreError('histograms', core.memory.lastError());
      }
      if (resource) {
        this.stage(resource);
        this.stageBatch();
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
    this.batchBytes = 0;
    this.batchCount = 0;
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

  status(operation, status) {
    if (status < 0) throw new CoreError(operation, this.mem.lastError());
    return status;
  }

  startSpan(parent, name, kind, now, attributes) {
    if (this.core.dead) return 0;
    try {
      const span = this.status('start span', this.x.es_span_start(this.h, this.local(parent), this.id(name), kind, now));
      this.recording = this.mem.io[IO.recording / 4] === 1;
      if (this.recording && attributes) this.setOn(span, attributes);
      return this.global(span);
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  startRemoteSpan(name, kind, now, traceparent, tracestate) {
    if (this.core.dead) return { span: 0, rejectedHeader: false };
    try {
      const nameId = this.id(name); // interning uses the scratch buffer: do it before the headers
      const tpText = cut(textOf(traceparent), MAX_TRACEPARENT_CHARS);
      const tsText = cut(textOf(tracestate), MAX_TRACESTATE_CHARS);
      const mem = this.mem;
      const at = mem.scratchFor((tpText.length + tsText.length) * 3);
      const tp = mem.writeText(at, tpText);
      const ts = tsText === '' ? 0 : mem.writeText(at + tp, tsText);
      const span = this.status('start span', this.x.es_span_start_remote(this.h, nameId, kind, now, tp, ts));
      const io = this.mem.io;
      this.recording = io[IO.recording / 4] === 1;
      return { span: this.global(span), rejectedHeader: io[IO.rejected / 4] === 1 };
    } catch (error) {
      return this.fault(error, { span: 0, rejectedHeader: false });
    }
  }

  setAttribute(span, key, value) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      // A number or boolean goes as an argument: no scratch buffer at all.
      if (typeof value === 'number') {
        this.x.es_span_set_number(this.h, local, this.id(key), Number.isSafeInteger(value) ? AttributeType.int : AttributeType.double, value);
        return;
      }
      if (typeof value === 'boolean') {
        this.x.es_span_set_number(this.h, local, this.id(key), AttributeType.bool, value ? 1 : 0);
        return;
      }
      this.stageOne(key, value);
      this.applyBatch(local);
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  setAttributes(span, attributes) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      this.setOn(local, attributes);
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  // attributes onto the span with core handle `local`: one es_span_set for the whole set.
  setOn(local, attributes) {
    this.stage(attributes);
    this.applyBatch(local);
  }

  applyBatch(local) {
    const count = this.batchCount;
    const bytes = this.batchBytes;
    this.batchCount = 0;
    this.batchBytes = 0;
    this.x.es_span_set(this.h, local, count, bytes);
  }

  addEvent(span, name, now, attributes) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return;
    try {
      const nameId = this.id(name);
      this.stage(attributes);
      this.stageBatch();
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

  // Ends the span; returns its context ({ traceparent, tracestate }, made when first asked for:
  // EndedContext) for children and logs that come after the end, or null when it was not open.
  endSpan(span, now) {
    const local = this.local(span);
    if (this.core.dead || local <= 0) return null;
    try {
      if (this.x.es_span_end(this.h, local, now) !== 0) return null;
      const io = this.mem.io;
      const at = IO.context / 4;
      const tracestate = io[at + 7] === 0 ? '' : this.mem.output();
      return new EndedContext(io[at], io[at + 1], io[at + 2], io[at + 3], io[at + 4], io[at + 5], io[at + 6], tracestate);
    } catch (error) {
      return this.fault(error, null);
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
      this.stageBatch();
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

  // One es_log_batch: the attributes, then the message behind them in the scratch buffer.
  log(level, message, span, now, attributes) {
    if (this.core.dead) return;
    try {
      this.stage(attributes);
      const text = cut(textOf(message), this.messageChars);
      const at = this.reserve(text.length * 3);
      const length = this.mem.writeText(at, text);
      const count = this.batchCount;
      const bytes = this.batchBytes;
      this.batchCount = 0;
      this.batchBytes = 0;
      this.status('log', this.x.es_log_batch(this.h, level, this.local(span), now, count, bytes, length));
    } catch (error) {
      this.fault(error, undefined);
    }
  }

  // A log correlated with a span that has already ended, through that span's traceparent.
  logInContext(level, message, traceparent, now, attributes) {
    if (this.core.dead) return;
    try {
      this.stage(attributes);
      this.stageBatch();
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
      const io = this.mem.io;
      const names = io[IO.evicted / 4];
      const series = io[IO.evicted / 4 + 1];
      if (names > 0 || series > 0) this.forgetEvicted(names > 0, series > 0);
      return records;
    } catch (error) {
      return this.fault(error, 0);
    }
  }

  // anyNames, anySeries: whether the drain evicted any of each (the io block says).
  forgetEvicted(anyNames, anySeries) {
    const names = anyNames ? this.evictedIds(0) : null;
    if (names !== null) {
      for (const [name, id] of this.names) if (names.has(id)) this.names.delete(name);
    }
    const series = anySeries ? this.evictedIds(1) : null;
    if (series !== null) {
      // An evicted series may have been what made another type's use of its name a conflict.
      for (const [key, id] of this.series) if (id === CONFLICT || series.has(id)) this.series.delete(key);
    }
  }

  evictedIds(kind) {
    const count = this.x.es_evicted(this.h, kind);
    if (count <= 0) return null;
    const at = this.x.es_output_ptr();
    const view = this.mem.views().dv; // read in place: nothing runs in the core until the Set is made
    const ids = new Set();
    for (let i = 0; i < count; i++) ids.add(view.getInt32(at + i * 4, true));
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
      const at = IO.payload / 4;
      for (let i = 0; i < count; i++) {
        this.status('payload', x.es_payload_info(this.h, i));
        const io = this.mem.io;
        payloads.push({
          signal: SIGNALS[io[at + 2]],
          records: io[at + 3],
          // The one copy out of wasm memory: delivery outlives the core's next drain.
          body: this.mem.copyOut(io[at], io[at + 1]),
          batchId: hex8(io[at + 4]) + hex8(io[at + 5]) + hex8(io[at + 6]) + hex8(io[at + 7]),
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
  // One es_stats call; the object is made again only when a counter moved, so a caller must not
  // change what it gets (every caller reads it or copies it).
  stats() {
    if (!this.core.dead) {
      try {
        const count = this.x.es_stats(this.h); // every counter in one call
        const stats = this.mem.views().ioF64;
        const at = IO.stats / 8;
        const seen = this.rawStats;
        let changed = false;
        for (let i = 0; i < seen.length; i++) {
          const value = i < count ? stats[at + i] : 0;
          if (seen[i] !== value) {
            seen[i] = value;
            changed = true;
          }
        }
        if (changed) {
          const out = {};
          for (let i = 0; i < seen.length; i++) out[STAT_NAMES[i]] = this.statsBase[STAT_NAMES[i]] + seen[i];
          this.lastStats = out;
          this.statsView = null;
        }
      } catch (error) {
        this.fault(error, undefined);
      }
    }
    if (this.statsView === null || this.statsView.coreTraps !== this.traps) this.statsView = { ...this.lastStats, coreTraps: this.traps };
    return this.statsView;
  }
}

function zeroStats() {
  return Object.fromEntries(STAT_NAMES.map((name) => [name, 0]));
}

// True for the policy a new core already applies: every built-in category on, no lists.
function isDefaultRedaction(redact) {
  return redactionFlags(redact) === 31 && redact.keys.length === 0 && redact.valuePrefixes.length === 0 && redact.literals.length === 0;
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
