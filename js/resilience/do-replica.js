// state: { store: 'durable-object', namespace } — the object is owned by the package's Durable
// Object (EdgescopeState, feature `resilience`, js/storage/resilience-table.js), the single writer:
// no change from any isolate is lost, and it alone admits a half-open trial call, so exactly one
// runs at a time across every isolate. It is sharded by what it coordinates: one Durable Object
// per object (`idFromName('<kind>:<name>')`, or `shard` to group several), as Cloudflare's
// Durable Object guidance asks (rules-of-durable-objects: one object per unit of coordination).
//
// What a call costs:
//   - reads and decisions use this isolate's copy of the object's state while it is younger than
//     maxStalenessMs (default 1 s): no round trip;
//   - an older copy is refreshed by one round trip, which also carries the changes waiting here
//     and asks the object for this call's decision;
//   - a call the copy would admit as the half-open trial asks the object (one round trip);
//   - outcomes, marks and records are queued and sent in a batch inside the invocation's
//     waitUntil (or with the next round trip), never on the call's path.
// So a decision sees the fleet's state as it was at most maxStalenessMs ago plus the time the
// other isolates' batches take to arrive (their invocation's waitUntil). A breaker trips on the
// fleet's aggregate outcomes (the object's policy, with its minimum volume), never on one
// isolate's own.
//
// If the object cannot be reached, the isolate goes on with its last copy (fail open: a trial
// call may then be admitted without the object), counts and logs it once, and keeps the changes
// for the next round trip (at most MAX_PENDING, oldest dropped and counted).
import { STATE_PROTOCOL_VERSION } from '../storage/state-protocol.js';
import { applyOp } from './operations.js';
import { ResilienceStateError, describeError } from './errors.js';
import { MAX_PENDING } from './options.js';
import { Replica } from './replica.js';
import { reportInternalFailure } from '../internal-failures.js';

// A change already answered (not applied yet, kept for the next round trip).
const SETTLED = Object.freeze({ resolve() {} });

export class DurableObjectReplica extends Replica {
  constructor(kind, name, policy, state) {
    super(kind, name, policy);
    this.policy = policy;
    this.namespace = state.namespace;
    this.objectName = state.shard ?? `${kind}:${name}`;
    this.maxStalenessMs = state.maxStalenessMs;
    this.fetchedAt = -Infinity; // when the copy was last replaced by the object's state
    this.version = -1; // the object's version the copy holds
    this.pending = []; // [{ op, inv, settle }] not yet sent
    this.flushScheduled = false;
    this.probeRefusedUntil = 0; // the object refused this isolate a trial call: ask again after this
    this.retryAt = 0; // after a failed round trip, reads use the copy until then
  }

  get store() {
    return 'durable-object';
  }

  // Too old for a read, unless the object just failed to answer: then the old copy serves until
  // the next attempt is due, so an unreachable object costs one failed round trip per
  // max(maxStalenessMs, 1 s), not one per call.
  // maxStalenessMs 0: the copy is never used for a decision (every call asks the object).
  stale(now) {
    return now - this.fetchedAt >= this.maxStalenessMs && now >= this.retryAt;
  }

  async prepare(inv) {
    if (!this.stale(Date.now())) return;
    await this.sync(inv, {}).catch(() => {}); // counted and logged in sync; the old copy stays
  }

  async decide(inv, u) {
    const now = Date.now();
    if (!this.stale(now)) {
      const local = this.view.decide(now, u);
      if (!local.probe) {
        this.counters.localDecisions++;
        this.observe(inv, local.state);
        return local;
      }
      if (now < this.probeRefusedUntil) {
        this.counters.localDecisions++;
        return { ...local, admit: false, probe: false, retryAfterMs: 0 };
      }
    }
    // A stale copy, or a trial call only the object may admit: one round trip.
    let reply;
    try {
      reply = await this.sync(inv, { decide: u });
    } catch {
      this.counters.localDecisions++;
      const local = this.view.decide(Date.now(), u);
      this.observe(inv, local.state);
      return local;
    }
    const decision = reply.decision;
    if (decision.probe === false && decision.admit === false && decision.state === 'HALF_OPEN') {
      this.probeRefusedUntil = Date.now() + this.maxStalenessMs;
    }
    this.observe(inv, decision.state);
    return decision;
  }

  // Queued, never awaited: the batch goes in the invocation's waitUntil.
  note(inv, op) {
    this.apply(inv, op).catch((error) => reportInternalFailure('resilience outcome', error));
  }

  async apply(inv, op) {
    // Registries and ledgers show this isolate's own changes at once; a breaker's outcomes count
    // only once the object has them (it trips on the fleet's outcomes, not this isolate's).
    if (this.kind !== 'breaker') applyOp(this.view, this.kind, op, Date.now());
    const applied = new Promise((resolve) => {
      this.pending.push({ op, inv, settle: { resolve } });
    });
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING);
      for (const item of dropped) {
        const error = new ResilienceStateError('durable-object', `${this.kind} '${this.name}'`, `dropped: more than ${MAX_PENDING} changes waiting for the Durable Object`);
        this.failure('changes dropped while the Durable Object could not be reached', error, 'dropped');
        item.settle.resolve({ applied: false, error: error.message });
      }
    }
    if (this.kind === 'breaker' && op.type !== 'outcome') {
      await this.sync(inv, {}).catch(() => {}); // an operator's forceOpen/reset: sent at once
    } else {
      this.scheduleFlush(inv);
    }
    return applied;
  }

  scheduleFlush(inv) {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    inv.ctx.waitUntil(
      Promise.resolve().then(async () => {
        this.flushScheduled = false;
        // Whatever is queued meanwhile goes with this batch or the next one in the same waitUntil.
        while (this.pending.length > 0) {
          try {
            await this.sync(inv, {});
          } catch {
            return; // kept for the next round trip; counted and logged in sync
          }
        }
      }),
    );
  }

  // A stub belongs to the request that made it (Workers: I/O objects cannot be used on behalf of
  // another request), so each invocation gets its own; ids are cheap, the object is the same.
  stubFor(inv) {
    inv.stubs ??= new Map();
    let stub = inv.stubs.get(this);
    if (!stub) {
      stub = this.namespace.get(this.namespace.idFromName(this.objectName));
      inv.stubs.set(this, stub);
    }
    return stub;
  }

  // One round trip: sends what is queued, optionally asks for a decision, replaces the copy.
  async sync(inv, { decide }) {
    const batch = this.pending.splice(0);
    const args = { kind: this.kind, name: this.name, policy: this.policy, ops: batch.map((b) => b.op) };
    if (decide !== undefined) args.decide = decide;
    this.counters.roundTrips++;
    let reply;
    try {
      reply = await this.stubFor(inv).request({ v: STATE_PROTOCOL_VERSION, feature: 'resilience', op: 'sync', args });
    } catch (error) {
      inv.stubs?.delete(this); // a broken stub is not reused (Durable Objects, "Error handling")
      this.retryAt = Date.now() + Math.max(this.maxStalenessMs, 1000);
      const refused = typeof error?.message === 'string' && error.message.startsWith('edgescope');
      if (refused) {
        // The object refused the request itself (a version mismatch, a policy it rejects): sending
        // the same changes again cannot succeed, so they are dropped (counted, logged once).
        this.failure('the Durable Object refused the request', error, batch.length ? 'dropped' : 'storeErrors');
        for (const item of batch) item.settle.resolve({ applied: false, error: describeError(error) });
      } else {
        // Kept and sent again with the next round trip; the caller learns it is not applied yet.
        this.failure('the Durable Object could not be reached', error);
        for (const item of batch) {
          item.settle.resolve({ applied: false, queued: true, error: describeError(error) });
          item.settle = SETTLED;
        }
        this.pending.unshift(...batch);
      }
      throw new ResilienceStateError('durable-object', `${this.kind} '${this.name}'`, describeError(error), { cause: error });
    }
    this.absorb(reply, inv);
    batch.forEach((item, i) => {
      const result = reply.results[i] ?? {};
      this.report(item.inv, result);
      item.settle.resolve({ applied: true, ...result });
    });
    if (reply.decisionTransitions?.length) this.report(inv, { transitions: reply.decisionTransitions });
    return reply;
  }

  // Replaces the copy with the object's state (unless an answer to a later request already did),
  // then re-applies the changes still queued here.
  absorb(reply, inv) {
    if (reply.version < this.version) return;
    try {
      this.view.deserialize(reply.state, Date.now());
    } catch (error) {
      this.failure("the Durable Object's state could not be read", error, 'corrupt');
      return;
    }
    this.version = reply.version;
    this.fetchedAt = Date.now();
    if (this.kind !== 'breaker') for (const item of this.pending) applyOp(this.view, this.kind, item.op, Date.now());
    this.observeView(inv);
  }
}
