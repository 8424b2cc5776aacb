// The `buffer` option: where payloads that could not be delivered wait, and the bounds the core's
// policy enforces on them (js/core/buffer-core.js). Validated once, with errors naming the field;
// 0 is a value, never "use the default" (`maxEntries: 0` stores nothing).
//
//   buffer: false                      no offline buffer: a payload that still fails is counted
//                                      in stats().failed and logged, and gone
//   buffer: undefined                  an in-memory buffer per isolate with the defaults below
//   buffer: { store, maxEntries, maxBytes, maxAgeMs, maxAttempts, replay: { maxEntries, maxSubrequests } }
import { checkKnownKeys, checkObject, EdgescopeConfigError, integerIn } from '../config.js';

export const BUFFER_DEFAULTS = Object.freeze({
  maxEntries: 200,
  // An isolate has 128 MB (Workers limits, "Memory"); the memory store must stay a small share.
  maxBytes: 8 * 1024 * 1024,
  maxAgeMs: 24 * 60 * 60 * 1000,
  maxAttempts: 10,
  replayMaxEntries: 4,
});

const KNOWN = ['store', 'maxEntries', 'maxBytes', 'maxAgeMs', 'maxAttempts', 'replay'];
const STORE_METHODS = ['append', 'take', 'settle', 'status', 'clear'];

// Returns null (no buffer) or { store, limits, replayMaxSubrequests }.
export function validateBuffer(value, { maxSubrequests }) {
  if (value === false) return null;
  const options = checkObject('buffer', value ?? {}, 'false, or an object like { store, maxEntries }');
  checkKnownKeys(options, KNOWN, 'buffer');
  // No store given: the default in-memory store is this buffer's own, made when it first keeps a
  // payload (js/buffering/offline-buffer.js), so a Telemetry whose exports all arrive never builds it.
  const store = options.store ?? null;
  if (store !== null && (typeof store !== 'object' || STORE_METHODS.some((m) => typeof store[m] !== 'function'))) {
    throw new EdgescopeConfigError('buffer.store', 'a store from stores.memory(), stores.kv(namespace) or stores.durableObject(namespace)', store);
  }
  const replay = checkObject('buffer.replay', options.replay ?? {}, 'an object like { maxEntries, maxSubrequests }');
  checkKnownKeys(replay, ['maxEntries', 'maxSubrequests'], 'buffer.replay', 'maxEntries or maxSubrequests');
  const limits = {
    maxEntries: integer('buffer.maxEntries', options.maxEntries, BUFFER_DEFAULTS.maxEntries, 0, 100000),
    maxBytes: integer('buffer.maxBytes', options.maxBytes, BUFFER_DEFAULTS.maxBytes, 0, 1024 * 1024 * 1024),
    maxAgeMs: integer('buffer.maxAgeMs', options.maxAgeMs, BUFFER_DEFAULTS.maxAgeMs, 1000, 30 * 24 * 60 * 60 * 1000),
    maxAttempts: integer('buffer.maxAttempts', options.maxAttempts, BUFFER_DEFAULTS.maxAttempts, 1, 1000),
    replayMaxEntries: integer('buffer.replay.maxEntries', replay.maxEntries, BUFFER_DEFAULTS.replayMaxEntries, 0, 1000),
  };
  // Replay shares the invocation's subrequest budget with the current export; by default it gets
  // half, so a backlog can never starve the invocation's own telemetry.
  const replayMaxSubrequests = integer(
    'buffer.replay.maxSubrequests',
    replay.maxSubrequests,
    Math.max(1, Math.floor(maxSubrequests / 2)),
    0,
    maxSubrequests,
  );
  return { store, limits, replayMaxSubrequests };
}

function integer(field, value, fallback, min, max) {
  return value === undefined ? fallback : integerIn(field, value, min, max);
}
