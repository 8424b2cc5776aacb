// The in-isolate offline buffer (stores.memory): the core's policy applied to a Map, with the same
// results as the KV and Durable Object stores (tests/workerd/buffer-stores.test.js) and leases so
// concurrent flushes in one isolate never replay the same entry twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import 'edgescope'; // provides the wasm module the policy runs in
import { newEntryKey } from '../../js/buffering/entry-key.js';
import { stores } from '../../js/storage/index.js';

const LIMITS = Object.freeze({ maxEntries: 200, maxBytes: 10_000_000, maxAgeMs: 3_600_000, maxAttempts: 3, replayMaxEntries: 50 });
const T0 = 1_700_000_000_000;

let clock = T0;
function entry({ created = clock, bytes = 16, attempts = 0, fill = 7 } = {}) {
  clock += 1;
  return { key: newEntryKey(clock), meta: { created, bytes, attempts }, value: new Uint8Array(bytes).fill(fill) };
}

test('4 concurrent writers x 800 appends into a cap of 200: never more than 200, every eviction reported, the newest kept', async () => {
  const store = stores.memory();
  assert.equal(store.kind, 'memory');
  const appended = [];
  const evicted = [];
  let most = 0;
  const writer = async () => {
    for (let i = 0; i < 800; i++) {
      const e = entry();
      appended.push(e.key);
      const r = await store.append([e], LIMITS);
      assert.deepEqual(r.stored, [e.key]);
      assert.deepEqual(r.refused, []);
      evicted.push(...r.evicted);
      most = Math.max(most, (await store.status(LIMITS)).entries);
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  const status = await store.status(LIMITS);
  assert.equal(most, 200);
  assert.equal(status.entries, 200);
  assert.equal(status.cap, 200);
  assert.equal(status.bytes, 200 * 16);
  assert.equal(evicted.length, 3200 - 200);
  assert.equal(new Set(evicted).size, evicted.length, 'each entry evicted once');
  const newest = [...appended].sort().slice(-200);
  const kept = (await store.take({ ...LIMITS, replayMaxEntries: 1000 }, clock)).entries.map((e) => e.key);
  assert.deepEqual(kept, newest);
});

test('maxEntries 0 stores nothing: every entry is refused and nothing is evicted', async () => {
  const store = stores.memory();
  const entries = [entry(), entry(), entry()];
  const r = await store.append(entries, { ...LIMITS, maxEntries: 0 });
  assert.deepEqual(r, { stored: [], evicted: [], refused: entries.map((e) => e.key), corrupt: [], failures: [], size: { entries: 0, bytes: 0 } });
  assert.equal((await store.status(LIMITS)).entries, 0);
});

test('the byte cap evicts the oldest entries, and an entry larger than the cap is refused alone', async () => {
  const store = stores.memory();
  const limits = { ...LIMITS, maxBytes: 100 };
  const first = [entry({ bytes: 40 }), entry({ bytes: 40 })];
  assert.equal((await store.append(first, limits)).stored.length, 2);
  const third = entry({ bytes: 40 });
  const r = await store.append([third], limits);
  assert.deepEqual(r.evicted, [first[0].key]);
  assert.deepEqual(r.stored, [third.key]);
  const huge = entry({ bytes: 101 });
  const r2 = await store.append([huge], limits);
  assert.deepEqual(r2.refused, [huge.key]);
  assert.deepEqual(r2.evicted, []);
  assert.deepEqual(await store.status(limits), { entries: 2, bytes: 80, oldest: first[1].meta.created, newest: third.meta.created, cap: 200 });
});

test('entries given newest first are planned oldest first: the cap refuses the oldest incoming ones', async () => {
  const store = stores.memory();
  const entries = [entry(), entry(), entry(), entry()];
  const r = await store.append([...entries].reverse(), { ...LIMITS, maxEntries: 2 });
  assert.deepEqual(r.refused.sort(), entries.slice(0, 2).map((e) => e.key));
  assert.deepEqual(r.stored.sort(), entries.slice(2).map((e) => e.key));
});

test('take replays the oldest first, at most replayMaxEntries, with the bytes that were appended', async () => {
  const store = stores.memory();
  const entries = Array.from({ length: 10 }, (_, i) => entry({ fill: i, bytes: 8 + i }));
  await store.append(entries, LIMITS);
  const r = await store.take({ ...LIMITS, replayMaxEntries: 4 }, clock);
  assert.deepEqual(r.entries.map((e) => e.key), entries.slice(0, 4).map((e) => e.key));
  for (const [i, e] of r.entries.entries()) {
    assert.deepEqual(e.meta, entries[i].meta);
    assert.deepEqual(e.value, new Uint8Array(8 + i).fill(i));
  }
  assert.deepEqual([r.expired, r.exhausted, r.corrupt, r.vanished, r.failures], [[], [], [], 0, []]);
});

test('a value changed by the caller after append or after take does not change the stored entry', async () => {
  const store = stores.memory();
  const e = entry({ fill: 1 });
  await store.append([e], LIMITS);
  e.value.fill(9);
  const taken = await store.take(LIMITS, clock);
  assert.deepEqual(taken.entries[0].value, new Uint8Array(16).fill(1));
  taken.entries[0].value.fill(5);
  await store.settle([{ key: e.key, delivered: false, meta: e.meta }], LIMITS, clock);
  assert.deepEqual((await store.take(LIMITS, clock)).entries[0].value, new Uint8Array(16).fill(1));
});

test('leases: two concurrent takes never return the same entry; settle releases the ones kept', async () => {
  const store = stores.memory({ leaseMs: 60_000 });
  const entries = Array.from({ length: 30 }, () => entry());
  await store.append(entries, LIMITS);
  const limits = { ...LIMITS, replayMaxEntries: 20 };
  const [a, b] = await Promise.all([store.take(limits, clock), store.take(limits, clock)]);
  assert.equal(a.entries.length, 20);
  assert.equal(b.entries.length, 10);
  const keysA = a.entries.map((e) => e.key);
  assert.ok(!b.entries.some((e) => keysA.includes(e.key)));
  assert.equal((await store.take(limits, clock)).entries.length, 0, 'everything is leased');

  const settled = await store.settle(
    a.entries.map((e, i) => ({ key: e.key, delivered: i < 5, meta: e.meta })),
    limits,
    clock,
  );
  assert.deepEqual(settled.deleted, keysA.slice(0, 5));
  assert.deepEqual(settled.kept, keysA.slice(5));
  assert.deepEqual([settled.dropped, settled.vanished, settled.failures], [[], 0, []]);
  const again = await store.take(limits, clock);
  assert.deepEqual(again.entries.map((e) => e.key), keysA.slice(5), 'kept entries are free again, one attempt more');
  assert.ok(again.entries.every((e) => e.meta.attempts === 1));
  // A lease that is never settled ends after leaseMs.
  assert.deepEqual((await store.take(limits, clock + 60_001)).entries.length, 20);
});

test('expired and exhausted entries are dropped with the reason, at take and at settle', async () => {
  const store = stores.memory();
  const old = entry({ created: clock - LIMITS.maxAgeMs - 1 });
  const tired = entry({ attempts: LIMITS.maxAttempts });
  const fine = entry();
  const last = entry({ attempts: LIMITS.maxAttempts - 1 });
  await store.append([old, tired, fine, last], LIMITS);
  const r = await store.take(LIMITS, clock);
  assert.deepEqual(r.expired, [old.key]);
  assert.deepEqual(r.exhausted, [tired.key]);
  assert.deepEqual(r.entries.map((e) => e.key), [fine.key, last.key]);
  const s = await store.settle(
    [
      { key: fine.key, delivered: false },
      { key: last.key, delivered: false },
    ],
    LIMITS,
    clock,
  );
  assert.deepEqual(s.kept, [fine.key]);
  assert.deepEqual(s.dropped, [{ key: last.key, reason: 'exhausted' }]);
  const later = clock + LIMITS.maxAgeMs + 1;
  const t = await store.take(LIMITS, later);
  assert.deepEqual(t.expired, [fine.key]);
  assert.deepEqual((await store.status(LIMITS)).entries, 0);
});

test('settle of an entry that is gone counts it as vanished; an entry appended twice is stored once', async () => {
  const store = stores.memory();
  const e = entry();
  await store.append([e], LIMITS);
  const again = await store.append([e], LIMITS);
  assert.deepEqual(again.stored, [e.key]);
  assert.equal((await store.status(LIMITS)).entries, 1);
  await store.take(LIMITS, clock);
  await store.append([entry(), entry()], { ...LIMITS, maxEntries: 2 }); // evicts e while it is leased
  const s = await store.settle([{ key: e.key, delivered: false }], LIMITS, clock);
  assert.deepEqual(s, { deleted: [], kept: [], dropped: [], vanished: 1, failures: [] });
});

test('clear removes everything and returns the number removed', async () => {
  const store = stores.memory();
  await store.append([entry(), entry(), entry()], LIMITS);
  assert.deepEqual(await store.clear(), { removed: 3, failures: [] });
  assert.deepEqual(await store.status(LIMITS), { entries: 0, bytes: 0, oldest: null, newest: null, cap: 200 });
});

test('bad arguments are refused naming the argument, and nothing of the call is applied', async () => {
  const store = stores.memory();
  const good = entry();
  const cases = [
    [[good, { ...entry(), key: 'nope' }], LIMITS, /entries\[1\]\.key must be an entry key/],
    [[good, { ...entry(), value: 'bytes' }], LIMITS, /entries\[1\]\.value must be a Uint8Array \(got "bytes"\)/],
    [[good, { ...entry(), meta: { created: 1, bytes: 3, attempts: 0 } }], LIMITS, /entries\[1\]\.meta\.bytes is 3 but the value holds 16 bytes/],
    [[good, good], LIMITS, /appears twice in one call/],
    [[good], { ...LIMITS, maxEntries: -1 }, /limits\.maxEntries must be a non-negative integer \(got -1\)/],
    [[good], { ...LIMITS, maxAgeMs: undefined }, /limits\.maxAgeMs must be a non-negative integer/],
    ['nope', LIMITS, /entries must be an array/],
  ];
  for (const [entries, limits, message] of cases) await assert.rejects(store.append(entries, limits), message);
  assert.equal((await store.status(LIMITS)).entries, 0);
  await assert.rejects(store.take(LIMITS, NaN), /memory take: now must be a time in ms since the epoch \(got NaN\)/);
  await assert.rejects(store.settle([{ key: good.key, delivered: 'yes' }], LIMITS, clock), /outcomes\[0\]\.delivered must be true or false/);
  assert.throws(() => stores.memory({ leaseMS: 5 }), /options has an unknown field "leaseMS" \(known: leaseMs\)/);
  assert.throws(() => stores.memory({ leaseMs: 0 }), /leaseMs must be an integer from 1 to 900000/);
});
