// The offline buffer's policy, decided by the core (wasm/include/edgescope/buffer_policy.hpp)
// for every store (js/storage): which entries to evict or refuse on append, which to replay or
// drop on take, what to do after a delivery attempt. Stateless calls on the isolate's shared wasm
// instance (getCore()); no core handle is involved.
//
// Metadata crosses as packed little-endian f64 triples (created, bytes, attempts) in the scratch
// buffer; the answer is one action byte per entry (bindings/edgescope.h, "offline buffer").
// Limits are the validated config's integers; a value the core refuses (a meta that is not a
// number, a negative size) throws a RangeError naming the entry and the field. A trap marks the
// instance dead, like every other call (wasm-core.js), and is rethrown.
import { getCore, isTrap, markDead } from './wasm-core.js';
import { AttemptOutcome, ReplayAction, StoreAction } from './tables.js';

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
