// The `alerts` feature of EdgescopeState (js/storage/state-object.js): alert de-duplication and
// occurrence counting for the whole fleet, in the Durable Object, the single writer. Each isolate
// makes ONE request per invocation that recorded errors (js/alerts/state-client.js), op `note`:
//   args { cooldownMs, items: [{ fingerprint, count, windowMs, channels, escalated }] }
//     count      occurrences of the fingerprint in this invocation
//     windowMs   0, or the window of the record's `repeated` rule: the object adds `count` to the
//                fingerprint's tally and answers the fleet-wide count within the last windowMs
//     channels   the channels the record's severity routes to
//     escalated  null, or { atLeast, channels }: when the fleet-wide count reaches atLeast, the
//                rule's severity applies, and so its channels (the caller's settle step escalates
//                the record by the same rule)
//   reply { at, evicted, items: [{ fingerprint, occurrences, channels: { name: { send, suppressed } } }] }
//     send        this channel's cooldown for this fingerprint has run out (or it never alerted):
//                 the caller sends now, and the cooldown restarts at `at`
//     suppressed  on send, the occurrences noted while the channel was cooling down since its last
//                 alert (carried in the alert); otherwise the running count, this one included
// A second op, `release`, is made when a delivery failed for a reason that may pass (no response,
// 429, 5xx; not a refusal of the request itself, js/exporters/classify.js):
//   args { items: [{ fingerprint, channel, at, count }] }
//   the send of `at` is undone: the channel may alert again at the next occurrence, and `count`
//   (what the lost alert carried: its suppressed count plus its own occurrences) is added back to
//   the suppressed count, so the next alert tells the whole story. A newer send is left alone.
// The same op releases every channel's send of a fingerprint the user resolved (alerts.resolve(),
// js/alerts/run.js), once the PagerDuty resolve was posted:
//   args { resolved: [fingerprint] } (with or without items): every channel's standing send of the
//   fingerprint is undone, its suppressed count kept, so its next occurrence alerts again (a new
//   incident); already released sends are left alone, so a repeated resolve is a no-op.
//   reply { released }: the sends undone, both kinds.
// One transactionSync, nothing awaits (state-object.js): concurrent requests from every isolate
// are applied one after another, so exactly one of them gets `send` per cooldown.
//
// The rules (cooldown, suppressed counts, window buckets) are alert-rules.js, shared with KV.
// Bounded: occurrence tallies are deleted once outside their window; send rows are deleted RETAIN_COOLDOWNS cooldowns after their last
// alert (the next occurrence would alert anyway; only a suppressed count older than that is lost)
// and capped at MAX_ROWS each, oldest first. Every deleted row with a suppressed count is counted
// in the reply's `evicted`.
import { describe } from '../config.js';
import { checkKeys, isPlainObject } from './buffer-input.js';
import { bucketOf, decideSend } from './alert-rules.js';

const COUNTS = 'edgescope_alert_counts';
const SENDS = 'edgescope_alert_sends';
export const MAX_NOTE_ITEMS = 100;
export const MAX_CHANNELS = 16;
export const MAX_FINGERPRINT = 256;
export const MAX_CHANNEL_NAME = 64;
export const MAX_COOLDOWN_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_ROWS = 10_000;
const RETAIN_COOLDOWNS = 2;

function fail(message) {
  return new TypeError(`edgescope state: alerts.note: ${message}`);
}

const isCount = (n, max) => Number.isSafeInteger(n) && n >= 0 && n <= max;

function checkChannels(list, where) {
  if (!Array.isArray(list) || list.length > MAX_CHANNELS) throw fail(`${where} must be an array of at most ${MAX_CHANNELS} channel names (got ${describe(list)})`);
  for (const [i, name] of list.entries()) {
    if (typeof name !== 'string' || name === '' || name.length > MAX_CHANNEL_NAME) {
      throw fail(`${where}[${i}] must be a channel name of 1 to ${MAX_CHANNEL_NAME} characters (got ${describe(name)})`);
    }
  }
  return [...new Set(list)];
}

function parseItem(item, i) {
  const where = `args.items[${i}]`;
  if (!isPlainObject(item)) throw fail(`${where} must be an object { fingerprint, count, windowMs, channels, escalated } (got ${describe(item)})`);
  checkKeys(item, ['fingerprint', 'count', 'windowMs', 'channels', 'escalated'], 'alerts.note', where);
  const { fingerprint, count, windowMs, escalated } = item;
  if (typeof fingerprint !== 'string' || fingerprint === '' || fingerprint.length > MAX_FINGERPRINT) {
    throw fail(`${where}.fingerprint must be a string of 1 to ${MAX_FINGERPRINT} characters (got ${describe(fingerprint)})`);
  }
  if (!isCount(count, 1e6) || count === 0) throw fail(`${where}.count must be an integer from 1 to 1000000 (got ${describe(count)})`);
  if (!isCount(windowMs, MAX_WINDOW_MS)) throw fail(`${where}.windowMs must be an integer from 0 to ${MAX_WINDOW_MS} (got ${describe(windowMs)})`);
  const channels = checkChannels(item.channels, `${where}.channels`);
  let esc = null;
  if (escalated !== null && escalated !== undefined) {
    if (!isPlainObject(escalated)) throw fail(`${where}.escalated must be null or { atLeast, channels } (got ${describe(escalated)})`);
    checkKeys(escalated, ['atLeast', 'channels'], 'alerts.note', `${where}.escalated`);
    if (!isCount(escalated.atLeast, 1e6) || escalated.atLeast === 0) throw fail(`${where}.escalated.atLeast must be an integer from 1 to 1000000 (got ${describe(escalated.atLeast)})`);
    if (windowMs === 0) throw fail(`${where}.escalated needs a windowMs to count occurrences in`);
    esc = { atLeast: escalated.atLeast, channels: checkChannels(escalated.channels, `${where}.escalated.channels`) };
  }
  return { fingerprint, count, windowMs, channels, escalated: esc };
}

const note = {
  parse(args) {
    if (!isPlainObject(args)) throw fail(`args must be an object { cooldownMs, items } (got ${describe(args)})`);
    checkKeys(args, ['cooldownMs', 'items'], 'alerts.note', 'args');
    const { cooldownMs, items } = args;
    if (!isCount(cooldownMs, MAX_COOLDOWN_MS) || cooldownMs === 0) throw fail(`args.cooldownMs must be an integer from 1 to ${MAX_COOLDOWN_MS} (got ${describe(cooldownMs)})`);
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_NOTE_ITEMS) {
      throw fail(`args.items must be an array of 1 to ${MAX_NOTE_ITEMS} fingerprints (got ${describe(items)})`);
    }
    const parsed = items.map(parseItem);
    const seen = new Set();
    for (const item of parsed) {
      if (seen.has(item.fingerprint)) throw fail(`args.items names fingerprint ${describe(item.fingerprint)} twice (one item per fingerprint, with its count)`);
      seen.add(item.fingerprint);
    }
    return { cooldownMs, items: parsed };
  },

  run(sql, { cooldownMs, items }) {
    const now = Date.now();
    let evicted = prune(sql, now, cooldownMs);
    const replies = items.map((item) => {
      const occurrences = item.windowMs > 0 ? tally(sql, item, now) : null;
      const chosen = item.escalated && occurrences >= item.escalated.atLeast ? item.escalated.channels : item.channels;
      const channels = {};
      for (const channel of chosen) channels[channel] = decide(sql, item.fingerprint, channel, item.count, cooldownMs, now);
      return { fingerprint: item.fingerprint, occurrences, channels };
    });
    evicted += cap(sql, SENDS, 'ABS(last_sent)', 'suppressed');
    cap(sql, COUNTS, 'bucket', null);
    return { at: now, evicted, items: replies };
  },
};

const release = {
  parse(args) {
    const where = 'alerts.release';
    if (!isPlainObject(args)) throw new TypeError(`edgescope state: ${where}: args must be an object { items?, resolved? } (got ${describe(args)})`);
    checkKeys(args, ['items', 'resolved'], where, 'args');
    const items = args.items ?? [];
    const resolved = args.resolved ?? [];
    if (!Array.isArray(items) || items.length > MAX_NOTE_ITEMS * MAX_CHANNELS) {
      throw new TypeError(`edgescope state: ${where}: args.items must be an array of at most ${MAX_NOTE_ITEMS * MAX_CHANNELS} sends (got ${describe(items)})`);
    }
    if (!Array.isArray(resolved) || resolved.length > MAX_NOTE_ITEMS) {
      throw new TypeError(`edgescope state: ${where}: args.resolved must be an array of at most ${MAX_NOTE_ITEMS} fingerprints (got ${describe(resolved)})`);
    }
    if (items.length === 0 && resolved.length === 0) throw new TypeError(`edgescope state: ${where}: args names no send (items) and no fingerprint (resolved) to release`);
    for (const [i, fingerprint] of resolved.entries()) {
      if (typeof fingerprint !== 'string' || fingerprint === '' || fingerprint.length > MAX_FINGERPRINT) throw new TypeError(`edgescope state: ${where}: args.resolved[${i}] must be a fingerprint of 1 to ${MAX_FINGERPRINT} characters (got ${describe(fingerprint)})`);
    }
    return {
      items: items.map((item, i) => {
        if (!isPlainObject(item)) throw new TypeError(`edgescope state: ${where}: args.items[${i}] must be an object { fingerprint, channel, at, count }`);
        checkKeys(item, ['fingerprint', 'channel', 'at', 'count'], where, `args.items[${i}]`);
        const { fingerprint, channel, at, count } = item;
        if (typeof fingerprint !== 'string' || fingerprint === '' || fingerprint.length > MAX_FINGERPRINT) throw new TypeError(`edgescope state: ${where}: args.items[${i}].fingerprint must be a string of 1 to ${MAX_FINGERPRINT} characters`);
        if (typeof channel !== 'string' || channel === '' || channel.length > MAX_CHANNEL_NAME) throw new TypeError(`edgescope state: ${where}: args.items[${i}].channel must be a channel name`);
        if (!Number.isSafeInteger(at) || at <= 0) throw new TypeError(`edgescope state: ${where}: args.items[${i}].at must be the time of the send (got ${describe(at)})`);
        if (!isCount(count, 1e9)) throw new TypeError(`edgescope state: ${where}: args.items[${i}].count must be a count (got ${describe(count)})`);
        return { fingerprint, channel, at, count };
      }),
      resolved: [...new Set(resolved)],
    };
  },
  run(sql, { items, resolved }) {
    let released = 0;
    for (const { fingerprint, channel, at, count } of items) {
      // A released send is stored as minus its time: the next occurrence sends at once (now minus a
      // negative time is past any cooldown), and pruning still sees when it was, so the count it
      // gave back is kept as long as any other row's.
      sql.exec(`UPDATE ${SENDS} SET last_sent = -last_sent, suppressed = suppressed + ? WHERE fingerprint = ? AND channel = ? AND last_sent = ?`, count, fingerprint, channel, at);
      released += sql.exec('SELECT changes() AS n').one().n;
    }
    for (const fingerprint of resolved) {
      // Every send standing now, on every channel, belongs to the incident just resolved: released
      // the same way, so the error's next occurrence alerts again (PagerDuty Events v2: a trigger
      // after a resolve with the same dedup_key opens a new incident). Sends already released stay
      // as they are, so a repeated resolve changes nothing; a send noted after this one (another
      // isolate's trigger) starts the next incident's cooldown. Suppressed counts are kept: the
      // next alert still says what was held back since the previous one.
      sql.exec(`UPDATE ${SENDS} SET last_sent = -last_sent WHERE fingerprint = ? AND last_sent > 0`, fingerprint);
      released += sql.exec('SELECT changes() AS n').one().n;
    }
    return { released };
  },
};

// Adds this invocation's count to the fingerprint's current bucket; answers the fleet-wide count
// over the buckets that started within the window.
function tally(sql, { fingerprint, count, windowMs }, now) {
  const bucket = bucketOf(now, windowMs);
  sql.exec(
    `INSERT INTO ${COUNTS} (fingerprint, bucket, window_ms, count) VALUES (?, ?, ?, ?)
     ON CONFLICT (fingerprint, bucket) DO UPDATE SET count = count + excluded.count, window_ms = excluded.window_ms`,
    fingerprint, bucket, windowMs, count,
  );
  const row = sql.exec(`SELECT COALESCE(SUM(count), 0) AS n FROM ${COUNTS} WHERE fingerprint = ? AND bucket > ?`, fingerprint, now - windowMs).one();
  return row.n;
}

function decide(sql, fingerprint, channel, count, cooldownMs, now) {
  const stored = sql.exec(`SELECT last_sent, suppressed FROM ${SENDS} WHERE fingerprint = ? AND channel = ?`, fingerprint, channel).toArray()[0];
  const { send, suppressed, row } = decideSend(stored ? { lastSent: stored.last_sent, suppressed: stored.suppressed } : null, count, cooldownMs, now);
  sql.exec(`INSERT OR REPLACE INTO ${SENDS} (fingerprint, channel, last_sent, suppressed) VALUES (?, ?, ?, ?)`, fingerprint, channel, row.lastSent, row.suppressed);
  return { send, suppressed };
}

function prune(sql, now, cooldownMs) {
  sql.exec(`DELETE FROM ${COUNTS} WHERE bucket <= ? - window_ms`, now);
  const old = now - RETAIN_COOLDOWNS * cooldownMs;
  const lost = sql.exec(`SELECT COUNT(*) AS n FROM ${SENDS} WHERE ABS(last_sent) < ? AND suppressed > 0`, old).one().n;
  sql.exec(`DELETE FROM ${SENDS} WHERE ABS(last_sent) < ?`, old);
  return lost;
}

// Keeps at most MAX_ROWS rows, deleting the oldest by `order`; answers how many deleted rows held
// a suppressed count (`lossColumn`), for the caller's stats.
function cap(sql, table, order, lossColumn) {
  const excess = sql.exec(`SELECT COUNT(*) AS n FROM ${table}`).one().n - MAX_ROWS;
  if (excess <= 0) return 0;
  const doomed = `SELECT rowid FROM ${table} ORDER BY ${order} LIMIT ${excess}`;
  const lost = lossColumn ? sql.exec(`SELECT COUNT(*) AS n FROM ${table} WHERE rowid IN (${doomed}) AND ${lossColumn} > 0`).one().n : 0;
  sql.exec(`DELETE FROM ${table} WHERE rowid IN (${doomed})`);
  return lost;
}

export const alertTable = Object.freeze({
  // Bumped with a new step in migrate() whenever the tables change (state-object.js refuses tables
  // written by a newer edgescope).
  version: 1,
  migrate(sql, from) {
    if (from < 1) {
      sql.exec(`CREATE TABLE IF NOT EXISTS ${COUNTS} (
        fingerprint TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        window_ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (fingerprint, bucket)
      )`);
      sql.exec(`CREATE TABLE IF NOT EXISTS ${SENDS} (
        fingerprint TEXT NOT NULL,
        channel TEXT NOT NULL,
        last_sent INTEGER NOT NULL,
        suppressed INTEGER NOT NULL,
        PRIMARY KEY (fingerprint, channel)
      )`);
      sql.exec(`CREATE INDEX IF NOT EXISTS ${SENDS}_last_sent ON ${SENDS} (last_sent)`);
      sql.exec(`CREATE INDEX IF NOT EXISTS ${COUNTS}_bucket ON ${COUNTS} (bucket)`);
    }
  },
  ops: Object.freeze({ note, release }),
});
