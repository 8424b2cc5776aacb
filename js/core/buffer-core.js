// The offline buffer's core side, for every store (js/storage). Stateless calls on the isolate's
// shared wasm instance (getCore()); no core handle is involved.
//
// Policy (wasm/include/edgescope/buffer_policy.hpp): which entries to evict or refuse on append,
// which to replay or drop on take, what to do after a delivery attempt.
//
// Metadata crosses as packed little-endian f64 triples (created, bytes, attempts) in the scratch
// buffer; the answer is one action byte per entry (bindings/edgescope.h, "offline buffer").
// Limits are the validated config's integers; a value the core refuses (a meta that is not a
// number, a negative size) throws a RangeError naming the entry and the field. A trap marks the
// instance dead, like every other call (wasm-core.js), and is rethrown.
import { getCore, isTrap, markDead } from './wasm-core.js';
import { AttemptOutcome, ReplayAction, SIGNALS, StoreAction, WireFormat } from './tables.js';

const META_BYTES = 24;
// The scratch buffer holds at most 1 MiB (es_scratch): this many metas per call.
export const MAX_PLAN_ENTRIES = Math.floor((1 << 20) / META_BYTES);

const OUTCOMES = Object.freeze(Object.fromEntries(Object.entries(AttemptOutcome).map(([name, code]) => [code, name])));

// Runs fn(core) on the live instance; a trap marks it dead before it propagates.
function withCore(fn) {
  const core = getCore();
  try {
    return fn(core);
  } catch (error) {
    if (isTrap(error)) markDead(core);
    throw error;
  }
}

function fail(operation, core) {
  return new RangeError(`edgescope buffer policy: ${operation}: ${core.memory.lastError()}`);
}

// Only numbers cross: anything else becomes NaN, which the core refuses with the field's name.
const num = (value) => (typeof value === 'number' ? value : NaN);

function list(operation, value, name) {
  if (!Array.isArray(value)) throw new TypeError(`edgescope buffer policy: ${operation}: ${name} must be an array`);
  return value;
}

// Writes the metas of each list back to back into the scratch buffer. Incoming entries (not
// stored yet) have no attempts field: they cross with 0.
function writeMetas(operation, core, stored, incoming = []) {
  const count = stored.length + incoming.length;
  if (count > MAX_PLAN_ENTRIES) {
    throw new RangeError(
      `edgescope buffer policy: ${operation}: ${count} entries exceed the ${MAX_PLAN_ENTRIES} one call can plan`,
    );
  }
  const x = core.exports;
  const ptr = x.es_scratch(count * META_BYTES);
  if (ptr === 0 && count > 0) throw fail(operation, core);
  const view = new DataView(x.memory.buffer, ptr, count * META_BYTES);
  let offset = 0;
  const put = (meta, attempts) => {
    view.setFloat64(offset, num(meta?.created), true);
    view.setFloat64(offset + 8, num(meta?.bytes), true);
    view.setFloat64(offset + 16, attempts, true);
    offset += META_BYTES;
  };
  for (const meta of stored) put(meta, num(meta?.attempts));
  for (const meta of incoming) put(meta, 0);
}

function actions(core, count) {
  const x = core.exports;
  return core.memory.view(x.es_output_ptr(), count);
}

// metas: existing entries, oldest first; incoming: [{ created, bytes }], oldest first.
// -> { evict: indices into metas, refuse: indices into incoming }, both ascending (oldest first).
export function planStore(metas, incoming, limits) {
  const op = 'planStore';
  list(op, metas, 'metas');
  list(op, incoming, 'incoming');
  return withCore((core) => {
    writeMetas(op, core, metas, incoming);
    const n = core.exports.es_buffer_plan_store(metas.length, incoming.length, num(limits?.maxEntries), num(limits?.maxBytes));
    if (n < 0) throw fail(op, core);
    const bytes = actions(core, n);
    const evict = [];
    const refuse = [];
    for (let i = 0; i < metas.length; i++) if (bytes[i] === StoreAction.evict) evict.push(i);
    for (let i = 0; i < incoming.length; i++) if (bytes[metas.length + i] === StoreAction.refuse) refuse.push(i);
    return { evict, refuse };
  });
}

// metas oldest first. -> { replay (at most replayMaxEntries), expired, exhausted }, each ascending.
export function planReplay(metas, now, limits) {
  const op = 'planReplay';
  list(op, metas, 'metas');
  return withCore((core) => {
    writeMetas(op, core, metas);
    const n = core.exports.es_buffer_plan_replay(
      metas.length,
      num(now),
      num(limits?.maxAgeMs),
      num(limits?.maxAttempts),
      num(limits?.replayMaxEntries),
    );
    if (n < 0) throw fail(op, core);
    const bytes = actions(core, n);
    const out = { replay: [], expired: [], exhausted: [] };
    for (let i = 0; i < n; i++) {
      if (bytes[i] === ReplayAction.replay) out.replay.push(i);
      else if (bytes[i] === ReplayAction.expired) out.expired.push(i);
      else if (bytes[i] === ReplayAction.exhausted) out.exhausted.push(i);
    }
    return out;
  });
}

// -> 'delete' | 'keep' (store attempts + 1) | 'drop-exhausted' | 'drop-expired'.
export function afterAttempt(meta, delivered, now, limits) {
  const op = 'afterAttempt';
  if (typeof delivered !== 'boolean') throw new TypeError(`edgescope buffer policy: ${op}: delivered must be a boolean`);
  return withCore((core) => {
    const code = core.exports.es_buffer_after_attempt(
      num(meta?.created),
      num(meta?.bytes),
      num(meta?.attempts),
      delivered ? 1 : 0,
      num(now),
      num(limits?.maxAgeMs),
      num(limits?.maxAttempts),
    );
    if (code < 0) throw fail(op, core);
    return OUTCOMES[code];
  });
}

// Entries (wasm/include/edgescope/buffer_entry.hpp): one payload as a store keeps it, a versioned
// binary header followed by the body. Only the header crosses into wasm memory (bodies may be up
// to 16 MiB; the scratch buffer is 1 MiB); the body's length is checked here against the header.

// The longest header: 45 fixed bytes and an exporter id of at most 256.
const MAX_HEADER_BYTES = 301;
const MAX_EXPORTER_BYTES = 256;
// "<32 hex>" and at most 32 "-0"/"-1" splits (longer is refused by the core's rule anyway).
const MAX_BATCH_ID_CHARS = 96;
const FORMAT_NAMES = Object.freeze(Object.fromEntries(Object.entries(WireFormat).map(([name, code]) => [code, name])));
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class BufferEntryError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BufferEntryError';
  }
}

function entryFail(core) {
  return new BufferEntryError(core.memory.lastError());
}

// { created, format, signal, records, batchId, exporter, body: Uint8Array } -> Uint8Array (a new
// buffer: header then a copy of the body). Throws BufferEntryError naming a field out of range.
export function encodeEntry(entry) {
  if (entry === null || typeof entry !== 'object') throw new BufferEntryError('buffer entry must be an object');
  const { created, format, signal, records, batchId, exporter, body } = entry;
  if (!(body instanceof Uint8Array)) throw new BufferEntryError("buffer entry field 'body' must be a Uint8Array");
  if (!Object.hasOwn(WireFormat, format)) {
    throw new BufferEntryError(`buffer entry field 'format' must be one of ${Object.keys(WireFormat).join(', ')}`);
  }
  const signalCode = SIGNALS.indexOf(signal);
  if (signalCode < 0) throw new BufferEntryError(`buffer entry field 'signal' must be one of ${SIGNALS.join(', ')}`);
  if (typeof batchId !== 'string' || batchId.length > MAX_BATCH_ID_CHARS) {
    throw new BufferEntryError("buffer entry field 'batchId' must be 32 lowercase hex digits, then '-0' or '-1' per split (at most 32)");
  }
  // A lone surrogate would cross as U+FFFD and come back as another string.
  if (typeof exporter !== 'string' || !exporter.isWellFormed()) {
    throw new BufferEntryError("buffer entry field 'exporter' must be a well-formed string");
  }
  const exporterBytes = utf8.encode(exporter);
  if (exporterBytes.length > MAX_EXPORTER_BYTES) {
    throw new BufferEntryError(`buffer entry field 'exporter' out of range: ${exporterBytes.length} bytes (at most 256)`);
  }
  return withCore((core) => {
    const x = core.exports;
    // Batch id text, then the exporter id, back to back in the scratch buffer.
    const room = batchId.length * 3;
    const ptr = x.es_scratch(room + exporterBytes.length);
    const batchLen = utf8.encodeInto(batchId, core.memory.view(ptr, room)).written;
    core.memory.view(ptr + batchLen, exporterBytes.length).set(exporterBytes);
    const len = x.es_entry_encode(num(created), WireFormat[format], signalCode, num(records), body.length, batchLen, exporterBytes.length);
    if (len < 0) throw entryFail(core);
    const out = new Uint8Array(len + body.length);
    out.set(core.memory.view(x.es_output_ptr(), len), 0);
    out.set(body, len);
    return out;
  });
}

// Uint8Array (or ArrayBuffer) -> { created, format, signal, records, batchId, exporter, body }.
// `body` is a view into the given bytes (no copy: bodies are large). Throws BufferEntryError:
// bad magic, an unknown version, truncated header or body, trailing bytes, a field out of range.
export function decodeEntry(bytes) {
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) throw new BufferEntryError('buffer entry must be a Uint8Array');
  return withCore((core) => {
    const x = core.exports;
    const n = Math.min(data.length, MAX_HEADER_BYTES);
    const ptr = x.es_scratch(n);
    core.memory.view(ptr, n).set(data.subarray(0, n));
    const headerLen = x.es_entry_decode(n);
    if (headerLen < 0) throw entryFail(core);
    const out = core.memory.copyOut(x.es_output_ptr(), x.es_output_len());
    const view = new DataView(out.buffer);
    const bodyBytes = view.getUint32(12, true);
    const batchLen = out[18];
    const exporterLen = view.getUint16(19, true);
    const present = data.length - headerLen;
    if (present < bodyBytes) {
      throw new BufferEntryError(`buffer entry truncated: header says ${bodyBytes} body bytes, ${present} present`);
    }
    if (present > bodyBytes) {
      throw new BufferEntryError(`buffer entry has ${present - bodyBytes} bytes past its ${bodyBytes}-byte body`);
    }
    return {
      created: view.getFloat64(0, true),
      format: FORMAT_NAMES[out[16]],
      signal: SIGNALS[out[17]],
      records: view.getUint32(8, true),
      batchId: fromUtf8.decode(out.subarray(21, 21 + batchLen)),
      exporter: fromUtf8.decode(out.subarray(21 + batchLen, 21 + batchLen + exporterLen)),
      body: data.subarray(headerLen),
    };
  });
}
