// state: { store: 'kv', namespace } — the object's state under one KV key
// (`<prefix><kind>:<name>`), shared by every isolate, eventually consistent.
//
//   load   once per invocation, before its first read or change: the key's value is merged into
//          this isolate's copy (the core's merge: later failure timestamps win, exhaustion marks
//          are unioned with their expiry, ledger counters never go backwards), skipped when the
//          value is the one this isolate last saw.
//   save   inside the invocation's waitUntil, only when this isolate changed something: read the
//          key again, merge it in, write the result. So two isolates saving at once converge on
//          the next save instead of one erasing the other. A change of counters only waits until
//          minWriteIntervalMs passed since this isolate's last write (KV accepts one write per
//          second per key); a transition, a mark or an alert is written at once.
// A KV failure (a read or write refused, a 429 for writing too often) is counted and logged once;
// the isolate goes on with its own copy and the next invocation's save tries again. A value that
// is not a valid state (corrupted, written by a newer edgescope) is ignored and counted as
// `corrupt`: it is overwritten by the next save.
//
// What KV's eventual consistency can still lose is in the README ("State across invocations").
import { isUrgent } from './operations.js';
import { Replica } from './replica.js';
import { CoreObject } from './core-object.js';

export class KvReplica extends Replica {
  constructor(kind, name, policy, state) {
    super(kind, name, policy);
    this.policy = policy;
    this.namespace = state.namespace;
    this.key = `${state.prefix}${kind}:${name}`;
    this.minWriteIntervalMs = state.minWriteIntervalMs;
    this.lastSeen = null; // the KV value this copy already contains
    this.lastCorrupt = null;
    this.dirty = false;
    this.urgent = false;
    this.lastWrite = -Infinity;
    this.saving = null;
    this.saveAgain = false;
  }

  get store() {
    return 'kv';
  }

  async prepare(inv) {
    if (inv.loaded.has(this)) return;
    inv.loaded.add(this);
    await this.load();
    this.observeView(inv);
    if (this.dirty) this.scheduleSave(inv); // a change an earlier invocation held back
  }

  async load() {
    let text;
    try {
      text = await this.namespace.get(this.key, 'text');
      this.counters.loads++;
    } catch (error) {
      this.failure('KV read failed', error);
      return;
    }
    this.absorb(text);
  }

  // Merges a value read from KV into the copy, unless the copy already holds it. When the merged
  // copy holds more than the value (this isolate's save raced another isolate's and lost: KV has no
  // compare-and-set, the later write wins), the copy is dirty again, so this invocation writes the
  // union back: concurrent isolates converge at their next use.
  absorb(text) {
    if (text === null || text === this.lastSeen || text === this.lastCorrupt) return;
    const now = Date.now();
    try {
      this.view.merge(text, now);
      this.lastSeen = text;
    } catch (error) {
      this.lastCorrupt = text; // counted once, however often it is read again
      this.failure('the stored state is not valid (ignored; the next save replaces it)', error, 'corrupt');
      return;
    }
    if (!this.dirty && this.view.serialize(now) !== this.canonical(text, now)) {
      this.dirty = true;
      if (this.kind === 'registry') this.urgent = true;
    }
  }

  // The value as this build serializes it at `now` (expired marks and old window entries dropped),
  // so it compares with the copy's own serialization.
  canonical(text, now) {
    const scratch = new CoreObject(this.kind, this.policy);
    try {
      scratch.deserialize(text, now);
      return scratch.serialize(now);
    } finally {
      scratch.destroy();
    }
  }

  changed(inv, op, result) {
    this.dirty = true;
    if (isUrgent(this.kind, op, result)) this.urgent = true;
    this.scheduleSave(inv);
  }

  scheduleSave(inv) {
    if (inv.saveScheduled?.has(this)) return;
    (inv.saveScheduled ??= new Set()).add(this);
    // After the current call's synchronous work, so the changes of one call are saved together.
    inv.ctx.waitUntil(Promise.resolve().then(() => this.save()));
  }

  // One save at a time per isolate; a change made while one runs is saved right after it.
  save() {
    if (this.saving) {
      this.saveAgain = true;
      return this.saving;
    }
    this.saving = (async () => {
      do {
        this.saveAgain = false;
        await this.saveOnce();
      } while (this.saveAgain);
    })().finally(() => {
      this.saving = null;
    });
    return this.saving;
  }

  async saveOnce() {
    if (!this.dirty) return;
    if (!this.urgent && Date.now() - this.lastWrite < this.minWriteIntervalMs) return; // stays dirty: a later invocation writes it
    const urgent = this.urgent;
    this.dirty = false;
    this.urgent = false;
    try {
      this.absorb(await this.namespace.get(this.key, 'text'));
      const text = this.view.serialize(Date.now());
      await this.namespace.put(this.key, text);
      this.lastSeen = text;
      this.lastWrite = Date.now();
      this.counters.saves++;
    } catch (error) {
      this.dirty = true; // the next invocation's save tries again
      this.urgent ||= urgent;
      this.failure('KV write failed', error);
    }
  }
}
