// The `buffer` feature of EdgescopeState (js/storage/state-object.js): the offline buffer as one
// SQLite table in the Durable Object. Every op runs inside ctx.storage.transactionSync, and a
// Durable Object runs one request at a time to the end when it does not await (input gates), so
// each op sees and leaves a consistent table: 4 writers x 800 appends into a cap of 200 never
// leave more than 200 rows, and an entry handed out by take() is leased so a concurrent take()
// skips it until settle() or the lease's end.
import { afterAttempt, planReplay, planStore } from '../core/buffer-core.js';
import { isEntryKey } from '../buffering/entry-key.js';
import { DROP_REASONS, byKey, checkEntries, checkKeys, checkLeaseMs, checkLimits, checkNow, checkOutcomes, isPlainObject } from './buffer-input.js';

// Durable Object SQLite limits: a string, BLOB or row is at most 2 MB, so an entry's value is
// capped below that with room for the key and numbers.
export const MAX_ENTRY_VALUE_BYTES = 1_900_000;
// One request carries at most this many value bytes and items, and one take() returns at most
// this many value bytes: well inside the 32 MiB a Workers RPC message may hold, and small enough
// that one transaction stays short (a Durable Object serves one request at a time).
export const MAX_REQUEST_VALUE_BYTES = 8 * 1024 * 1024;
export const MAX_REQUEST_ITEMS = 1000;
export const MAX_TAKE_VALUE_BYTES = 8 * 1024 * 1024;

const TABLE = 'edgescope_buffer';

function parseArgs(args, known, where) {
  if (!isPlainObject(args)) throw new TypeError(`edgescope state: ${where}: args must be an object with ${known.join(', ') || 'no fields'}`);
  checkKeys(args, known, where, 'args');
  return args;
}

// A row as written by this table; anything else (hand edits, a bug) is corrupt.
function readRow(row) {
  const { key, created, bytes, attempts } = row;
  if (!isEntryKey(key)) return { error: `row key ${JSON.stringify(String(key)).slice(0, 80)} is not an entry key` };
  if (typeof created !== 'number' || !Number.isFinite(created) || created < 0) return { key, error: `entry ${key}: created is not a time` };
  if (!Number.isSafeInteger(bytes) || bytes < 0) return { key, error: `entry ${key}: bytes is not a byte count` };
  if (!Number.isSafeInteger(attempts) || attempts < 0) return { key, error: `entry ${key}: attempts is not a count` };
  return { key, meta: { created, bytes, attempts }, leaseUntil: row.lease_until };
}

function allRows(sql) {
  const good = [];
  const corrupt = [];
  for (const row of sql.exec(`SELECT key, created, bytes, attempts, lease_until FROM ${TABLE} ORDER BY key`)) {
    const read = readRow(row);
    if (read.error) corrupt.push({ key: String(row.key), error: read.error });
    else good.push(read);
  }
  return { good, corrupt };
}

const remove = (sql, key) => sql.exec(`DELETE FROM ${TABLE} WHERE key = ?`, key);

const append = {
  parse(args) {
    const where = 'buffer.append';
    parseArgs(args, ['entries', 'limits'], where);
    return {
      entries: checkEntries(args.entries, where, {
        strict: true,
        maxItems: MAX_REQUEST_ITEMS,
        maxValueBytes: MAX_ENTRY_VALUE_BYTES,
        maxTotalBytes: MAX_REQUEST_VALUE_BYTES,
      }),
      limits: checkLimits(args.limits, where, { strict: true }),
    };
  },
  run(sql, { entries, limits }) {
    const { good, corrupt } = allRows(sql);
    for (const c of corrupt) remove(sql, c.key);
    const present = new Set(good.map((r) => r.key));
    const stored = [];
    const fresh = [];
    for (const entry of entries) {
      if (present.has(entry.key)) stored.push(entry.key); // a retried request that had been applied: kept once
      else fresh.push(entry);
    }
    fresh.sort(byKey);
    const plan = planStore(
      good.map((r) => r.meta),
      fresh.map((e) => ({ created: e.meta.created, bytes: e.meta.bytes })),
      limits,
    );
    const evicted = plan.evict.map((i) => good[i].key);
    for (const key of evicted) remove(sql, key);
    const refusedAt = new Set(plan.refuse);
    const refused = [];
    fresh.forEach((entry, i) => {
      if (refusedAt.has(i)) return refused.push(entry.key);
      const { created, bytes, attempts } = entry.meta;
      sql.exec(`INSERT INTO ${TABLE} (key, created, bytes, attempts, lease_until, value) VALUES (?, ?, ?, ?, 0, ?)`, entry.key, created, bytes, attempts, entry.value);
      stored.push(entry.key);
    });
    return { stored, evicted, refused, corrupt, failures: [], size: sizeOf(sql) };
  },
};

// The buffer's size after an operation, for its gauges (edgescope.buffer.entries / .bytes).
function sizeOf(sql) {
  const row = sql.exec(`SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes FROM ${TABLE}`).one();
  return { entries: row.entries, bytes: row.bytes };
}

const take = {
  parse(args) {
    const where = 'buffer.take';
    parseArgs(args, ['limits', 'now', 'leaseMs'], where);
    return { limits: checkLimits(args.limits, where, { strict: true }), now: checkNow(args.now, where), leaseMs: checkLeaseMs(args.leaseMs, where) };
  },
  run(sql, { limits, now, leaseMs }) {
    const { good, corrupt } = allRows(sql);
    const free = good.filter((r) => !(r.leaseUntil > now)); // leased entries are in flight elsewhere
    const plan = planReplay(free.map((r) => r.meta), now, limits);
    const expired = plan.expired.map((i) => free[i].key);
    const exhausted = plan.exhausted.map((i) => free[i].key);
    for (const key of [...expired, ...exhausted]) remove(sql, key);
    const entries = [];
    let total = 0;
    for (const i of plan.replay) {
      const { key, meta } = free[i];
      const { value } = sql.exec(`SELECT value FROM ${TABLE} WHERE key = ?`, key).one();
      if (!(value instanceof ArrayBuffer) || value.byteLength !== meta.bytes) {
        corrupt.push({ key, error: `entry ${key}: its value is not ${meta.bytes} bytes` });
        continue;
      }
      // The rest stays unleased for the next take: the reply must fit one RPC message.
      if (entries.length > 0 && total + value.byteLength > MAX_TAKE_VALUE_BYTES) break;
      total += value.byteLength;
      sql.exec(`UPDATE ${TABLE} SET lease_until = ? WHERE key = ?`, now + leaseMs, key);
      entries.push({ key, meta, value: new Uint8Array(value) });
    }
    for (const c of corrupt) remove(sql, c.key);
    return { entries, expired, exhausted, corrupt, vanished: 0, failures: [], size: sizeOf(sql) };
  },
};

const settle = {
  parse(args) {
    const where = 'buffer.settle';
    parseArgs(args, ['outcomes', 'limits', 'now'], where);
    return {
      outcomes: checkOutcomes(args.outcomes, where, { strict: true, maxItems: MAX_REQUEST_ITEMS }),
      limits: checkLimits(args.limits, where, { strict: true }),
      now: checkNow(args.now, where),
    };
  },
  run(sql, { outcomes, limits, now }) {
    const result = { deleted: [], kept: [], dropped: [], vanished: 0, failures: [] };
    for (const { key, delivered, attempted } of outcomes) {
      const row = sql.exec(`SELECT key, created, bytes, attempts, lease_until FROM ${TABLE} WHERE key = ?`, key).toArray()[0];
      if (!row) {
        result.vanished++; // evicted, expired or settled by another flush since it was taken
        continue;
      }
      if (attempted === false) {
        sql.exec(`UPDATE ${TABLE} SET lease_until = 0 WHERE key = ?`, key);
        result.kept.push(key);
        continue;
      }
      const read = readRow(row);
      if (read.error) {
        remove(sql, key);
        result.dropped.push({ key, reason: 'corrupt' });
        continue;
      }
      const decision = afterAttempt(read.meta, delivered, now, limits);
      if (decision === 'keep') {
        sql.exec(`UPDATE ${TABLE} SET attempts = attempts + 1, lease_until = 0 WHERE key = ?`, key);
        result.kept.push(key);
      } else if (decision === 'delete') {
        remove(sql, key);
        result.deleted.push(key);
      } else if (DROP_REASONS[decision]) {
        remove(sql, key);
        result.dropped.push({ key, reason: DROP_REASONS[decision] });
      } else {
        // Throwing rolls the whole transaction back: nothing of this settle is applied.
        throw new Error(`edgescope state: buffer.settle: afterAttempt returned ${JSON.stringify(decision)}`);
      }
    }
    return result;
  },
};

const status = {
  parse(args) {
    parseArgs(args, ['limits'], 'buffer.status');
    return { limits: checkLimits(args.limits, 'buffer.status', { strict: true }) };
  },
  run(sql, { limits }) {
    const row = sql.exec(`SELECT COUNT(*) AS entries, COALESCE(SUM(bytes), 0) AS bytes, MIN(created) AS oldest, MAX(created) AS newest FROM ${TABLE}`).one();
    return { entries: row.entries, bytes: row.bytes, oldest: row.oldest ?? null, newest: row.newest ?? null, cap: limits.maxEntries };
  },
};

const clear = {
  parse(args) {
    parseArgs(args, [], 'buffer.clear');
    return {};
  },
  run(sql) {
    const { entries } = sql.exec(`SELECT COUNT(*) AS entries FROM ${TABLE}`).one();
    sql.exec(`DELETE FROM ${TABLE}`);
    return { removed: entries, failures: [] };
  },
};

export const bufferTable = Object.freeze({
  // Bumped with a new step in migrate() whenever the table changes; an object holding a newer
  // version refuses older code (js/storage/state-object.js) instead of misreading rows.
  version: 1,
  migrate(sql, from) {
    if (from < 1) {
      // A rowid table, not WITHOUT ROWID: rows hold BLOBs up to ~2 MB, which SQLite advises
      // against keeping in a WITHOUT ROWID b-tree.
      sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
        key TEXT NOT NULL PRIMARY KEY,
        created REAL NOT NULL,
        bytes INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        lease_until REAL NOT NULL DEFAULT 0,
        value BLOB NOT NULL
      )`);
    }
  },
  ops: Object.freeze({ append, take, settle, status, clear }),
});
