// The offline buffer in Workers KV: one key per entry (`<prefix><entry key>`), the entry bytes as
// the value, `{ v: 1, c, b, a }` as metadata (js/storage/kv-metadata.js) so list() alone gives
// the policy everything it plans on.
//
// KV has no transactions and no compare-and-set, so every operation is list, then plan, then
// delete/put, and concurrent writers race (Workers KV docs, "How KV works": writes are last-write-
// wins and list() may lag writes by up to 60 s at the edge). What holds:
// - Bound: with W writers appending one entry per call, the count stays <= maxEntries + W - 1 once
//   list() has caught up. Why: take the append X whose list() came last among those whose put()
//   is done. X's plan left its listing at <= maxEntries with its own entry (deletes are awaited
//   before the put); only puts of appends that listed before X and wrote after it are unseen, at
//   most one per other writer. Writers that list together evict the same oldest key and each add
//   theirs; the next append evicts the whole excess (planStore evicts down to the cap in one
//   step), so the overshoot heals instead of growing. With k entries per call: + (W - 1) * k.
//   tests/workerd/buffer-stores.test.js measures this bound under Miniflare, whose KV is strongly
//   consistent; at the edge, list() lag can add the entries written in the last minute on top.
// - The same race makes writers that planned on the same listing all report the key they evicted
//   together (KV delete() does not say whether the key was still there): with W writers one
//   eviction is reported at most W times. Counts of evicted entries from KV are an upper bound.
// - Two concurrent take() calls may hand out the same entry (there is no lease): it is then sent
//   twice with the same Idempotency-Key (the payload's batchId), which the collector can de-dup.
// - An entry deleted by someone else between list() and get() is skipped and counted (vanished).
// Per-entry KV failures never abort an operation: they are returned in `failures`.
//
// The namespace may be shared (README "When the collector is down": the resilience and alert state
// live under 'edgescope:<kind>:<name>', and other apps may use it too), and list() by prefix also
// returns keys that merely start with the prefix. The store owns only the keys it writes,
// `<prefix><entry key>` with the entry key's exact shape (js/buffering/entry-key.js: 15 digits,
// '-', 32 lowercase hex); every other key under the prefix is someone else's and is neither
// deleted, reported as corrupt, nor counted as an entry. Because the shape has a fixed length,
// another buffer whose prefix extends this one ('edgescope' and 'edgescope-2') never looks like
// ours either. An entry-shaped key with unreadable metadata or value is ours, damaged: removed and
// reported as corrupt. The key format is unchanged (no separator is added to the prefix), so
// entries written by earlier versions stay readable.
import { afterAttempt, planReplay, planStore } from '../core/buffer-core.js';
import { ENTRY_KEY_LENGTH, isEntryKey } from '../buffering/entry-key.js';
import { summarize } from './buffer-status.js';
import { DROP_REASONS, byKey, checkEntries, checkLimits, checkNow, checkOptions, checkOutcomes } from './buffer-input.js';
import { fromMetadata, toMetadata } from './kv-metadata.js';
import { BufferStoreError, describeError } from './store-errors.js';

// Workers KV limits: values up to 25 MiB, keys up to 512 bytes, expirationTtl at least 60 s.
const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
const KV_MAX_KEY_BYTES = 512;
const KV_MIN_TTL_S = 60;
// KV's TTL is only the garbage collector for a namespace nobody takes from any more; expiry is
// decided (and counted) by take(). The day of grace keeps KV from deleting an expired entry
// uncounted before the next take sees it.
const TTL_GRACE_S = 86_400;
// At most six KV calls in flight: a Worker invocation has six simultaneous connections and KV
// calls count toward them (Workers limits, "Simultaneous open connections").
const PARALLEL = 6;

export function kv(namespace, options) {
  for (const method of ['get', 'getWithMetadata', 'put', 'delete', 'list']) {
    if (typeof namespace?.[method] !== 'function') {
      throw new TypeError(`edgescope buffer: stores.kv(namespace) needs a KV namespace binding (${method}() is missing); declare it under kv_namespaces in wrangler config`);
    }
  }
  const { prefix = 'edgescope-buffer/' } = checkOptions(options, ['prefix'], 'stores.kv()');
  if (typeof prefix !== 'string' || prefix === '' || new TextEncoder().encode(prefix).length + ENTRY_KEY_LENGTH > KV_MAX_KEY_BYTES) {
    throw new TypeError(`edgescope buffer: stores.kv(): options.prefix must be a non-empty string of at most ${KV_MAX_KEY_BYTES - ENTRY_KEY_LENGTH} bytes (got ${JSON.stringify(prefix)})`);
  }
  const name = (key) => prefix + key;

  // This store's entries under the prefix with their metadata, oldest first; entry-shaped keys
  // with unreadable metadata in `corrupt`. Keys not in the entry shape are not ours: skipped.
  async function listAll(op) {
    const rows = [];
    const corrupt = [];
    let cursor;
    do {
      let page;
      try {
        page = await namespace.list(cursor ? { prefix, cursor } : { prefix });
      } catch (error) {
        throw new BufferStoreError('kv', op, `list() failed: ${describeError(error)}`, { cause: error });
      }
      for (const { name: full, metadata } of page.keys) {
        const key = full.slice(prefix.length);
        if (!isEntryKey(key)) continue; // another writer's key that shares the prefix
        const read = fromMetadata(metadata);
        if (read.error) corrupt.push({ key, error: `entry ${key}: ${read.error}` });
        else rows.push({ key, meta: read.meta });
      }
      if (!page.list_complete && !page.cursor) {
        throw new BufferStoreError('kv', op, 'list() said the listing is incomplete but gave no cursor');
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    rows.sort(byKey);
    return { rows, corrupt };
  }

  // Deletes each key; returns the keys deleted and the failures (each reported, none aborts).
  async function removeAll(keys, why) {
    const removed = [];
    const failures = [];
    await eachLimited(keys, async (key) => {
      try {
        await namespace.delete(name(key));
        removed.push(key);
      } catch (error) {
        failures.push({ key, error: `deleting ${why}: ${describeError(error)}` });
      }
    });
    return { removed: new Set(removed), failures };
  }

  const ttl = (meta, limits, now) =>
    Math.max(KV_MIN_TTL_S, Math.ceil((meta.created + limits.maxAgeMs - now) / 1000)) + TTL_GRACE_S;

  return {
    kind: 'kv',

    async append(entries, limits) {
      const checked = checkEntries(entries, 'kv append');
      const lim = checkLimits(limits, 'kv append');
      if (checked.length === 0) return { stored: [], evicted: [], refused: [], corrupt: [], failures: [] };
      const { rows, corrupt } = await listAll('append');
      const present = new Set(rows.map((r) => r.key));
      const stored = [];
      const refused = [];
      const fresh = [];
      for (const entry of checked) {
        if (present.has(entry.key)) stored.push(entry.key); // a retried append: kept once
        else if (entry.value.byteLength > KV_MAX_VALUE_BYTES) refused.push(entry.key);
        else fresh.push(entry);
      }
      fresh.sort(byKey);
      const plan = planStore(
        rows.map((r) => r.meta),
        fresh.map((e) => ({ created: e.meta.created, bytes: e.meta.bytes })),
        lim,
      );
      // Evict before writing, so a concurrent lister sees the smaller set rather than the larger.
      const evictKeys = plan.evict.map((i) => rows[i].key);
      const gone = await removeAll([...corrupt.map((c) => c.key), ...evictKeys], 'for the cap');
      const failures = [...gone.failures];
      const refusedAt = new Set(plan.refuse);
      const now = Date.now();
      await eachLimited(fresh.map((entry, i) => ({ entry, i })), async ({ entry, i }) => {
        if (refusedAt.has(i)) return refused.push(entry.key);
        try {
          await namespace.put(name(entry.key), entry.value, { metadata: toMetadata(entry.meta), expirationTtl: ttl(entry.meta, lim, now) });
          stored.push(entry.key);
        } catch (error) {
          failures.push({ key: entry.key, error: `writing: ${describeError(error)}` });
        }
      });
      // The size this writer can see after its own writes (others may be writing too).
      const freshStored = new Set(stored);
      const remaining = rows.filter((r) => !gone.removed.has(r.key));
      const added = fresh.filter((e) => freshStored.has(e.key));
      const size = {
        entries: remaining.length + added.length,
        bytes: remaining.reduce((n, r) => n + r.meta.bytes, 0) + added.reduce((n, e) => n + e.meta.bytes, 0),
      };
      return {
        stored,
        evicted: evictKeys.filter((k) => gone.removed.has(k)),
        refused,
        corrupt: corrupt.filter((c) => gone.removed.has(c.key)),
        failures,
        size,
      };
    },

    async take(limits, now) {
      const lim = checkLimits(limits, 'kv take');
      checkNow(now, 'kv take');
      const { rows, corrupt } = await listAll('take');
      const plan = planReplay(rows.map((r) => r.meta), now, lim);
      const entries = [];
      const failures = [];
      let vanished = 0;
      await eachLimited(plan.replay.map((i) => rows[i]), async (row) => {
        let value;
        try {
          value = await namespace.get(name(row.key), 'arrayBuffer');
        } catch (error) {
          failures.push({ key: row.key, error: `reading: ${describeError(error)}` }); // left for the next take
          return;
        }
        if (value === null) vanished++; // taken and delivered, or evicted, by another writer since list()
        else if (!(value instanceof ArrayBuffer)) corrupt.push({ key: row.key, error: `entry ${row.key}: its value is not bytes` });
        else if (value.byteLength !== row.meta.bytes) {
          corrupt.push({ key: row.key, error: `entry ${row.key}: its value holds ${value.byteLength} bytes but its metadata says ${row.meta.bytes}` });
        } else entries.push({ key: row.key, meta: row.meta, value: new Uint8Array(value) });
      });
      entries.sort(byKey); // oldest first, whatever order the reads finished in
      const expiredKeys = plan.expired.map((i) => rows[i].key);
      const exhaustedKeys = plan.exhausted.map((i) => rows[i].key);
      const gone = await removeAll([...expiredKeys, ...exhaustedKeys, ...corrupt.map((c) => c.key)], 'an entry that is dropped');
      const remaining = rows.filter((r) => !gone.removed.has(r.key));
      return {
        size: { entries: remaining.length, bytes: remaining.reduce((n, r) => n + r.meta.bytes, 0) },
        entries,
        expired: expiredKeys.filter((k) => gone.removed.has(k)),
        exhausted: exhaustedKeys.filter((k) => gone.removed.has(k)),
        corrupt: corrupt.filter((c) => gone.removed.has(c.key)),
        vanished,
        failures: [...failures, ...gone.failures],
      };
    },

    async settle(outcomes, limits, now) {
      const checked = checkOutcomes(outcomes, 'kv settle');
      const lim = checkLimits(limits, 'kv settle');
      checkNow(now, 'kv settle');
      const result = { deleted: [], kept: [], dropped: [], vanished: 0, failures: [] };
      const drop = async (key, reason) => {
        try {
          await namespace.delete(name(key));
          result.dropped.push({ key, reason });
        } catch (error) {
          result.failures.push({ key, error: `deleting a ${reason} entry: ${describeError(error)}` });
        }
      };
      await eachLimited(checked, async ({ key, delivered, attempted }) => {
        try {
          if (attempted === false) {
            result.kept.push(key); // KV has no lease to release; the attempts count stays
            return;
          }
          if (delivered) {
            await namespace.delete(name(key));
            result.deleted.push(key);
            return;
          }
          // Read back value and metadata: KV updates metadata only by writing the value again,
          // and the stored attempts count is the one that counts.
          const found = await namespace.getWithMetadata(name(key), 'arrayBuffer');
          if (found.value === null) {
            result.vanished++;
            return;
          }
          const read = fromMetadata(found.metadata);
          if (read.error) return await drop(key, 'corrupt');
          const decision = afterAttempt(read.meta, false, now, lim);
          if (decision === 'keep') {
            const meta = { ...read.meta, attempts: read.meta.attempts + 1 };
            await namespace.put(name(key), found.value, { metadata: toMetadata(meta), expirationTtl: ttl(meta, lim, now) });
            result.kept.push(key);
          } else if (DROP_REASONS[decision]) await drop(key, DROP_REASONS[decision]);
          else result.failures.push({ key, error: `afterAttempt returned ${String(decision)}` });
        } catch (error) {
          result.failures.push({ key, error: `settling: ${describeError(error)}` });
        }
      });
      return result;
    },

    async status(limits) {
      const lim = checkLimits(limits, 'kv status');
      const { rows } = await listAll('status');
      return summarize(rows.map((r) => r.meta), lim);
    },

    // Continues past failures; `removed` counts the deletes that succeeded.
    async clear() {
      const { rows, corrupt } = await listAll('clear');
      const gone = await removeAll([...rows.map((r) => r.key), ...corrupt.map((c) => c.key)], 'to clear');
      return { removed: gone.removed.size, failures: gone.failures };
    },
  };
}

// Runs fn over items with at most PARALLEL calls in flight.
async function eachLimited(items, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}
