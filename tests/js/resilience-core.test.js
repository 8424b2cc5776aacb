// js/core/resilience-core.js through the real wasm module: the contract the shim builds on
// (breakers, registries, ledgers by handle; snapshots; errors naming the field).
import '../../js/entry/node.js';
import '../../js/entry/resilience-node.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { BREAKER_STATES, ResilienceCore, ResilienceError } from '../../js/core/resilience-core.js';
import { getResilienceCore as getCore } from '../../js/core/resilience-wasm.js';
import { getCore as getTelemetryCore } from '../../js/core/wasm-core.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const rc = () => ResilienceCore.forModule(getCore());

test('the state numbering matches the core header', () => {
  const header = readFileSync(new URL('../../wasm/include/edgescope/resilience/state.hpp', import.meta.url), 'utf8');
  const body = header.match(/enum class BreakerState[^{]*\{([^}]*)\}/)[1];
  const names = { Closed: 'CLOSED', Open: 'OPEN', HalfOpen: 'HALF_OPEN', Degraded: 'DEGRADED', Recovering: 'RECOVERING' };
  const entries = [...body.matchAll(/(\w+)\s*=\s*(\d+)/g)].map(([, name, value]) => [Number(value), names[name]]);
  assert.equal(entries.length, BREAKER_STATES.length);
  for (const [value, name] of entries) assert.equal(BREAKER_STATES[value], name);
});

test('forModule gives one ResilienceCore per wasm instance', () => {
  assert.equal(rc(), rc());
  assert.equal(ResilienceCore.forModule(), rc(), 'the default is the resilience module\'s live instance');
  assert.equal(rc().dead, false);
});

test('the resilience objects live on their own module, not on the telemetry core', () => {
  assert.equal(typeof getCore().exports.es_res_create, 'function');
  assert.equal(typeof getCore().exports.es_create, 'undefined', 'no telemetry code in the resilience module');
  assert.equal(getTelemetryCore().exports.es_res_create, undefined, 'no resilience code in the telemetry module');
});

test('a classic breaker opens after the threshold, refuses with retryAfterMs, and probes once half-open', () => {
  const r = rc();
  const b = r.createBreaker({ failureThreshold: 5, openMs: 30_000 });
  for (let i = 0; i < 4; i++) assert.deepEqual(r.record(b, T0 + i, false, 12), { transitions: [] });
  assert.deepEqual(r.record(b, T0 + 4, false, 12).transitions, [{ from: 'CLOSED', to: 'OPEN', at: T0 + 4, step: 0 }]);
  assert.deepEqual(r.decide(b, T0 + 1000, 0.3), {
    admit: false,
    probe: false,
    primaryShare: 0,
    state: 'OPEN',
    retryAfterMs: 29_004,
    transitions: [],
  });
  const probe = r.decide(b, T0 + 30_004, 0.3);
  assert.equal(probe.admit, true);
  assert.equal(probe.probe, true);
  assert.deepEqual(probe.transitions, [{ from: 'OPEN', to: 'HALF_OPEN', at: T0 + 30_004, step: 0 }]);
  assert.equal(r.decide(b, T0 + 30_005, 0.3).admit, false);
  assert.deepEqual(r.record(b, T0 + 30_010, true, 5, true).transitions, [
    { from: 'HALF_OPEN', to: 'CLOSED', at: T0 + 30_010, step: 0 },
  ]);
  r.destroy(b);
});

test('a transition that state() notices first is still reported once, by the next decide', () => {
  const r = rc();
  const b = r.createBreaker({ failureThreshold: 1, openMs: 1000 });
  r.record(b, T0, false);
  assert.equal(r.state(b, T0 + 2000).state, 'HALF_OPEN');
  assert.deepEqual(r.decide(b, T0 + 2000, 0).transitions, [{ from: 'OPEN', to: 'HALF_OPEN', at: T0 + 1000, step: 0 }]);
  assert.deepEqual(r.decide(b, T0 + 2001, 0).transitions, []);
  r.destroy(b);
});

test('state() reports counts, and forceOpen/reset report their transitions', () => {
  const r = rc();
  const b = r.createBreaker({ failureThreshold: 3, openMs: 5000 });
  r.record(b, T0, false);
  r.record(b, T0 + 1, true);
  r.record(b, T0 + 2, false);
  const s = r.state(b, T0 + 3);
  assert.equal(s.state, 'CLOSED');
  assert.equal(s.consecutiveFailures, 1);
  assert.equal(s.calls, 3);
  assert.equal(s.failures, 2);
  assert.equal(s.primaryShare, 1);
  assert.deepEqual(r.forceOpen(b, T0 + 10), {
    transitions: [{ from: 'CLOSED', to: 'OPEN', at: T0 + 10, step: 0 }],
    retryAfterMs: 5000,
  });
  assert.deepEqual(r.reset(b, T0 + 20).transitions, [{ from: 'OPEN', to: 'CLOSED', at: T0 + 20, step: 0 }]);
  r.destroy(b);
});

test('a graduated breaker sends the curve share of draws to the primary', () => {
  const r = rc();
  const b = r.createBreaker({ policy: 'graduated', quietMs: 60_000 });
  const t = r.record(b, T0, false).transitions;
  assert.deepEqual(t, [{ from: 'CLOSED', to: 'DEGRADED', at: T0, step: 1 }]);
  r.record(b, T0, false);
  let admitted = 0;
  for (let i = 0; i < 1000; i++) admitted += r.decide(b, T0 + 1, i / 1000).admit ? 1 : 0;
  assert.equal(admitted, 700);
  assert.equal(r.decide(b, T0 + 1, 0.5).primaryShare, 0.7);
  assert.equal(r.state(b, T0 + 1).step, 2);
  r.destroy(b);
});

test('bad configs throw TypeError naming the field', () => {
  const r = rc();
  const cases = [
    [{ failureRate: 2 }, /config\.failureRate: out of range/],
    [{ window: { type: 'sliding' } }, /config\.window\.type: expected 'count' or 'time'/],
    [{ openMs: NaN }, /config\.openMs: expected a non-negative integer/],
    [{ curve: [1, 'half'] }, /config\.curve\[1\]: expected a number/],
    [{ halfOpenCals: 2 }, /config\.halfOpenCals: unknown field/],
  ];
  for (const [config, message] of cases) assert.throws(() => r.createBreaker(config), { name: 'TypeError', message });
  assert.throws(() => r.createBreaker('classic'), TypeError);
  assert.throws(() => r.createRegistry({ defaultMs: -5 }), { name: 'TypeError', message: /config\.defaultMs/ });
  assert.throws(() => r.createLedger({ budgets: [{ monthly: 'lots' }] }), {
    name: 'TypeError',
    message: /config\.budgets\[0\]\.monthly: expected a number/,
  });
});

test('calls with a bad handle, a handle of another kind, or a bad now throw ResilienceError', () => {
  const r = rc();
  const reg = r.createRegistry({});
  assert.throws(() => r.decide(reg, T0, 0), { name: 'ResilienceError', message: /is a registry, not a breaker/ });
  assert.throws(() => r.decide(999_999, T0, 0), { name: 'ResilienceError', message: /unknown resilience handle/ });
  const b = r.createBreaker({});
  assert.throws(() => r.decide(b, NaN, 0), { name: 'ResilienceError', message: /now: expected milliseconds/ });
  assert.throws(() => r.decide(b, T0, 1), { name: 'ResilienceError', message: /u: expected a uniform draw/ });
  assert.throws(() => r.record(b, T0, 'yes'), TypeError);
  r.destroy(b);
  r.destroy(reg);
  assert.throws(() => r.destroy(reg), ResilienceError);
});

test('exhaustion marks: default 5 minutes, explicit durations, lazy expiry, list', () => {
  const r = rc();
  const reg = r.createRegistry({});
  r.markExhausted(reg, T0, 'openai');
  r.markExhausted(reg, T0, 'anthropic', 1000);
  assert.equal(r.exhausted(reg, T0 + 1, 'openai'), T0 + 300_000);
  assert.equal(r.exhausted(reg, T0 + 1, 'unknown'), 0);
  assert.deepEqual(r.listExhausted(reg, T0 + 999), [
    { provider: 'anthropic', untilMs: T0 + 1000 },
    { provider: 'openai', untilMs: T0 + 300_000 },
  ]);
  assert.deepEqual(r.listExhausted(reg, T0 + 1000), [{ provider: 'openai', untilMs: T0 + 300_000 }]);
  assert.equal(r.exhausted(reg, T0 + 300_000, 'openai'), 0);
  assert.throws(() => r.markExhausted(reg, T0, ''), { name: 'ResilienceError', message: /provider/ });
  r.destroy(reg);
});

test('ledger: record returns alerts once per tier, check denies with retryAfterMs, status sums', () => {
  const r = rc();
  const l = r.createLedger({
    budgets: [{ monthly: 10 }],
    depletionDays: [],
    limits: [{ provider: 'openai', perMinute: { requests: 2 } }],
  });
  const spend = (now) => r.ledgerRecord(l, now, { provider: 'openai', model: 'gpt-4o', spendMicros: 3_000_000, inputTokens: 10, outputTokens: 5 });
  assert.deepEqual(spend(T0).alerts, []);
  assert.deepEqual(spend(T0 + 1).alerts, []);
  const third = spend(T0 + 2).alerts;
  assert.equal(third.length, 1);
  assert.deepEqual(third[0], { kind: 'budget', provider: '*', tier: 0.9, spendMicros: 9_000_000, budgetMicros: 10_000_000, last24hMicros: 9_000_000 });
  assert.deepEqual(r.ledgerCheck(l, T0 + 3, { provider: 'openai' }), {
    allowed: false,
    reason: 'perMinute.requests',
    provider: 'openai',
    retryAfterMs: 60_000 - 3,
  });
  assert.deepEqual(r.ledgerCheck(l, T0 + 3, { provider: 'other' }), { allowed: true, reason: null, provider: null, retryAfterMs: 0 });
  const status = r.ledgerStatus(l, T0 + 3);
  assert.equal(status.periodStart, Date.UTC(2026, 11, 1));
  assert.equal(status.periodEnd, Date.UTC(2027, 0, 1));
  assert.deepEqual(status.usage, [{ provider: 'openai', model: 'gpt-4o', spendMicros: 9_000_000, inputTokens: 30, outputTokens: 15, requests: 3 }]);
  assert.equal(status.budgets[0].budgetTiersFired, 2);
  assert.throws(() => r.ledgerRecord(l, T0, { provider: 'openai', spendMicros: 0.5 }), {
    name: 'ResilienceError',
    message: /entry\.spendMicros: expected a non-negative integer/,
  });
  r.destroy(l);
});

test('snapshots round-trip; a malformed one throws naming the field and leaves the state untouched', () => {
  const r = rc();
  const config = { failureThreshold: 2, openMs: 10_000 };
  const a = r.createBreaker(config);
  r.record(a, T0, false);
  r.record(a, T0 + 1, false);
  const saved = r.serialize(a, T0 + 2);
  assert.equal(JSON.parse(saved).version, 1);
  assert.equal(JSON.parse(saved).kind, 'breaker');
  const b = r.createBreaker(config);
  r.deserialize(b, saved, T0 + 5000);
  assert.equal(r.serialize(b, T0 + 5000), saved);
  assert.equal(r.decide(b, T0 + 5000, 0).retryAfterMs, 5001);
  const broken = saved.replace('"openings":1', '"openings":-1');
  assert.throws(() => r.deserialize(b, broken, T0), (error) => {
    assert.equal(error.name, 'ResilienceError');
    assert.equal(error.field, 'breaker.openings');
    assert.match(error.message, /breaker\.openings: expected a non-negative integer/);
    return true;
  });
  assert.throws(() => r.merge(b, saved.slice(0, 40), T0), { name: 'ResilienceError', message: /breaker: JSON offset 40: truncated/ });
  assert.throws(() => r.deserialize(b, saved.replace('"version":1', '"version":7'), T0), { message: /breaker\.version: unknown version 7/ });
  assert.throws(() => r.deserialize(b, 42, T0), TypeError);
  assert.equal(r.serialize(b, T0 + 5000), saved);
  r.destroy(a);
  r.destroy(b);
});

test('merge across two isolates converges in either order', () => {
  const r = rc();
  const config = { budgets: [{ monthly: 100 }] };
  const x = r.createLedger(config);
  const y = r.createLedger(config);
  r.ledgerRecord(x, T0, { provider: 'a', model: 'm', spendMicros: 5 });
  r.ledgerRecord(y, T0, { provider: 'b', model: 'm', spendMicros: 7 });
  const sx = r.serialize(x, T0);
  const sy = r.serialize(y, T0);
  r.merge(x, sy, T0);
  r.merge(y, sx, T0);
  assert.equal(r.serialize(x, T0), r.serialize(y, T0));
  r.merge(x, r.serialize(x, T0), T0);
  assert.equal(r.serialize(x, T0), r.serialize(y, T0));
  assert.deepEqual(
    r.ledgerStatus(x, T0).usage.map((u) => [u.provider, u.spendMicros]),
    [
      ['a', 5],
      ['b', 7],
    ],
  );
  r.destroy(x);
  r.destroy(y);
});

test('the out area stays readable after the wasm memory grows', () => {
  const r = rc();
  const b = r.createBreaker({ failureThreshold: 1, openMs: 1234 });
  r.decide(b, T0, 0);
  const memory = getCore().exports.memory;
  const old = memory.buffer;
  memory.grow(1); // detaches the buffer the out area was viewing
  assert.notEqual(memory.buffer, old);
  r.record(b, T0 + 1, false);
  assert.equal(r.decide(b, T0 + 2, 0).retryAfterMs, 1233);
  r.destroy(b);
});

test('a snapshot up to 1 MiB crosses whole; a larger one is refused before it reaches the core', () => {
  const r = rc();
  const reg = r.createRegistry({});
  r.markExhausted(reg, T0, 'kept');
  const padded = JSON.stringify({ version: 1, kind: 'registry', marks: [{ provider: 'p', until: T0 + 5 }] }) + ' '.repeat(1_000_000);
  r.deserialize(reg, padded, T0);
  assert.deepEqual(r.listExhausted(reg, T0), [{ provider: 'p', untilMs: T0 + 5 }]);
  assert.throws(() => r.deserialize(reg, padded + ' '.repeat(100_000), T0), {
    name: 'ResilienceError',
    message: /document of 1100\d+ bytes exceeds the limit of 1048576/,
  });
  assert.deepEqual(r.listExhausted(reg, T0), [{ provider: 'p', untilMs: T0 + 5 }]);
  r.destroy(reg);
});

// Last in the file: it kills the shared instance.
test('after a trap the objects are gone: calls throw, and a fresh instance restores from a snapshot', () => {
  const r = rc();
  const b = r.createBreaker({ failureThreshold: 1, openMs: 60_000 });
  r.record(b, T0, false);
  const saved = r.serialize(b, T0);
  getCore().exports.stackRestore(0); // the next call that uses the shadow stack writes out of bounds
  assert.throws(() => r.state(b, T0 + 1), WebAssembly.RuntimeError);
  assert.equal(r.dead, true);
  assert.throws(() => r.decide(b, T0 + 1, 0), { name: 'ResilienceError', message: /trapped/ });
  const fresh = ResilienceCore.forModule(getCore());
  assert.notEqual(fresh, r);
  const restored = fresh.createBreaker({ failureThreshold: 1, openMs: 60_000 });
  fresh.deserialize(restored, saved, T0 + 1000);
  assert.equal(fresh.decide(restored, T0 + 1000, 0).retryAfterMs, 59_000);
});
