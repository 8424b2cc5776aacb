// Breakers and exhaustion marks whose state outlives the isolate, in workerd through Miniflare with
// real KV and SQLite Durable Objects persisted on disk: an isolate is replaced by recreating
// Miniflare over the same storage; concurrent isolates are separate Workers of one Miniflare
// (tests/workerd/resilience-fleet.js). The Worker is tests/workerd/workers/resilience.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { waitForMetric } from 'edgescope/testing';
import { sleep } from './helpers.js';
import { startFleet, tempDir } from './resilience-fleet.js';

const collector = useCollector();
const OPEN_MS = 1500; // the `provider` breaker's openMs in the Worker

async function fleet(store, options = {}) {
  await collector.ready;
  return startFleet({ ...options, collectorUrl: collector.nativeUrl, env: { STORE: store, ...options.env } });
}

for (const store of ['kv', 'durable-object']) {
  test(`a provider failing 5 times opens the breaker, and a fresh isolate still sees it open with the remaining retryAfter (${store})`, async () => {
    const persist = tempDir();
    const first = await fleet(store, { persist });
    let openedAfter;
    let openedBy;
    try {
      const [isolate] = first.isolates;
      for (let i = 0; i < 5; i++) {
        if (i === 4) openedAfter = Date.now(); // the fifth failure opens it, after this moment
        const res = await isolate.get('/call?fail=1');
        assert.deepEqual([res.outcome, res.ran], ['failed', true], JSON.stringify(res));
        await isolate.settled(); // the outcome is saved (KV) or sent (Durable Object) in waitUntil
      }
      openedBy = Date.now();
      const state = await isolate.get('/state');
      assert.equal(state.state, 'OPEN', JSON.stringify(state));
      // The transition is telemetry: a span event and the state gauge (OPEN = 1).
      const isTransition = (e) => e.name === 'edgescope.breaker.transition';
      await collector.waitFor((c) => c.spans.some((s) => s.events?.some(isTransition)));
      const event = collector.spans.flatMap((s) => s.events ?? []).find(isTransition);
      assert.equal(event.attributes['edgescope.breaker.to'], 'OPEN');
      assert.equal(event.attributes['edgescope.breaker.name'], 'provider');
      await waitForMetric(collector, { name: 'edgescope.breaker.state', tags: { breaker: 'provider' }, value: 1 });
    } finally {
      await first.dispose();
    }
    const second = await fleet(store, { persist });
    try {
      const [isolate] = second.isolates;
      const asked = Date.now();
      const res = await isolate.get('/call');
      const answered = Date.now();
      assert.equal(res.outcome, 'refused', JSON.stringify(res));
      assert.equal(res.ran, false);
      assert.equal(res.state, 'OPEN');
      // What is left of the open duration: it opened between openedAfter and openedBy and was
      // asked between asked and answered (50 ms for the Worker's clock, which moves only on I/O).
      const least = openedAfter + OPEN_MS - answered - 50;
      const most = openedBy + OPEN_MS - asked + 50;
      assert.ok(res.retryAfter >= least && res.retryAfter <= Math.min(OPEN_MS, most), `retryAfter ${res.retryAfter}, expected ${least}..${most}`);
    } finally {
      await second.dispose();
    }
  });

  test(`exhaustion marks survive isolates and expire on time (${store})`, async () => {
    const persist = tempDir();
    const first = await fleet(store, { persist });
    let markedAt;
    try {
      const [isolate] = first.isolates;
      markedAt = Date.now();
      const res = await isolate.get('/mark?provider=openai&ms=2000');
      assert.equal(res.applied, true, JSON.stringify(res));
      await isolate.settled();
    } finally {
      await first.dispose();
    }
    const second = await fleet(store, { persist, size: 2 });
    try {
      for (const isolate of second.isolates) {
        const seen = await isolate.get('/exhausted?provider=openai');
        assert.ok(seen.until >= markedAt + 2000 && seen.until <= Date.now() + 2000, JSON.stringify(seen));
        assert.deepEqual(seen.list.map((m) => m.provider), ['openai']);
        assert.equal((await isolate.get('/exhausted?provider=anthropic')).until, 0);
      }
      // Asked again and again across the expiry: every answer decided before the mark's end (by the
      // Worker's clock, which each answer brackets: untilAsked, listAsked) shows it, every answer
      // decided at or after its end shows none, and it is gone soon after its end. An answer whose
      // bracket straddles the end may show either.
      const [isolate] = second.isolates;
      const until = (await isolate.get('/exhausted?provider=openai')).until;
      let expiredAt = null;
      while (expiredAt === null) {
        const seen = await isolate.get('/exhausted?provider=openai');
        const [untilFrom, untilTo] = seen.untilAsked;
        const [listFrom, listTo] = seen.listAsked;
        if (untilTo < until) assert.equal(seen.until, until, `before its end: ${JSON.stringify(seen)}`);
        if (listTo < until) assert.deepEqual(seen.list.map((m) => m.provider), ['openai'], `before its end: ${JSON.stringify(seen)}`);
        if (untilFrom >= until) assert.equal(seen.until, 0, `after its end: ${JSON.stringify(seen)}`);
        if (listFrom >= until) assert.deepEqual(seen.list, [], `after its end: ${JSON.stringify(seen)}`);
        if (untilFrom >= until && listFrom >= until) expiredAt = Date.now();
        assert.ok(Date.now() < until + 1000, 'the mark expired within a second of its end');
        await sleep(25);
      }
    } finally {
      await second.dispose();
    }
  });
}

test('two isolates marking at the same moment over KV converge: after each one\'s next use, a fresh isolate sees both marks (kv)', async () => {
  const persist = tempDir();
  // Writes land 300 ms after they are made, so the two saves below overlap.
  const first = await fleet('kv', { persist, size: 2, env: { KV_PUT_DELAY_MS: '300' } });
  try {
    const [a, b] = first.isolates;
    // Both load the empty state, then mark and save at once: KV keeps the later write only.
    await Promise.all([a.get('/mark?provider=openai&ms=60000'), b.get('/mark?provider=anthropic&ms=60000')]);
    await a.settled();
    await b.settled();
    const marksInKv = async () => JSON.parse(await first.readKv('edgescope:registry:quota')).marks.map((m) => m.provider).sort();
    assert.equal((await marksInKv()).length, 1, 'the saves raced: one mark is missing from KV');
    // Each isolate's next use loads KV and writes back what its copy holds that KV lacks.
    for (const isolate of [a, b]) {
      await isolate.get('/exhausted?provider=openai');
      await isolate.settled();
    }
    assert.deepEqual(await marksInKv(), ['anthropic', 'openai']);
  } finally {
    await first.dispose();
  }
  const second = await fleet('kv', { persist });
  try {
    const seen = await second.isolates[0].get('/exhausted?provider=openai');
    assert.deepEqual(seen.list.map((m) => m.provider).sort(), ['anthropic', 'openai'], JSON.stringify(seen));
  } finally {
    await second.dispose();
  }
});

test('after the open duration exactly one trial call is admitted across two concurrent isolates (durable-object)', async () => {
  const f = await fleet('durable-object', { persist: tempDir(), size: 2 });
  try {
    const [a, b] = f.isolates;
    for (let i = 0; i < 5; i++) {
      await a.get('/call?fail=1');
      await a.settled();
    }
    assert.equal((await a.get('/state')).state, 'OPEN');
    await sleep(OPEN_MS + 100);
    // 8 calls on each isolate at once, each holding its call open for 400 ms if admitted.
    const calls = [];
    for (let i = 0; i < 8; i++) for (const isolate of [a, b]) calls.push(isolate.get('/call?holdMs=400'));
    const results = await Promise.all(calls);
    const admitted = results.filter((r) => r.ran);
    assert.equal(admitted.length, 1, JSON.stringify(results));
    assert.equal(admitted[0].outcome, 'ok');
    const refused = results.filter((r) => r.outcome === 'refused');
    assert.equal(refused.length, 15);
    assert.ok(refused.every((r) => r.state === 'HALF_OPEN' || r.state === 'OPEN'), JSON.stringify(refused));
    // The trial succeeded: once its outcome reached the object and the copies are fresh, both
    // isolates admit calls again.
    await a.settled();
    await b.settled();
    await sleep(1100);
    for (const isolate of [a, b]) assert.equal((await isolate.get('/call')).outcome, 'ok');
  } finally {
    await f.dispose();
  }
});

test('an isolate decides from its local copy for up to maxStalenessMs, then reads the object again (durable-object)', async () => {
  const STALENESS = 1500;
  const f = await fleet('durable-object', { persist: tempDir(), size: 2, env: { MAX_STALENESS_MS: String(STALENESS) } });
  try {
    const [a, b] = f.isolates;
    // The first call fetches a's copy; the next 10 decide from it (their outcomes go to the object
    // in waitUntil, and each answer refreshes the copy).
    assert.equal((await a.get('/call?breaker=fleet')).outcome, 'ok');
    const before = (await a.get('/stats')).fleet;
    for (let i = 0; i < 10; i++) assert.equal((await a.get('/call?breaker=fleet')).outcome, 'ok');
    const during = (await a.get('/stats')).fleet;
    assert.equal(during.localDecisions - before.localDecisions, 10, JSON.stringify({ before, during }));
    await a.settled();
    const fetchedBy = Date.now(); // a's copy is no newer than this
    // b opens the breaker (an operator's forceOpen reaches the object at once).
    await b.get('/force-open?breaker=fleet');
    assert.equal((await b.get('/call?breaker=fleet')).outcome, 'refused');
    // Within the bound, a still reads its copy: CLOSED.
    const early = await a.get('/state?breaker=fleet');
    if (Date.now() - fetchedBy < STALENESS - 300) assert.equal(early.state, 'CLOSED', 'within the bound the copy answers');
    // Past the bound, the next call costs one round trip and sees the object's OPEN.
    await sleep(Math.max(0, fetchedBy + STALENESS + 300 - Date.now()));
    const roundTripsBefore = (await a.get('/stats')).fleet.roundTrips;
    const refused = await a.get('/call?breaker=fleet');
    assert.equal(refused.outcome, 'refused', JSON.stringify(refused));
    assert.equal(refused.state, 'OPEN');
    assert.equal((await a.get('/stats')).fleet.roundTrips - roundTripsBefore, 1, 'one round trip for the stale copy');
    // And the next calls are refused from the refreshed copy, with no round trip.
    assert.equal((await a.get('/call?breaker=fleet')).outcome, 'refused');
    assert.equal((await a.get('/stats')).fleet.roundTrips - roundTripsBefore, 1);
  } finally {
    await f.dispose();
  }
});

test("the Durable Object trips on the fleet's failure rate, with a minimum volume: one isolate's faults alone do not open it", async () => {
  const f = await fleet('durable-object', { persist: tempDir(), size: 2, env: { MAX_STALENESS_MS: '0' } });
  try {
    const [a, b] = f.isolates;
    // a fails 8 times, b succeeds 12 times: 20 calls at a 40 % failure rate (threshold 50 %).
    for (let i = 0; i < 8; i++) assert.equal((await a.get('/call?breaker=fleet&fail=1')).outcome, 'failed');
    for (let i = 0; i < 12; i++) assert.equal((await b.get('/call?breaker=fleet')).outcome, 'ok');
    await a.settled();
    await b.settled();
    assert.equal((await a.get('/state?breaker=fleet')).state, 'CLOSED', 'one isolate at 100 % failures does not open it for the fleet');
    // The fleet as a whole fails: past 50 % over the window, it opens for everyone.
    for (let i = 0; i < 6; i++) await b.get('/call?breaker=fleet&fail=1');
    await b.settled();
    const state = await a.get('/state?breaker=fleet');
    assert.equal(state.state, 'OPEN', JSON.stringify(state));
    assert.equal((await a.get('/call?breaker=fleet')).outcome, 'refused');
  } finally {
    await f.dispose();
  }
});

test('while the Durable Object cannot be reached, calls are decided from the last copy, and the outcomes kept meanwhile arrive once it answers (durable-object)', async () => {
  const f = await fleet('durable-object', { persist: tempDir() });
  try {
    const [a] = f.isolates;
    assert.equal((await a.get('/call')).outcome, 'ok');
    await a.settled();
    await a.get('/outage?on=1');
    // Five failures the object never hears of: the isolate keeps deciding from its copy (the
    // breaker fails open) and keeps the outcomes.
    for (let i = 0; i < 5; i++) {
      const res = await a.get('/call?fail=1');
      assert.deepEqual([res.outcome, res.ran], ['failed', true], JSON.stringify(res));
      await a.settled();
    }
    const during = (await a.get('/stats')).provider;
    assert.ok(during.storeErrors >= 1, JSON.stringify(during));
    assert.equal(during.dropped, 0);
    const logged = f.output.filter((l) => l.includes("resilience breaker 'provider' (durable-object): the Durable Object could not be reached"));
    assert.equal(logged.length, 1, f.output.join('\n'));
    assert.match(logged[0], /overloaded/);
    // The object answers again: the next batch carries the five failures, and the breaker opens.
    await a.get('/outage?on=0');
    await a.get('/call?fail=1');
    await a.settled();
    const refused = await a.get('/call');
    assert.equal(refused.outcome, 'refused', JSON.stringify(refused));
    assert.equal(refused.state, 'OPEN');
    assert.equal((await a.get('/stats')).provider.dropped, 0);
  } finally {
    await f.dispose();
  }
});

test('the graduated curve sends the specified share of calls to the primary at each step (2000 calls per step, within 0.05)', async () => {
  const f = await fleet('memory', { persist: tempDir() });
  try {
    const shares = await f.isolates[0].get('/curve?trials=2000');
    // The default curve. With 2000 calls a step, the standard error is at most 0.0112: 0.05 is
    // more than 4 standard errors, so this fails only when the share is wrong.
    const curve = [1.0, 0.9, 0.7, 0.4, 0.1];
    shares.forEach((share, step) => assert.ok(Math.abs(share - curve[step]) <= 0.05, `step ${step}: measured ${share}, curve ${curve[step]} (all: ${shares.join(', ')})`));
  } finally {
    await f.dispose();
  }
});
