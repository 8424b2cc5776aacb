// The offline buffer: payloads an exporter could not deliver wait in a store (memory, KV or the
// package's Durable Object) and later invocations replay them inside their own ctx.waitUntil,
// oldest first, within a per-invocation bound, before their own export. The core decides the
// policy (js/core/buffer-core.js: eviction, replay order, attempts, expiry); the store does the
// I/O (js/storage/); this file moves payloads between exporters and the store and counts.
//
// Order: while a backlog remains after this invocation's replay (the bound was reached or the
// collector still fails), the invocation's own payloads go to the back of the buffer instead of
// ahead of it, so a series' points reach the collector in the order they were produced.
// Exactly once: every payload carries a batch id (Idempotency-Key); a replay after an ambiguous
// failure (accepted, then the connection died) is de-duplicated by the collector on it.
import { BufferEntryError, decodeEntry, encodeEntry } from '../core/buffer-core.js';
import { newEntryKey } from './entry-key.js';
import { readResult } from '../export-outcome.js';
import { exporterIds } from './exporter-ids.js';
import { collectorUnavailable, notSentThisTime, ProbeBackoff } from './probe-backoff.js';
import { withSubrequestShare } from './subrequest-share.js';
import { memory } from '../storage/memory-store.js';

// After a take() found the store empty, this isolate does not look again for this long unless it
// stored something itself: an empty shared store is then not read on every request (a KV list or
// a Durable Object call each time). Entries other isolates store are picked up within it.
const EMPTY_RECHECK_MS = 10000;

export class OfflineBuffer {
  constructor({ store, limits, replayMaxSubrequests }, exporters) {
    // null: the default in-memory store, this buffer's own, made on first use (buffer-config.js).
    // Until it exists it holds nothing, so there is nothing to replay.
    this.ownStore = store;
    this.limits = limits;
    this.replayMaxSubrequests = replayMaxSubrequests;
    this.exporters = exporters;
    this.ids = exporterIds(exporters);
    this.emptySince = null;
    this.probe = new ProbeBackoff();
    this.lastBlocked = new Set();
    this.counters = {
      stored: 0,
      storedRecords: 0,
      evicted: 0,
      refused: 0,
      refusedRecords: 0,
      replayed: 0,
      replayedRecords: 0,
      replayFailed: 0,
      rejectedRecords: 0,
      expired: 0,
      exhausted: 0,
      corrupt: 0,
      vanished: 0,
      unknownExporter: 0,
      storeErrors: 0,
      // Payloads the store did not write (KV put() 429 / daily limit): lost.
      unwritten: 0,
    };
    this.lastStatus = { entries: null, bytes: null };
  }

  get store() {
    this.ownStore ??= memory();
    return this.ownStore;
  }

  get kind() {
    if (this.ownStore === null) return 'memory';
    return String(this.ownStore.kind ?? 'store');
  }

  // Puts undelivered payloads in the store. items: [{ exporter: index, payload, created?, attempts? }].
  // Resolves to { keptRecords, lostRecords }; never rejects (a store failure is counted and logged).
  async keep(items, now = Date.now()) {
    if (items.length === 0) return { keptRecords: 0, lostRecords: 0 };
    const entries = [];
    let lostRecords = 0;
    for (const item of items) {
      const exporter = this.exporters[item.exporter];
      const created = item.created ?? now;
      try {
        const value = encodeEntry({
          created,
          format: exporter.format,
          signal: item.payload.signal,
          records: item.payload.records,
          batchId: item.payload.batchId,
          exporter: this.ids[item.exporter],
          body: item.payload.body,
        });
        entries.push({ key: newEntryKey(created), meta: { created, bytes: value.length, attempts: item.attempts ?? 0 }, value, records: item.payload.records });
      } catch (error) {
        lostRecords += item.payload.records;
        this.counters.refused++;
        this.counters.refusedRecords += item.payload.records;
        console.error(`[edgescope] offline buffer: payload of ${item.payload.records} record(s) cannot be stored: ${messageOf(error)}`);
      }
    }
    if (entries.length === 0) return { keptRecords: 0, lostRecords };
    let result;
    try {
      result = await this.store.append(
        entries.map(({ key, meta, value }) => ({ key, meta, value })),
        this.limits,
      );
    } catch (error) {
      const records = sum(entries);
      this.counters.storeErrors++;
      this.counters.unwritten += entries.length;
      console.error(`[edgescope] offline buffer (${this.kind}) could not store ${entries.length} payload(s), ${records} record(s) lost: ${messageOf(error)}`);
      return { keptRecords: 0, lostRecords: lostRecords + records };
    }
    this.noteCounts(result);
    this.noteFailures(result, 'store (lost)');
    this.counters.corrupt += result.corrupt?.length ?? 0;
    this.emptySince = null;
    // Only what the store reports stored is kept; a failed write is lost.
    const stored = new Set(result.stored);
    const refused = new Set(result.refused);
    const evicted = result.evicted ?? [];
    const refusedEntries = entries.filter((e) => refused.has(e.key));
    const kept = entries.filter((e) => stored.has(e.key));
    const unwritten = entries.filter((e) => !stored.has(e.key) && !refused.has(e.key));
    this.counters.stored += kept.length;
    this.counters.storedRecords += sum(kept);
    this.counters.unwritten += unwritten.length;
    lostRecords += sum(unwritten);
    if (refusedEntries.length > 0) {
      this.counters.refused += refusedEntries.length;
      this.counters.refusedRecords += sum(refusedEntries);
      lostRecords += sum(refusedEntries);
      console.error(
        `[edgescope] offline buffer (${this.kind}) refused ${refusedEntries.length} payload(s), ${sum(refusedEntries)} record(s) lost: ` +
          `over its bounds (maxEntries ${this.limits.maxEntries}, maxBytes ${this.limits.maxBytes})`,
      );
    }
    if (evicted.length > 0) {
      this.counters.evicted += evicted.length;
      console.error(`[edgescope] offline buffer (${this.kind}) full: evicted the ${evicted.length} oldest payload(s) to stay within maxEntries ${this.limits.maxEntries} / maxBytes ${this.limits.maxBytes}`);
    }
    return { keptRecords: sum(kept), lostRecords };
  }

  // The automatic replay at the start of an invocation's export: at most replay.maxEntries
  // entries and replay.maxSubrequests of the flush's subrequests, oldest first, one at a time (so
  // order holds). An exporter whose entry still fails is not tried again in this replay (its
  // collector is still down); other exporters' entries go on. Resolves to { blocked: Set of
  // exporter indices } that still have a backlog, so the caller puts their own payloads behind
  // it; an exporter without one sends as usual. Never rejects.
  async replayBacklog(context, now = Date.now()) {
    const { blocked } = await this.replayOnce(context, now);
    this.lastBlocked = new Set(blocked);
    return { blocked };
  }

  // The exporters a flush that does not replay (the second flush of an invocation) must hold
  // back: those still backing off, else those the last replay left with a backlog. Sending them
  // would put payloads ahead of the backlog, or send to a collector known to be down.
  heldBack(now = Date.now()) {
    if (this.probe.waiting(now)) return new Set(this.probe.blocked);
    return new Set(this.lastBlocked);
  }

  async replayOnce(context, now) {
    const blocked = new Set();
    if (this.limits.replayMaxEntries === 0 || this.replayMaxSubrequests === 0) return { blocked };
    if (this.emptySince !== null && now - this.emptySince < EMPTY_RECHECK_MS) return { blocked };
    if (this.probe.waiting(now)) return { blocked: new Set(this.probe.blocked) };
    if (this.ownStore === null) return { blocked };
    const taken = await this.take(this.limits.replayMaxEntries, now);
    if (taken === null) return { blocked }; // the store failed: logged; export as usual
    // Entries another isolate took between this one's list and read (KV has no lease) still
    // count: the backlog is not known to be drained.
    const vanished = taken.vanished ?? 0;
    // Entries the store holds beyond this take (NaN when it does not say: counted as some). With
    // the bound reached they may be this exporter's; with room to spare, another replay leases
    // them. None left: the backlog is drained and this flush sends its own payloads.
    const left = taken.size?.entries - taken.entries.length;
    const full = !(left <= 0) && taken.entries.length + vanished >= this.limits.replayMaxEntries;
    let held = vanished > 0 || (!full && left > 0);
    if (taken.entries.length === 0 && !held) {
      this.emptySince = now;
      return { blocked };
    }
    const replayContext = withSubrequestShare(context, this.replayMaxSubrequests);
    const outcomes = [];
    const remainders = [];
    let unavailable = false;
    for (const entry of taken.entries) {
      const opened = this.open(entry);
      if (opened.outcome) {
        outcomes.push(opened.outcome);
        continue;
      }
      // The bound was reached: entries past this batch may belong to this exporter too.
      if (full) blocked.add(opened.index);
      if (blocked.has(opened.index) && !full) {
        outcomes.push({ key: entry.key, delivered: false, attempted: false });
        continue;
      }
      if (leaseEnding(this.store, now)) {
        held = true;
        break;
      }
      const sent = await this.sendOpened(entry, opened, replayContext);
      outcomes.push(sent.outcome);
      remainders.push(...sent.remainders);
      if (sent.unavailable) unavailable = true;
      if (!sent.outcome.delivered || sent.remainders.length > 0) {
        blocked.add(opened.index);
        // Out of subrequests or time: nothing more can be sent in this invocation.
        if (full || sent.notSent) break;
      }
    }
    this.probe.note(unavailable, blocked, now);
    // Another isolate is replaying entries of this backlog right now (or the lease cut this one
    // short): whose they are is unknown, so every exporter's payloads go behind it.
    if (held) this.exporters.forEach((_, i) => blocked.add(i));
    // Entries after a break were taken but not tried: released without counting an attempt.
    for (const entry of taken.entries.slice(outcomes.length)) outcomes.push({ key: entry.key, delivered: false, attempted: false });
    await this.settle(outcomes, now);
    if (remainders.length > 0) await this.keep(remainders, now);
    return { blocked };
  }

  // buffer.replay(): attempts every entry (up to maxEntries) at least once, then each failure up
  // to maxRetries more times; { total, succeeded, failed, failures: [{ id, error }] } (an entry
  // dropped unsent is a failure). A taken entry is ours only until its lease ends: past half of
  // it, the drain settles what it sent, releases the rest and takes again, so two replays never
  // send one entry; a take with nothing new (another replay holds it) ends the drain.
  async replay({ maxRetries = 0, maxEntries = this.limits.maxEntries, context } = {}) {
    const report = { total: 0, succeeded: 0, failed: 0, failures: [] };
    const failedHere = new Set(); // tried here, still stored
    let budget = Math.max(0, maxEntries);
    for (;;) {
      const takenAt = Date.now();
      const taken = await this.take(budget + failedHere.size, takenAt);
      if (taken === null) return { ...report, error: 'the store could not be read (see the log)' };
      const outcomes = [];
      const remainders = [];
      let cut = false;
      let fresh = 0;
      for (const entry of taken.entries) {
        if (failedHere.has(entry.key) || budget === 0 || cut || (cut = leaseEnding(this.store, takenAt))) {
          outcomes.push({ key: entry.key, delivered: false, attempted: false });
          continue;
        }
        fresh++;
        budget--;
        report.total++;
        let sent;
        for (let attempt = 0; attempt <= maxRetries; attempt++) {
          sent = await this.sendEntry(entry, context);
          if (sent.outcome.delivered) break;
        }
        outcomes.push(sent.outcome);
        remainders.push(...sent.remainders);
        if (sent.outcome.delivered && !sent.dropped) report.succeeded++;
        else {
          if (!sent.outcome.delivered) failedHere.add(entry.key);
          report.failed++;
          report.failures.push({ id: entry.key, error: sent.error });
        }
      }
      await this.settle(outcomes, takenAt);
      if (remainders.length > 0) await this.keep(remainders, takenAt);
      if (!cut || fresh === 0 || budget === 0) return report;
    }
  }

  async status() {
    const status = await this.store.status(this.limits);
    this.noteCounts(status);
    return status;
  }

  async clear() {
    const result = await this.store.clear();
    if (result.failures?.length) {
      console.error(`[edgescope] offline buffer (${this.kind}) clear(): ${result.failures.length} entr(ies) could not be removed; first: ${result.failures[0].error}`);
    }
    this.emptySince = null;
    return result;
  }

  stats() {
    return { kind: this.kind, ...this.counters, ...this.lastStatus };
  }

  // store.take() with its drops counted and logged; null when the store itself failed.
  async take(maxEntries, now) {
    let taken;
    try {
      taken = await this.store.take({ ...this.limits, replayMaxEntries: maxEntries }, now);
    } catch (error) {
      this.counters.storeErrors++;
      console.error(`[edgescope] offline buffer (${this.kind}) could not be read for replay: ${messageOf(error)}`);
      return null;
    }
    this.noteCounts(taken);
    this.noteFailures(taken, 'replay read');
    const expired = taken.expired ?? [];
    const exhausted = taken.exhausted ?? [];
    const corrupt = taken.corrupt ?? [];
    this.counters.expired += expired.length;
    this.counters.exhausted += exhausted.length;
    this.counters.corrupt += corrupt.length;
    this.counters.vanished += taken.vanished ?? 0;
    if (expired.length > 0) console.error(`[edgescope] offline buffer (${this.kind}): dropped ${expired.length} payload(s) older than maxAgeMs ${this.limits.maxAgeMs}`);
    if (exhausted.length > 0) console.error(`[edgescope] offline buffer (${this.kind}): dropped ${exhausted.length} payload(s) after ${this.limits.maxAttempts} attempts (maxAttempts)`);
    if (corrupt.length > 0) console.error(`[edgescope] offline buffer (${this.kind}): skipped and removed ${corrupt.length} corrupted entr(ies); first ${corrupt[0].key}: ${corrupt[0].error}`);
    return { ...taken, entries: taken.entries ?? [] };
  }

  // Reads an entry's envelope and finds its exporter: { index, payload }, or { outcome, dropped }
  // when the entry cannot be sent (corrupted, or its exporter is no longer configured): removed.
  open(entry) {
    let decoded;
    try {
      decoded = decodeEntry(entry.value);
    } catch (error) {
      if (!(error instanceof BufferEntryError)) throw error;
      this.counters.corrupt++;
      console.error(`[edgescope] offline buffer (${this.kind}): skipped and removed corrupted entry ${entry.key}: ${error.message}`);
      return { outcome: { key: entry.key, delivered: true }, dropped: true, error: error.message };
    }
    const index = this.ids.indexOf(decoded.exporter);
    if (index < 0) {
      this.counters.unknownExporter++;
      console.error(
        `[edgescope] offline buffer (${this.kind}): dropped a payload of ${decoded.records} record(s) for exporter "${decoded.exporter}", which is no longer configured`,
      );
      return { outcome: { key: entry.key, delivered: true }, dropped: true, error: 'exporter no longer configured' };
    }
    return { index, payload: { signal: decoded.signal, records: decoded.records, body: decoded.body, batchId: decoded.batchId } };
  }

  // One entry through its exporter: { outcome: { key, delivered }, remainders, error }.
  async sendEntry(entry, context) {
    const opened = this.open(entry);
    if (opened.outcome) return { ...opened, remainders: [] };
    return this.sendOpened(entry, opened, context);
  }

  async sendOpened(entry, { index, payload }, context) {
    let results;
    try {
      results = await this.exporters[index].send([payload], context);
    } catch (error) {
      results = [{ ok: false, cause: 'exporter', error: `exporter threw: ${messageOf(error)}` }];
    }
    const result = Array.isArray(results) ? results[0] : undefined;
    const read = readResult(payload, result);
    this.counters.rejectedRecords += read.droppedRecords;
    this.counters.replayedRecords += read.delivered;
    // The whole payload came back: the entry stays, one attempt more.
    const whole = read.retryLater.length === 1 && read.retryLater[0] === payload;
    if (whole) {
      this.counters.replayFailed++;
      const unavailable = collectorUnavailable(read, result);
      const notSent = notSentThisTime(read);
      const outcome = unavailable || notSent ? { key: entry.key, delivered: false, attempted: false } : { key: entry.key, delivered: false };
      return { outcome, remainders: [], error: read.error, unavailable, notSent };
    }
    // Delivered, dropped by the collector, or split (HTTP 413) and partly delivered: the entry is
    // done, and its undelivered parts go back with the entry's time (so they keep its place) and
    // one attempt more.
    this.counters.replayed++;
    const attempts = entry.meta.attempts + 1;
    const remainders = read.retryLater.map((part) => ({ exporter: index, payload: part, created: entry.meta.created, attempts }));
    return { outcome: { key: entry.key, delivered: true }, remainders, error: read.error };
  }

  async settle(outcomes, now) {
    if (outcomes.length === 0) return;
    let result;
    try {
      result = await this.store.settle(outcomes, this.limits, now);
    } catch (error) {
      this.counters.storeErrors++;
      console.error(`[edgescope] offline buffer (${this.kind}) could not record replay outcomes (entries may be replayed again; the collector de-duplicates on batch id): ${messageOf(error)}`);
      return;
    }
    this.noteFailures(result, 'replay outcome');
    this.counters.vanished += result.vanished ?? 0;
    const dropped = result.dropped ?? [];
    for (const { reason } of dropped) {
      if (reason === 'expired') this.counters.expired++;
      else if (reason === 'corrupt') this.counters.corrupt++;
      else this.counters.exhausted++;
    }
    if (dropped.length > 0) {
      console.error(`[edgescope] offline buffer (${this.kind}): dropped ${dropped.length} payload(s) after their last attempt (${dropped.map((d) => d.reason).join(', ')})`);
    }
  }

  // Per-entry failures a store reports (a KV read or delete that failed) without failing the call.
  noteFailures(result, what) {
    const failures = result?.failures ?? [];
    if (failures.length === 0) return;
    this.counters.storeErrors += failures.length;
    console.error(`[edgescope] offline buffer (${this.kind}) ${what}: ${failures.length} entr(ies) failed; first ${failures[0].key}: ${failures[0].error}`);
  }

  // The store's size after an operation: append/take report it as `size`, status() directly.
  noteCounts(result) {
    const size = result?.size ?? result;
    if (Number.isFinite(size?.entries)) this.lastStatus.entries = size.entries;
    if (Number.isFinite(size?.bytes)) this.lastStatus.bytes = size.bytes;
  }
}

// Half the store's lease on entries taken at `takenAt` is gone (KV has no lease).
function leaseEnding(store, takenAt) {
  return Number.isFinite(store.leaseMs) && Date.now() - takenAt >= store.leaseMs / 2;
}

function sum(entries) {
  return entries.reduce((n, e) => n + e.records, 0);
}

function messageOf(error) {
  return error?.message ?? String(error);
}
