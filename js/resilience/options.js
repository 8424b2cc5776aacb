// The options of createBreaker / createLedger / createExhaustionRegistry that the shim owns; every
// other field is the core object's policy and is validated by the core when the object is made
// (js/core/resilience-core.js), so both layers never disagree about a policy field.
//
//   state: 'memory'                                   per isolate (the default)
//        | { store: 'kv', namespace, prefix, minWriteIntervalMs }
//        | { store: 'durable-object', namespace, maxStalenessMs, shard }
//        | (env) => one of these                      evaluated once per isolate, at the first use()
//
// Errors are EdgescopeConfigError naming the field, thrown when the object is created (or, for a
// state function, at the first use()).
import { EdgescopeConfigError } from '../config.js';

export const STATE_DEFAULTS = Object.freeze({
  prefix: 'edgescope:',
  // Workers KV accepts at most one write per second to the same key (Workers KV limits); a save of
  // counters only is held back until this much time passed since this isolate's last write. A
  // state change (a transition, a mark, a ledger alert) is written at once.
  minWriteIntervalMs: 1000,
  // How old the local copy of a Durable Object's state may be before a call asks the object again.
  maxStalenessMs: 1000,
});

// Outcomes, marks and records waiting to be sent to the Durable Object, per object and isolate.
// Past this, the oldest are dropped (counted in stats().dropped, logged once): an object that
// cannot be reached must not make an isolate's memory grow without bound.
export const MAX_PENDING = 1000;

const STORES = ['memory', 'kv', 'durable-object'];
const NAME_MAX = 200;

export function checkName(where, name) {
  if (typeof name !== 'string' || name === '' || name.length > NAME_MAX || /[\u0000-\u001f]/.test(name)) {
    throw new EdgescopeConfigError(`${where}(name)`, `a non-empty string of at most ${NAME_MAX} characters without control characters`, name);
  }
  return name;
}

// Splits the user's options into the shim's fields (checked here) and the core policy (the rest).
export function splitOptions(where, options, shimFields) {
  if (options === undefined) return { shim: {}, policy: {} };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new EdgescopeConfigError(where, 'an options object', options);
  }
  const shim = {};
  const policy = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (shimFields.includes(key)) shim[key] = value;
    else policy[key] = value;
  }
  return { shim, policy };
}

// A state option that is not a function, checked now; a function is checked when it is called.
export function checkStateOption(where, state) {
  if (typeof state === 'function') return state;
  return checkState(where, state);
}

export function checkState(where, state) {
  const field = `${where}.state`;
  if (state === undefined || state === 'memory') return { store: 'memory' };
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new EdgescopeConfigError(field, "'memory', { store: 'kv', namespace } or { store: 'durable-object', namespace }", state);
  }
  if (!STORES.includes(state.store)) throw new EdgescopeConfigError(`${field}.store`, `one of ${STORES.map((s) => `'${s}'`).join(', ')}`, state.store);
  const known = {
    memory: ['store'],
    kv: ['store', 'namespace', 'prefix', 'minWriteIntervalMs'],
    'durable-object': ['store', 'namespace', 'maxStalenessMs', 'shard'],
  }[state.store];
  for (const key of Object.keys(state)) {
    if (!known.includes(key)) throw new EdgescopeConfigError(`${field}.${key}`, `one of ${known.join(', ')} for store '${state.store}'`, key);
  }
  if (state.store === 'memory') return { store: 'memory' };
  if (state.store === 'kv') {
    const ns = state.namespace;
    if (!ns || typeof ns.get !== 'function' || typeof ns.put !== 'function') {
      throw new EdgescopeConfigError(`${field}.namespace`, 'a KV namespace binding (env.MY_KV)', ns);
    }
    const prefix = state.prefix ?? STATE_DEFAULTS.prefix;
    if (typeof prefix !== 'string' || prefix.length > 256) throw new EdgescopeConfigError(`${field}.prefix`, 'a string of at most 256 characters', prefix);
    return {
      store: 'kv',
      namespace: ns,
      prefix,
      minWriteIntervalMs: integer(`${field}.minWriteIntervalMs`, state.minWriteIntervalMs, STATE_DEFAULTS.minWriteIntervalMs, 0, 3_600_000),
    };
  }
  const ns = state.namespace;
  if (!ns || typeof ns.idFromName !== 'function' || typeof ns.get !== 'function') {
    throw new EdgescopeConfigError(
      `${field}.namespace`,
      'a Durable Object namespace binding for the EdgescopeState class (export { EdgescopeState } from "edgescope" and bind it in wrangler config)',
      ns,
    );
  }
  if (state.shard !== undefined && (typeof state.shard !== 'string' || state.shard === '' || state.shard.length > NAME_MAX)) {
    throw new EdgescopeConfigError(`${field}.shard`, `a non-empty string of at most ${NAME_MAX} characters (the Durable Object's name)`, state.shard);
  }
  return {
    store: 'durable-object',
    namespace: ns,
    shard: state.shard,
    maxStalenessMs: integer(`${field}.maxStalenessMs`, state.maxStalenessMs, STATE_DEFAULTS.maxStalenessMs, 0, 60_000),
  };
}

export function integer(field, value, fallback, min, max) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw new EdgescopeConfigError(field, `an integer from ${min} to ${max}`, value);
  return value;
}

export function optionalFunction(field, value) {
  if (value !== undefined && typeof value !== 'function') throw new EdgescopeConfigError(field, 'a function', value);
  return value;
}
