// What every home of a resilience object shares: this isolate's copy of the object (a CoreObject),
// counters, one log line per kind of failure, and the state gauge. The three homes:
//   memory-replica.js   the copy is the object (per isolate)
//   kv-replica.js       loaded from KV once per invocation, saved (merged) in waitUntil
//   do-replica.js       a short-lived copy of the Durable Object's state; changes are sent to it
//
// Every method takes `inv`, the invocation's binding (use(env, ctx)): { ctx, reporter, loaded }.
import { CoreObject } from './core-object.js';
import { applyOp } from './operations.js';
import { describeError } from './errors.js';
import { reportInternalFailure } from '../internal-failures.js';

export class Replica {
  constructor(kind, name, policy) {
    this.kind = kind;
    this.name = name;
    this.view = new CoreObject(kind, policy); // throws on a policy the core refuses
    this.counters = { localDecisions: 0, roundTrips: 0, loads: 0, saves: 0, storeErrors: 0, corrupt: 0, dropped: 0 };
    this.logged = new Set();
    this.seenState = null;
  }

  get store() {
    return 'memory';
  }

  // Makes the copy current enough for a read (KV: loaded in this invocation; Durable Object: no
  // older than its staleness bound).
  async prepare(_inv) {}

  // A breaker's decision for one call: { admit, probe, primaryShare, state, retryAfterMs }.
  async decide(inv, u) {
    await this.prepare(inv);
    this.counters.localDecisions++;
    const now = Date.now();
    const decision = this.view.decide(now, u);
    // Transitions that time alone caused (OPEN -> HALF_OPEN, graduated decay) come with a decision.
    if (decision.transitions?.length) this.report(inv, { transitions: decision.transitions });
    this.observe(inv, decision.state);
    return decision;
  }

  // Applies a change; resolves with { applied: true, transitions | alerts } once it is applied
  // where the object lives, or { applied: false, queued?, error } when the store could not take it
  // (never rejects for a store failure: counted and logged instead).
  async apply(inv, op) {
    await this.prepare(inv);
    return this.applyNow(inv, op);
  }

  applyNow(inv, op) {
    const result = applyOp(this.view, this.kind, op, Date.now());
    this.report(inv, result);
    this.changed(inv, op, result);
    return { applied: true, ...result };
  }

  // A call's outcome, right after the decision that admitted it (so the copy is prepared): applied
  // without waiting, never throwing into the call it describes.
  note(inv, op) {
    try {
      this.applyNow(inv, op);
    } catch (error) {
      reportInternalFailure('resilience outcome', error);
    }
  }

  // Called after a local change (KV schedules its save here).
  changed(_inv, _op, _result) {}

  report(inv, result) {
    if (result.transitions?.length) {
      inv.reporter.transitions(this.name, result.transitions);
      const last = result.transitions[result.transitions.length - 1].to;
      this.observe(inv, last);
    }
    if (result.alerts?.length) inv.reporter.alerts(this.name, result.alerts);
  }

  // The state gauge, when the state this isolate acts on is not the one it last recorded.
  observe(inv, state) {
    if (this.kind !== 'breaker' || state === undefined || state === this.seenState) return;
    inv.reporter.gauge(this.name, state);
    this.seenState = state;
  }

  observeView(inv) {
    if (this.kind === 'breaker') this.observe(inv, this.view.state(Date.now()).state);
  }

  // Counted always; logged once per kind of failure per object and isolate.
  failure(what, error, counter = 'storeErrors') {
    this.counters[counter]++;
    if (this.logged.has(what)) return;
    this.logged.add(what);
    console.error(
      `[edgescope] resilience ${this.kind} '${this.name}' (${this.store}): ${what}: ${describeError(error)}; ` +
        'continuing with the state this isolate has (further failures of this kind are only counted in stats())',
    );
  }

  stats() {
    return { store: this.store, ...this.counters };
  }
}
