// The offline buffer in the isolate's memory: survives between requests served by the same
// isolate, lost when the isolate is evicted (Workers recycle isolates at any time, and every
// isolate has its own). Each operation runs without an await between reading and writing, so
// concurrent requests in the isolate see it as atomic: the bounds hold exactly, and a taken entry
// is leased for `leaseMs` like the Durable Object's so a concurrent take does not hand it out again.
import { afterAttempt, planReplay, planStore } from '../core/buffer-core.js';
import { summarize } from './buffer-status.js';
import { DROP_REASONS, byKey, checkEntries, checkLeaseMs, checkLimits, checkNow, checkOptions, checkOutcomes } from './buffer-input.js';

export function memory(options) {
  const { leaseMs: requestedLease } = checkOptions(options, ['leaseMs'], 'stores.memory()');
  const leaseMs = checkLeaseMs(requestedLease, 'stores.memory()');
  const rows = new Map(); // key -> { meta: { created, bytes, attempts }, value, leaseUntil }

  // Oldest first: keys start with the zero-padded time (js/buffering/entry-key.js).
  const sortedKeys = () => [...rows.keys()].sort();
  // The buffer's size after an operation, for its gauges (edgescope.buffer.entries / .bytes).
  const size = () => {
    let bytes = 0;
    for (const row of rows.values()) bytes += row.meta.bytes;
    return { entries: rows.size, bytes };
  };

  return {
    kind: 'memory',
    leaseMs,

    async append(entries, limits) {
      const checked = checkEntries(entries, 'memory append');
      const lim = checkLimits(limits, 'memory append');
      const stored = [];
      const fresh = [];
      for (const entry of checked) {
        if (rows.has(entry.key)) stored.push(entry.key); // a retried append: the entry is kept once
        else fresh.push(entry);
      }
      fresh.sort(byKey);
      const keys = sortedKeys();
      const plan = planStore(
        keys.map((key) => rows.get(key).meta),
        fresh.map((e) => ({ created: e.meta.created, bytes: e.meta.bytes })),
        lim,
      );
      const evicted = plan.evict.map((i) => keys[i]);
      for (const key of evicted) rows.delete(key);
      const refusedAt = new Set(plan.refuse);
      const refused = [];
      fresh.forEach((entry, i) => {
        if (refusedAt.has(i)) return refused.push(entry.key);
        rows.set(entry.key, { meta: { ...entry.meta }, value: entry.value.slice(), leaseUntil: 0 });
        stored.push(entry.key);
      });
      return { stored, evicted, refused, corrupt: [], failures: [], size: size() };
    },

    async take(limits, now) {
      const lim = checkLimits(limits, 'memory take');
      checkNow(now, 'memory take');
      const free = sortedKeys().filter((key) => rows.get(key).leaseUntil <= now);
      const plan = planReplay(free.map((key) => rows.get(key).meta), now, lim);
      const expired = plan.expired.map((i) => free[i]);
      const exhausted = plan.exhausted.map((i) => free[i]);
      for (const key of [...expired, ...exhausted]) rows.delete(key);
      const entries = plan.replay.map((i) => {
        const row = rows.get(free[i]);
        row.leaseUntil = now + leaseMs;
        return { key: free[i], meta: { ...row.meta }, value: row.value.slice() };
      });
      return { entries, expired, exhausted, corrupt: [], vanished: 0, failures: [], size: size() };
    },

    async settle(outcomes, limits, now) {
      const checked = checkOutcomes(outcomes, 'memory settle');
      const lim = checkLimits(limits, 'memory settle');
      checkNow(now, 'memory settle');
      const result = { deleted: [], kept: [], dropped: [], vanished: 0, failures: [] };
      for (const { key, delivered, attempted } of checked) {
        const row = rows.get(key);
        if (!row) {
          result.vanished++; // evicted or dropped since it was taken
          continue;
        }
        if (attempted === false) {
          row.leaseUntil = 0;
          result.kept.push(key);
          continue;
        }
        const decision = afterAttempt(row.meta, delivered, now, lim);
        if (decision === 'keep') {
          row.meta = { ...row.meta, attempts: row.meta.attempts + 1 };
          row.leaseUntil = 0;
          result.kept.push(key);
        } else if (decision === 'delete') {
          rows.delete(key);
          result.deleted.push(key);
        } else if (DROP_REASONS[decision]) {
          rows.delete(key);
          result.dropped.push({ key, reason: DROP_REASONS[decision] });
        } else {
          throw new Error(`edgescope buffer (memory): afterAttempt returned ${String(decision)}`);
        }
      }
      return result;
    },

    async status(limits) {
      const lim = checkLimits(limits, 'memory status');
      return summarize([...rows.values()].map((row) => row.meta), lim);
    },

    async clear() {
      const removed = rows.size;
      rows.clear();
      return { removed, failures: [] };
    },
  };
}
