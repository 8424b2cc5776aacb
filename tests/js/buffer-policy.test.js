// The offline buffer's policy as the stores call it: through the real wasm module (no handle),
// metas in, indices and outcomes out, bad input refused with the entry and field named.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterAttempt, MAX_PLAN_ENTRIES, planReplay, planStore } from '../../js/core/buffer-core.js';
import { getCore } from '../../js/core/wasm-core.js';

const limits = { maxEntries: 3, maxBytes: 1000, maxAgeMs: 60_000, maxAttempts: 3, replayMaxEntries: 2 };
const meta = (created, bytes = 10, attempts = 0) => ({ created, bytes, attempts });

test('planStore evicts the whole excess oldest first, then refuses the oldest incoming', () => {
  const existing = [meta(1), meta(2), meta(3)];
  assert.deepEqual(planStore(existing, [], limits), { evict: [], refuse: [] });
  assert.deepEqual(planStore(existing, [{ created: 4, bytes: 10 }, { created: 5, bytes: 10 }], limits), {
    evict: [0, 1],
    refuse: [],
  });
  const five = [4, 5, 6, 7, 8].map((created) => ({ created, bytes: 10 }));
  assert.deepEqual(planStore(existing, five, limits), { evict: [0, 1, 2], refuse: [0, 1] });
});

test('planStore with maxEntries 0 refuses every incoming entry and evicts nothing', () => {
  const incoming = [{ created: 2, bytes: 1 }, { created: 3, bytes: 1 }];
  assert.deepEqual(planStore([meta(1)], incoming, { ...limits, maxEntries: 0 }), { evict: [], refuse: [0, 1] });
});

test('planStore holds the byte cap and refuses an entry larger than maxBytes on its own', () => {
  const byteLimits = { ...limits, maxEntries: 100, maxBytes: 100 };
  assert.deepEqual(planStore([meta(1, 40), meta(2, 40)], [{ created: 3, bytes: 40 }], byteLimits), { evict: [0], refuse: [] });
  assert.deepEqual(planStore([meta(1, 50)], [{ created: 2, bytes: 101 }, { created: 3, bytes: 50 }], byteLimits), {
    evict: [],
    refuse: [0],
  });
});

test('planStore under 4 interleaved writers x 800 appends never leaves more than the cap', () => {
  const cap = { ...limits, maxEntries: 200, maxBytes: 200 * 64 };
  let store = [];
  let clock = 1_700_000_000_000;
  let evicted = 0;
  for (let round = 0; round < 800; round++) {
    for (let writer = 0; writer < 4; writer++) {
      const incoming = [{ created: clock++, bytes: 16 + ((round + writer) % 48) }];
      const plan = planStore(store, incoming, cap);
      evicted += plan.evict.length;
      const gone = new Set(plan.evict);
      store = store.filter((_, i) => !gone.has(i));
      assert.deepEqual(plan.refuse, []);
      store.push({ ...incoming[0], attempts: 0 });
      assert.ok(store.length <= 200, `${store.length} entries after round ${round}`);
    }
  }
  assert.equal(store.length, 200);
  assert.equal(evicted, 3200 - 200);
  assert.equal(store[0].created, clock - 200); // the newest survive
});

test('planReplay returns the oldest first up to replayMaxEntries and lists expired and exhausted', () => {
  const now = 100_000;
  const metas = [meta(now - 60_001), meta(now - 50_000, 10, 3), meta(now - 40_000, 10, 2), meta(now - 60_000), meta(now - 1)];
  assert.deepEqual(planReplay(metas, now, limits), { replay: [2, 3], expired: [0], exhausted: [1] });
  assert.deepEqual(planReplay(metas, now, { ...limits, replayMaxEntries: 0 }), { replay: [], expired: [0], exhausted: [1] });
  assert.deepEqual(planReplay([], now, limits), { replay: [], expired: [], exhausted: [] });
});

test('afterAttempt deletes what was delivered and drops at maxAttempts failures or maxAgeMs', () => {
  assert.equal(afterAttempt(meta(0, 10, 2), true, 1e9, limits), 'delete');
  assert.equal(afterAttempt(meta(0, 10, 0), false, 10, limits), 'keep');
  assert.equal(afterAttempt(meta(0, 10, 1), false, 10, limits), 'keep');
  assert.equal(afterAttempt(meta(0, 10, 2), false, 10, limits), 'drop-exhausted');
  assert.equal(afterAttempt(meta(0, 10, 0), false, 60_001, limits), 'drop-expired');
});

test('bad metas and limits are refused with the entry and field named', () => {
  assert.throws(() => planStore([meta(1, -5)], [], limits), {
    name: 'RangeError',
    message: 'edgescope buffer policy: planStore: existing entry 0: bytes must be an integer from 0 to 2^53 - 1',
  });
  assert.throws(() => planStore([], [{ created: 'yesterday', bytes: 1 }], limits), /incoming entry 0: created must be a finite number/);
  assert.throws(() => planReplay([meta(1), { created: 2, bytes: 1 }], 5, limits), /planReplay: entry 1: attempts must be an integer/);
  assert.throws(() => planStore([], [], { ...limits, maxEntries: -1 }), /maxEntries must be an integer/);
  assert.throws(() => planReplay([], 5, { ...limits, maxAttempts: 1.5 }), /maxAttempts must be an integer/);
  assert.throws(() => planReplay([], undefined, limits), /planReplay: now must be a finite number/);
  assert.throws(() => afterAttempt(meta(1), 'yes', 5, limits), { name: 'TypeError', message: /delivered must be a boolean/ });
  assert.throws(() => afterAttempt({ created: 1, bytes: 1 }, false, 5, limits), /afterAttempt: attempts must be an integer/);
  assert.throws(() => planStore(null, [], limits), { name: 'TypeError', message: /metas must be an array/ });
  const tooMany = Array.from({ length: MAX_PLAN_ENTRIES + 1 }, (_, i) => meta(i));
  assert.throws(() => planReplay(tooMany, 5, limits), /43691 entries exceed the 43690 one call can plan/);
  // The largest plan the scratch buffer holds still works.
  const most = tooMany.slice(1);
  assert.equal(planReplay(most, 5, { ...limits, replayMaxEntries: MAX_PLAN_ENTRIES }).replay.length, MAX_PLAN_ENTRIES);
});

test('a trap during a policy call marks the instance dead; the next call runs on a fresh one', () => {
  const core = getCore();
  core.exports.stackRestore(0); // the next call that uses the shadow stack writes out of bounds
  assert.throws(() => planStore([meta(1), meta(2)], [{ created: 3, bytes: 10 }], { ...limits, maxEntries: 2 }), WebAssembly.RuntimeError);
  assert.equal(core.dead, true);
  assert.notEqual(getCore(), core);
  assert.deepEqual(planStore([meta(1), meta(2)], [{ created: 3, bytes: 10 }], { ...limits, maxEntries: 2 }), {
    evict: [0],
    refuse: [],
  });
});
