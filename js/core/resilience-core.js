// Resilience state in the core (wasm/include/edgescope/resilience/): circuit breakers, exhaustion
// registries and credit ledgers, by handle, on one instance of the resilience module
// (dist/edgescope-resilience.wasm, js/core/resilience-wasm.js), separate from the telemetry one. The shim (breakers with
// execute(), KV and Durable Object persistence) is built on this class; nothing here does I/O,
// reads a clock or draws randomness: `now` is wall-clock ms (Date.now()) and `u` a uniform draw in
// [0, 1) (Math.random()), both from the caller.
//
// API (the contract the shim relies on):
//   ResilienceCore.forModule(core = getResilienceCore())  one per wasm instance (cached)
//   .dead                                       true once that instance trapped: handles are gone;
//                                               take forModule() again and restore from snapshots
//   createBreaker(config) -> handle             config: { policy: 'classic'|'graduated',
//       failureThreshold (5; 0 off), failureRate (0 off), slowCallRate (0 off), slowCallMs,
//       window: { type: 'count'|'time', size (100 calls | 60000 ms) }, minimumCalls (10), openMs (30000),
//       openBackoff: { multiplier (1: fixed), maxMs (openMs * 32) }, halfOpenCalls (1),
//       halfOpenMaxWaitMs (60000), curve ([1, 0.9, 0.7, 0.4, 0.1]), quietMs (30000) }
//   createRegistry(config) -> handle            { defaultMs (300000) }
//   createLedger(config) -> handle              { budgets: [{ provider?, monthly (dollars) }],
//       thresholds ([0.8, 0.9, 0.95]), depletionDays ([7, 3, 1]),
//       limits: [{ provider?, perMinute: { requests?, tokens? }, perDay: { requests?, tokens? } }] }
//     create* throw TypeError naming the bad field ("config.window.size: ...").
//   destroy(handle)
//   decide(handle, now, u) -> { admit, probe, primaryShare, state, retryAfterMs, transitions }
//   record(handle, now, ok, durationMs = 0, probe = false) -> { transitions }
//   state(handle, now) -> { state, retryAfterMs, consecutiveFailures, calls, failures, step, since,
//                           openings, probesInFlight, primaryShare }
//   forceOpen(handle, now) -> { transitions, retryAfterMs } ; reset(handle, now) -> { transitions }
//     transitions: [{ from, to, at, step }] (state names; at in ms). Transitions that time alone
//     causes (OPEN -> HALF_OPEN, graduated decay) come with the next decide/record/forceOpen/reset,
//     each exactly once, even when state() or serialize() noticed them first.
//   markExhausted(handle, now, provider, durationMs?) ; exhausted(handle, now, provider) -> untilMs | 0
//   listExhausted(handle, now) -> [{ provider, untilMs }]
//   ledgerRecord(handle, now, { provider, model?, spendMicros?, inputTokens?, outputTokens?, requests? (1) })
//     -> { alerts: [{ kind: 'budget'|'depletion', provider, tier, spendMicros, budgetMicros,
//                     last24hMicros, daysLeft? }] }   (tier: 0.8 for a budget threshold, 7 for days)
//   ledgerCheck(handle, now, { provider, model?, requests? (1), tokens? (0) })
//     -> { allowed, reason: null|'perMinute.requests'|'perMinute.tokens'|'perDay.requests'|'perDay.tokens'|'budget',
//          provider: the rule's provider or null, retryAfterMs }
//   ledgerStatus(handle, now) -> { periodStart, periodEnd, usage: [...], budgets: [...], rates: [...] }
//   serialize(handle, now) -> string ; deserialize(handle, json, now) ; merge(handle, json, now)
//     deserialize and merge throw ResilienceError (.field: the path, e.g. 'breaker.window[3].at')
//     and leave the object untouched.
// A budget or limit without a provider appears with provider '*' (every provider together).
// Money is integer micro-dollars everywhere except a budget's `monthly` (dollars) in the config.
import { isTrap, markDead } from './wasm-core.js';
import { getResilienceCore } from './resilience-wasm.js';

// wasm/include/edgescope/resilience/state.hpp BreakerState, by number (tests/js/resilience-core.test.js
// checks the two agree).
export const BREAKER_STATES = Object.freeze(['CLOSED', 'OPEN', 'HALF_OPEN', 'DEGRADED', 'RECOVERING']);
const STATES = BREAKER_STATES;
const KIND = Object.freeze({ breaker: 0, registry: 1, ledger: 2 });
const OUT_SLOTS = 100; // bindings/edgescope.h es_res_out
// The scratch buffer's limit (bindings/edgescope.h es_scratch): a config, entry or snapshot
// crosses whole or not at all.
const MAX_DOCUMENT_BYTES = 1 << 20;
const byCore = new WeakMap();
const encoder = new TextEncoder();

export class ResilienceError extends Error {
  constructor(operation, message) {
    super(`edgescope resilience: ${operation}: ${message}`);
    this.name = 'ResilienceError';
    // "breaker.window[3].at: expected ..." -> "breaker.window[3].at"
    const colon = message.indexOf(': ');
    this.field = colon > 0 && !message.slice(0, colon).includes(' ') ? message.slice(0, colon) : null;
  }
}

const num = (value) => (typeof value === 'number' ? value : NaN);

function json(operation, value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`edgescope resilience: ${operation}: expected an object`);
  }
  return JSON.stringify(value);
}

export class ResilienceCore {
  static forModule(core = getResilienceCore()) {
    let instance = byCore.get(core);
    if (!instance) {
      instance = new ResilienceCore(core);
      byCore.set(core, instance);
    }
    return instance;
  }

  constructor(core) {
    this.core = core;
    this.x = core.exports;
    this.outBuffer = null;
    this.out = null;
  }

  get dead() {
    return this.core.dead === true;
  }

  // Runs fn() on the instance; a trap marks it dead (wasm-core.js) before it propagates.
  call(operation, fn) {
    if (this.core.dead) {
      throw new ResilienceError(operation, 'the wasm instance trapped: its objects are gone (restore them from snapshots)');
    }
    try {
      return fn(this.x);
    } catch (error) {
      if (isTrap(error)) markDead(this.core);
      throw error;
    }
  }

  fail(operation) {
    return new ResilienceError(operation, this.core.memory.lastError());
  }

  check(operation, status) {
    if (status < 0) throw this.fail(operation);
    return status;
  }

  // Writes a JSON document at scratch offset 0 (exactly its UTF-8 bytes; lone surrogates become
  // U+FFFD, as TextEncoder does); returns its length.
  writeDocument(operation, text) {
    const bytes = encoder.encode(text);
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      throw new ResilienceError(operation, `document of ${bytes.length} bytes exceeds the limit of ${MAX_DOCUMENT_BYTES}`);
    }
    const ptr = this.core.memory.scratch(bytes.length);
    this.core.memory.view(ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  // The f64 out area (re-viewed after memory growth detaches the old buffer).
  outArea() {
    const buffer = this.x.memory.buffer;
    if (buffer !== this.outBuffer) {
      this.outBuffer = buffer;
      this.out = new Float64Array(buffer, this.x.es_res_out(), OUT_SLOTS);
    }
    return this.out;
  }

  transitions(count) {
    const out = this.outArea();
    const list = [];
    for (let i = 0; i < count; i++) {
      const at = 3 + 4 * i;
      list.push({ from: STATES[out[at]], to: STATES[out[at + 1]], at: out[at + 2], step: out[at + 3] });
    }
    return list;
  }

  create(operation, kind, config) {
    const text = json(operation, config ?? {});
    return this.call(operation, (x) => {
      const len = this.writeDocument(operation, text);
      const handle = x.es_res_create(kind, len);
      if (handle < 0) {
        const message = this.core.memory.lastError();
        throw new TypeError(`edgescope resilience: ${operation}: ${message}`);
      }
      return handle;
    });
  }

  createBreaker(config) {
    return this.create('createBreaker', KIND.breaker, config);
  }

  createRegistry(config) {
    return this.create('createRegistry', KIND.registry, config);
  }

  createLedger(config) {
    return this.create('createLedger', KIND.ledger, config);
  }

  destroy(handle) {
    this.call('destroy', (x) => this.check('destroy', x.es_res_destroy(handle)));
  }

  decide(handle, now, u) {
    return this.call('decide', (x) => {
      const flags = this.check('decide', x.es_res_decide(handle, num(now), num(u)));
      const out = this.outArea();
      return {
        admit: (flags & 1) !== 0,
        probe: (flags & 2) !== 0,
        primaryShare: out[1],
        state: STATES[flags >> 2],
        retryAfterMs: out[0],
        transitions: this.transitions(out[2]),
      };
    });
  }

  record(handle, now, ok, durationMs = 0, probe = false) {
    if (typeof ok !== 'boolean') throw new TypeError('edgescope resilience: record: ok must be a boolean');
    return this.call('record', (x) => {
      const n = this.check('record', x.es_res_record(handle, num(now), ok ? 1 : 0, num(durationMs), probe ? 1 : 0));
      return { transitions: this.transitions(n) };
    });
  }

  state(handle, now) {
    return this.call('state', (x) => {
      this.check('state', x.es_res_state(handle, num(now)));
      return JSON.parse(this.core.memory.output());
    });
  }

  forceOpen(handle, now) {
    return this.call('forceOpen', (x) => {
      const n = this.check('forceOpen', x.es_res_force_open(handle, num(now)));
      return { transitions: this.transitions(n), retryAfterMs: this.outArea()[0] };
    });
  }

  reset(handle, now) {
    return this.call('reset', (x) => ({ transitions: this.transitions(this.check('reset', x.es_res_reset(handle, num(now)))) }));
  }

  provider(operation, provider) {
    if (typeof provider !== 'string') throw new TypeError(`edgescope resilience: ${operation}: provider must be a string`);
    return this.core.memory.writeString(provider);
  }

  markExhausted(handle, now, provider, durationMs) {
    const duration = durationMs === undefined ? -1 : num(durationMs);
    this.call('markExhausted', (x) => {
      const len = this.provider('markExhausted', provider);
      this.check('markExhausted', x.es_res_mark(handle, num(now), len, duration));
    });
  }

  exhausted(handle, now, provider) {
    return this.call('exhausted', (x) => {
      const len = this.provider('exhausted', provider);
      return this.check('exhausted', x.es_res_exhausted(handle, num(now), len));
    });
  }

  listExhausted(handle, now) {
    return this.call('listExhausted', (x) => {
      this.check('listExhausted', x.es_res_list(handle, num(now)));
      return JSON.parse(this.core.memory.output());
    });
  }

  // A JSON call: `text` in through the scratch buffer, the JSON answer parsed.
  jsonCall(operation, text, fn) {
    return this.call(operation, (x) => {
      const len = this.writeDocument(operation, text);
      this.check(operation, fn(x, len));
      return JSON.parse(this.core.memory.output());
    });
  }

  ledgerRecord(handle, now, entry) {
    const text = json('ledgerRecord', entry);
    return { alerts: this.jsonCall('ledgerRecord', text, (x, len) => x.es_res_ledger_record(handle, num(now), len)) };
  }

  ledgerCheck(handle, now, request) {
    const text = json('ledgerCheck', request);
    return this.jsonCall('ledgerCheck', text, (x, len) => x.es_res_ledger_check(handle, num(now), len));
  }

  ledgerStatus(handle, now) {
    return this.call('ledgerStatus', (x) => {
      this.check('ledgerStatus', x.es_res_ledger_status(handle, num(now)));
      return JSON.parse(this.core.memory.output());
    });
  }

  serialize(handle, now) {
    return this.call('serialize', (x) => {
      this.check('serialize', x.es_res_serialize(handle, num(now)));
      return this.core.memory.output();
    });
  }

  snapshotCall(operation, handle, text, now, fn) {
    if (typeof text !== 'string') throw new TypeError(`edgescope resilience: ${operation}: the snapshot must be a string`);
    this.call(operation, (x) => {
      const len = this.writeDocument(operation, text);
      this.check(operation, fn(x, handle, num(now), len));
    });
  }

  deserialize(handle, text, now) {
    this.snapshotCall('deserialize', handle, text, now, (x, h, t, len) => x.es_res_deserialize(h, t, len));
  }

  merge(handle, text, now) {
    this.snapshotCall('merge', handle, text, now, (x, h, t, len) => x.es_res_merge(h, t, len));
  }
}
