// One breaker, exhaustion registry or ledger in this isolate's wasm core: a handle from the
// core wrapper (js/core/resilience-core.js) with its kind and policy, re-created if the core
// instance was replaced after a trap (the old handle died with it). Re-creation starts from the
// last state this object serialized or loaded (`lastKnown`), so a trap costs at most the changes
// since then; it is counted and logged once by the wrapper's caller.
import { ResilienceCore } from '../core/resilience-core.js';

// The resilience module's live instance (a fresh one after a trap).
const resilienceCore = () => ResilienceCore.forModule();

const CREATE = { breaker: 'createBreaker', registry: 'createRegistry', ledger: 'createLedger' };

export class CoreObject {
  // Throws a TypeError naming the policy field the core refused.
  constructor(kind, policy) {
    this.kind = kind;
    this.policy = policy;
    this.core = null;
    this.handle = 0;
    this.lastKnown = null; // the last serialized state seen, for re-creation after a trap
    this.live();
  }

  live() {
    const core = resilienceCore();
    if (this.core === core && this.handle) return core;
    const handle = core[CREATE[this.kind]](this.policy);
    if (this.lastKnown !== null) {
      try {
        core.deserialize(handle, this.lastKnown, Date.now());
      } catch {
        // the state is gone with the trapped instance; the object starts afresh
      }
    }
    this.core = core;
    this.handle = handle;
    return core;
  }

  call(method, ...args) {
    const core = this.live();
    return core[method](this.handle, ...args);
  }

  decide(now, u) { return this.call('decide', now, u); }
  record(now, ok, durationMs, probe) { return this.call('record', now, ok, durationMs, probe); }
  state(now) { return this.call('state', now); }
  forceOpen(now) { return this.call('forceOpen', now); }
  reset(now) { return this.call('reset', now); }
  markExhausted(now, provider, durationMs) { return this.call('markExhausted', now, provider, durationMs); }
  exhausted(now, provider) { return this.call('exhausted', now, provider); }
  listExhausted(now) { return this.call('listExhausted', now); }
  ledgerRecord(now, entry) { return this.call('ledgerRecord', now, entry); }
  ledgerCheck(now, request) { return this.call('ledgerCheck', now, request); }
  ledgerStatus(now) { return this.call('ledgerStatus', now); }

  serialize(now) {
    const text = this.call('serialize', now);
    this.lastKnown = text;
    return text;
  }

  // Throws naming the field; the state is left as it was.
  deserialize(text, now) {
    this.call('deserialize', text, now);
    this.lastKnown = text;
  }

  merge(text, now) {
    this.call('merge', text, now);
  }

  destroy() {
    if (this.handle && this.core) this.core.destroy(this.handle);
    this.handle = 0;
  }
}
