// The alerts' de-duplication in Workers KV: `state: { store: 'kv', namespace: env.KV }`. The same
// rules as the Durable Object (js/storage/alert-rules.js) over one KV value per fingerprint
// (`<prefix><fingerprint>`, JSON { v: 1, buckets: [[start, count]], channels: { name: { lastSent,
// suppressed } } }), read and written once per invocation that recorded it.
//
// Weaker than the Durable Object, by KV's documented consistency (developers.cloudflare.com/kv/
// concepts/how-kv-works): a write is visible in other locations only after up to 60 s (reads are
// cached at the edge), and two isolates that read before either wrote both decide to send. So:
//   - a few duplicate alerts are possible across colos (and cooldowns under a minute are not kept
//     across colos at all); within one colo, isolates see each other's writes promptly;
//   - suppressed and fleet-wide occurrence counts are lower bounds (concurrent read-modify-writes
//     keep the last writer's count);
//   - KV allows one write per second per key: an isolate that wrote a fingerprint's value less
//     than MIN_WRITE_INTERVAL_MS ago does not write it again for a suppressed occurrence; it keeps
//     the count and adds it to its next write (a send is always written at once). A write KV
//     refuses (429) fails the request: counted in stats().stateFailures, and the isolate decides
//     by its own cooldown for that invocation (run.js).
// Values expire RETAIN_COOLDOWNS cooldowns (or the window, if longer) after their last write, so
// the namespace holds only live fingerprints (KV expirationTtl, at least 60 s).
import { EdgescopeConfigError } from '../config.js';
import { bucketOf, decideSend, inWindow } from '../storage/alert-rules.js';

const MIN_WRITE_INTERVAL_MS = 1000;
const RETAIN_COOLDOWNS = 2;
const MAX_KEY_BYTES = 512; // KV's key size limit
const MAX_CARRIED_KEYS = 1000;

export function kvAlertState(state, service) {
  const { namespace } = state;
  if (typeof namespace?.get !== 'function' || typeof namespace?.put !== 'function') {
    throw new EdgescopeConfigError('alerts.state.namespace', 'a KV namespace binding (env.MY_KV, [[kv_namespaces]] in wrangler config)', namespace);
  }
  const prefix = state.prefix ?? `edgescope:alerts:${service}:`;
  if (typeof prefix !== 'string' || prefix.length > 256) throw new EdgescopeConfigError('alerts.state.prefix', 'a string of at most 256 characters', prefix);
  const written = new Map(); // key -> when this isolate last wrote it
  const carried = new Map(); // key -> { count, channels: { name: n } } not written yet

  const keyOf = async (fingerprint) => {
    const key = `${prefix}${fingerprint}`;
    if (new TextEncoder().encode(key).length <= MAX_KEY_BYTES) return key;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(fingerprint)));
    return `${prefix}sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  };

  async function noteOne(item, cooldownMs, now) {
    const key = await keyOf(item.fingerprint);
    const value = readValue(await namespace.get(key, 'text'));
    const carry = carried.get(key);
    carried.delete(key);
    let occurrences = null;
    if (item.windowMs > 0) {
      const bucket = bucketOf(now, item.windowMs);
      value.buckets = value.buckets.filter(([start]) => inWindow(start, now, item.windowMs));
      const current = value.buckets.find(([start]) => start === bucket);
      const add = item.count + (carry?.count ?? 0);
      if (current) current[1] += add;
      else value.buckets.push([bucket, add]);
      occurrences = value.buckets.reduce((n, [, c]) => n + c, 0);
    }
    for (const [name, n] of Object.entries(carry?.channels ?? {})) {
      if (value.channels[name]) value.channels[name].suppressed += n;
    }
    const chosen = item.escalated && occurrences >= item.escalated.atLeast ? item.escalated.channels : item.channels;
    const channels = {};
    let sent = false;
    for (const name of chosen) {
      const { send, suppressed, row } = decideSend(value.channels[name] ?? null, item.count, cooldownMs, now);
      channels[name] = { send, suppressed };
      value.channels[name] = row;
      sent ||= send;
    }
    if (!sent && now - (written.get(key) ?? -Infinity) < MIN_WRITE_INTERVAL_MS) {
      // Kept here until this isolate's next write of the key (KV: one write per second per key).
      const keep = carry ?? { count: 0, channels: {} };
      keep.count += item.windowMs > 0 ? item.count : 0;
      for (const name of chosen) keep.channels[name] = (keep.channels[name] ?? 0) + item.count;
      carried.set(key, keep);
      if (carried.size > MAX_CARRIED_KEYS) carried.delete(carried.keys().next().value);
    } else {
      // Kept with the value, so a release (which knows no cooldown) keeps the same lifetime.
      value.retainMs = Math.max(RETAIN_COOLDOWNS * cooldownMs, item.windowMs);
      await write(key, value, value.retainMs, now);
    }
    return { fingerprint: item.fingerprint, occurrences, channels };
  }

  async function write(key, value, retainMs, now) {
    await namespace.put(key, JSON.stringify(value), { expirationTtl: Math.max(60, Math.ceil(retainMs / 1000)) });
    written.set(key, now);
    if (written.size > MAX_CARRIED_KEYS) written.delete(written.keys().next().value);
  }

  // alerts.resolve() (run.js): the sends standing now belong to the incident just resolved, so
  // each is released (stored as minus its time, as the object does: the next occurrence sends, a
  // new incident) and its suppressed count kept. Already released sends are left alone, so a
  // repeated resolve writes nothing. Always written at once: the next occurrence must see it (a
  // write KV refuses rejects, counted in stats().stateFailures by run.js). KV has no transaction:
  // another isolate's note that read the value before this write and writes after it puts the
  // send back (its alert then waits for the cooldown), a lost update within one read-write of
  // each other, as with the counts above.
  async function releaseResolved(fingerprint) {
    const key = await keyOf(fingerprint);
    const value = readValue(await namespace.get(key, 'text'));
    let released = 0;
    for (const row of Object.values(value.channels)) {
      if (row.lastSent > 0) {
        row.lastSent = -row.lastSent;
        released++;
      }
    }
    if (released > 0) await write(key, value, value.retainMs ?? 60_000, Date.now());
    return released;
  }

  return Object.freeze({
    store: 'kv',
    async note({ cooldownMs, items }) {
      const now = Date.now();
      return { at: now, evicted: 0, items: await Promise.all(items.map((item) => noteOne(item, cooldownMs, now))) };
    },
    // Undoes failed sends (alert-table.js `release`): only if the stored send is still the one of
    // `at`; and every channel's send of a resolved fingerprint.
    async release({ items = [], resolved = [] }) {
      let released = 0;
      for (const fingerprint of resolved) released += await releaseResolved(fingerprint);
      for (const { fingerprint, channel, at, count } of items) {
        const key = await keyOf(fingerprint);
        const value = readValue(await namespace.get(key, 'text'));
        const row = value.channels[channel];
        if (!row || row.lastSent !== at) continue;
        value.channels[channel] = { lastSent: 0, suppressed: row.suppressed + count };
        // The lifetime the last note gave the value: a shorter one would drop every channel's
        // cooldown and the window's counts with it.
        await write(key, value, value.retainMs ?? 60_000, Date.now());
        released++;
      }
      return { released };
    },
  });
}

// A value this code did not write (or an older shape) counts as no history: the error alerts.
function readValue(text) {
  const empty = { v: 1, buckets: [], channels: {} };
  if (typeof text !== 'string') return empty;
  try {
    const value = JSON.parse(text);
    if (value?.v !== 1 || !Array.isArray(value.buckets) || value.channels === null || typeof value.channels !== 'object') return empty;
    const buckets = value.buckets.filter((b) => Array.isArray(b) && Number.isFinite(b[0]) && Number.isSafeInteger(b[1]) && b[1] >= 0);
    const channels = {};
    for (const [name, row] of Object.entries(value.channels)) {
      if (Number.isFinite(row?.lastSent) && Number.isSafeInteger(row?.suppressed) && row.suppressed >= 0) channels[name] = { lastSent: row.lastSent, suppressed: row.suppressed };
    }
    const retainMs = Number.isSafeInteger(value.retainMs) && value.retainMs > 0 ? value.retainMs : undefined;
    return { v: 1, buckets, channels, ...(retainMs ? { retainMs } : {}) };
  } catch {
    return empty;
  }
}
