// Argument checks shared by the three stores and by the Durable Object, which checks again
// because it is a trust boundary (any Worker bound to the namespace can call it). Each check runs
// before anything is written and throws a TypeError or RangeError naming the argument, so a bad
// call applies nothing.
import { describe } from '../config.js';
import { isEntryKey } from '../buffering/entry-key.js';

export const LIMIT_NAMES = Object.freeze(['maxEntries', 'maxBytes', 'maxAgeMs', 'maxAttempts', 'replayMaxEntries']);

const fail = (where, what, expected, got) => new TypeError(`edgescope buffer: ${where}: ${what} must be ${expected} (got ${describe(got)})`);

export function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

// Rejects keys a caller did not mean (a typo would otherwise be silently ignored).
export function checkKeys(object, known, where, what) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new TypeError(`edgescope buffer: ${where}: ${what} has an unknown field ${describe(key)} (known: ${known.join(', ')})`);
    }
  }
}

const isCount = (n) => Number.isSafeInteger(n) && n >= 0;
const isTime = (n) => typeof n === 'number' && Number.isFinite(n) && n >= 0;

// `strict`: unknown fields are an error (the Durable Object); clients copy only what they know.
export function checkLimits(limits, where, { strict = false } = {}) {
  if (!isPlainObject(limits)) throw fail(where, 'limits', `an object { ${LIMIT_NAMES.join(', ')} }`, limits);
  if (strict) checkKeys(limits, LIMIT_NAMES, where, 'limits');
  const out = {};
  for (const name of LIMIT_NAMES) {
    if (!isCount(limits[name])) throw fail(where, `limits.${name}`, 'a non-negative integer', limits[name]);
    out[name] = limits[name];
  }
  return out;
}

export function checkNow(now, where) {
  if (!isTime(now)) throw fail(where, 'now', 'a time in ms since the epoch', now);
  return now;
}

export function checkMeta(meta, where, what) {
  if (!isPlainObject(meta)) throw fail(where, what, 'an object { created, bytes, attempts }', meta);
  if (!isTime(meta.created)) throw fail(where, `${what}.created`, 'a time in ms since the epoch', meta.created);
  if (!isCount(meta.bytes)) throw fail(where, `${what}.bytes`, 'a non-negative integer', meta.bytes);
  if (!isCount(meta.attempts)) throw fail(where, `${what}.attempts`, 'a non-negative integer', meta.attempts);
  return { created: meta.created, bytes: meta.bytes, attempts: meta.attempts };
}

export function checkKey(key, where, what) {
  if (!isEntryKey(key)) throw fail(where, what, 'an entry key from newEntryKey (<15 digits>-<32 lowercase hex>)', key);
  return key;
}

function checkList(list, where, what, maxItems) {
  if (!Array.isArray(list)) throw fail(where, what, 'an array', list);
  if (list.length > maxItems) {
    throw new RangeError(`edgescope buffer: ${where}: ${what} holds ${list.length} items; at most ${maxItems} per call`);
  }
}

// entries: [{ key, meta: { created, bytes, attempts }, value: Uint8Array }], keys distinct,
// meta.bytes equal to the value's length. Bounds: `maxValueBytes` per value, `maxTotalBytes` for
// all values together, `maxItems` entries.
export function checkEntries(entries, where, { maxItems = Infinity, maxValueBytes = Infinity, maxTotalBytes = Infinity, strict = false } = {}) {
  checkList(entries, where, 'entries', maxItems);
  const seen = new Set();
  let total = 0;
  return entries.map((entry, i) => {
    const what = `entries[${i}]`;
    if (!isPlainObject(entry)) throw fail(where, what, 'an object { key, meta, value }', entry);
    if (strict) checkKeys(entry, ['key', 'meta', 'value'], where, what);
    const key = checkKey(entry.key, where, `${what}.key`);
    if (seen.has(key)) throw new TypeError(`edgescope buffer: ${where}: ${what}.key ${key} appears twice in one call`);
    seen.add(key);
    if (strict && isPlainObject(entry.meta)) checkKeys(entry.meta, ['created', 'bytes', 'attempts'], where, `${what}.meta`);
    const meta = checkMeta(entry.meta, where, `${what}.meta`);
    const { value } = entry;
    if (!(value instanceof Uint8Array)) throw fail(where, `${what}.value`, 'a Uint8Array', value);
    if (value.byteLength !== meta.bytes) {
      throw new TypeError(`edgescope buffer: ${where}: ${what}.meta.bytes is ${meta.bytes} but the value holds ${value.byteLength} bytes`);
    }
    if (value.byteLength > maxValueBytes) {
      throw new RangeError(`edgescope buffer: ${where}: ${what}.value is ${value.byteLength} bytes; at most ${maxValueBytes} per entry`);
    }
    total += value.byteLength;
    if (total > maxTotalBytes) {
      throw new RangeError(`edgescope buffer: ${where}: entries hold more than ${maxTotalBytes} bytes of values in one call`);
    }
    return { key, meta, value };
  });
}

// Oldest first, as the policy expects its lists: keys begin with the zero-padded time.
export const byKey = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// outcomes: [{ key, delivered: boolean, meta? }]. The store's own copy of the meta decides (a
// caller's copy may be stale), so meta is only checked when given.
export function checkOutcomes(outcomes, where, { maxItems = Infinity, strict = false } = {}) {
  checkList(outcomes, where, 'outcomes', maxItems);
  const seen = new Set();
  return outcomes.map((outcome, i) => {
    const what = `outcomes[${i}]`;
    if (!isPlainObject(outcome)) throw fail(where, what, 'an object { key, delivered, meta }', outcome);
    if (strict) checkKeys(outcome, ['key', 'delivered', 'attempted'], where, what);
    const key = checkKey(outcome.key, where, `${what}.key`);
    if (seen.has(key)) throw new TypeError(`edgescope buffer: ${where}: ${what}.key ${key} appears twice in one call`);
    seen.add(key);
    if (typeof outcome.delivered !== 'boolean') throw fail(where, `${what}.delivered`, 'true or false', outcome.delivered);
    if (outcome.meta !== undefined) checkMeta(outcome.meta, where, `${what}.meta`);
    // attempted: false releases an entry that was taken but not sent (the replay stopped before
    // it): its lease ends and its attempts count stays.
    if (outcome.attempted !== undefined && typeof outcome.attempted !== 'boolean') throw fail(where, `${what}.attempted`, 'true or false', outcome.attempted);
    if (outcome.attempted === false && outcome.delivered) throw fail(where, `${what}.attempted`, 'true when delivered is true', outcome.attempted);
    return outcome.attempted === false ? { key, delivered: false, attempted: false } : { key, delivered: outcome.delivered };
  });
}

// Options objects of the store factories.
export function checkOptions(options, known, where) {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw fail(where, 'options', `an object with ${known.join(', ')}`, options);
  checkKeys(options, known, where, 'options');
  return options;
}

export const DEFAULT_LEASE_MS = 30_000;
export const MAX_LEASE_MS = 15 * 60_000; // a flush never runs longer than a Worker invocation (15 min for Cron Triggers)

export function checkLeaseMs(leaseMs, where) {
  if (leaseMs === undefined) return DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS) {
    throw fail(where, 'leaseMs', `an integer from 1 to ${MAX_LEASE_MS}`, leaseMs);
  }
  return leaseMs;
}

// The reason a dropped entry is reported with, from afterAttempt's decision.
export const DROP_REASONS = Object.freeze({ 'drop-exhausted': 'exhausted', 'drop-expired': 'expired' });
