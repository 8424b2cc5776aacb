// The resilience API in Node with state in memory: what execute() and executeWithFallback() do
// with successes, failures, refusals and Durable Object errors, CircuitOpenError's fields, the
// operator calls, the registry and ledger calls, the telemetry a transition leaves, and the
// errors bad options get. The real wasm core decides everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, EdgescopeConfigError } from 'edgescope';
import { CircuitOpenError, createBreaker, createExhaustionRegistry, createLedger } from 'edgescope/resilience';
import { captureConsole, memoryExporter } from './helpers.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const failing = (error = new Error('provider down')) => () => Promise.reject(error);
const durableObjectError = (flags) => Object.assign(new Error('Durable Object reset'), flags);

async function trip(breaker, failures = 5) {
  for (let i = 0; i < failures; i++) await assert.rejects(breaker.execute(failing()), /provider down/);
}

test('execute returns what fn returns, and five failures open the breaker: the sixth call is refused without running', async () => {
  const b = createBreaker('p1', { failureThreshold: 5, openMs: 30_000 }).use();
  assert.equal(await b.execute(async () => 'answer'), 'answer');
  await trip(b);
  let ran = false;
  const error = await b.execute(() => { ran = true; }).catch((e) => e);
  assert.equal(ran, false);
  assert.ok(error instanceof CircuitOpenError);
  assert.equal(error.name, 'CircuitOpenError');
  assert.equal(error.state, 'OPEN');
  assert.equal(error.breaker, 'p1');
  assert.ok(error.retryAfter > 29_000 && error.retryAfter <= 30_000, `retryAfter ${error.retryAfter}`);
  assert.match(error.message, /breaker 'p1' is open: call refused; retry after \d+ ms/);
  const state = await b.state();
  assert.equal(state.state, 'OPEN');
  assert.equal(state.openings, 1);
});

test('a success between failures resets the consecutive count: four failures, a success, four failures stay closed', async () => {
  const b = createBreaker('p2', { failureThreshold: 5 }).use();
  await trip(b, 4);
  await b.execute(() => 'ok');
  await trip(b, 4);
  assert.equal((await b.state()).state, 'CLOSED');
});

test('after the open duration exactly one trial call is admitted; its success closes the breaker', async () => {
  const b = createBreaker('p3', { failureThreshold: 2, openMs: 200, halfOpenCalls: 1 }).use();
  await trip(b, 2);
  await sleep(250);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const trial = b.execute(() => held.then(() => 'trial ok'));
  const second = await b.execute(() => 'second').catch((e) => e);
  assert.ok(second instanceof CircuitOpenError, 'a second call while the trial runs is refused');
  assert.equal(second.state, 'HALF_OPEN');
  release();
  assert.equal(await trial, 'trial ok');
  assert.equal((await b.state()).state, 'CLOSED');
  assert.equal(await b.execute(() => 'after'), 'after');
});

test('executeWithFallback: the fallback gets the primary\'s error when it fails, and the CircuitOpenError when the breaker is open', async () => {
  const b = createBreaker('p4', { failureThreshold: 1, openMs: 30_000 }).use();
  const boom = new Error('boom');
  const seen = [];
  assert.equal(await b.executeWithFallback(() => Promise.reject(boom), (e) => (seen.push(e), 'fallback 1')), 'fallback 1');
  assert.equal(await b.executeWithFallback(() => 'primary', (e) => (seen.push(e), 'fallback 2')), 'fallback 2');
  assert.equal(seen[0], boom);
  assert.ok(seen[1] instanceof CircuitOpenError);
});

test('an error a Durable Object marks overloaded is a failure and is never retried, even with retries', async () => {
  const b = createBreaker('p5', { failureThreshold: 3, retries: 2 }).use();
  let calls = 0;
  for (let i = 0; i < 3; i++) {
    await assert.rejects(
      b.execute(() => {
        calls++;
        throw durableObjectError({ overloaded: true, retryable: true });
      }),
      /Durable Object reset/,
    );
  }
  assert.equal(calls, 3, 'one attempt per execute');
  assert.equal((await b.state()).state, 'OPEN', 'each overloaded error counted as a failure');
});

test('a retryable error is retried up to `retries` times, each attempt counted; without retries it is not retried', async () => {
  const b = createBreaker('p6', { failureThreshold: 10, retries: 2 }).use();
  let calls = 0;
  const value = await b.execute(() => {
    calls++;
    if (calls < 3) throw durableObjectError({ retryable: true });
    return 'third time';
  });
  assert.equal(value, 'third time');
  assert.equal(calls, 3);
  assert.equal((await b.state()).consecutiveFailures, 0, 'the final success reset the count');

  calls = 0;
  await assert.rejects(b.execute(() => { calls++; throw durableObjectError({ retryable: true }); }));
  assert.equal(calls, 3, 'gives up after 1 + retries attempts');
  assert.equal((await b.state()).consecutiveFailures, 3);

  const plain = createBreaker('p6b', { failureThreshold: 10 }).use();
  calls = 0;
  await assert.rejects(plain.execute(() => { calls++; throw durableObjectError({ retryable: true }); }));
  assert.equal(calls, 1, 'retries defaults to 0');
});

test('isFailure counts a resolved value as a failure and still returns it', async () => {
  const b = createBreaker('p7', { failureThreshold: 2, isFailure: (res) => res.status >= 500 }).use();
  assert.deepEqual(await b.execute(() => ({ status: 503 })), { status: 503 });
  assert.deepEqual(await b.execute(() => ({ status: 502 })), { status: 502 });
  await assert.rejects(b.execute(() => ({ status: 200 })), CircuitOpenError);
});

test('forceOpen refuses calls until reset', async () => {
  const b = createBreaker('p8', { openMs: 60_000 }).use();
  const opened = await b.forceOpen();
  assert.equal(opened.applied, true);
  assert.deepEqual(opened.transitions.map((t) => [t.from, t.to]), [['CLOSED', 'OPEN']]);
  await assert.rejects(b.execute(() => 'x'), CircuitOpenError);
  await b.reset();
  assert.equal(await b.execute(() => 'x'), 'x');
});

test('a transition becomes a span event on the given span and a point of the edgescope.breaker.state gauge', async () => {
  const mem = memoryExporter();
  const telemetry = createTelemetry({ service: 'svc', exporter: mem.exporter, requestMetrics: false });
  const transitions = [];
  const def = createBreaker('llm', { failureThreshold: 2, onTransition: (t) => transitions.push(t) });
  await telemetry.trace('request', async (span) => {
    const b = def.use(undefined, undefined, { span });
    await trip(b, 2);
  });
  await telemetry.flush();
  const [span] = mem.spans;
  const event = span.events.find((e) => e.name === 'edgescope.breaker.transition');
  assert.ok(event, JSON.stringify(span.events));
  assert.deepEqual(event.attributes, { 'edgescope.breaker.name': 'llm', 'edgescope.breaker.from': 'CLOSED', 'edgescope.breaker.to': 'OPEN' });
  const gauge = mem.metrics.filter((m) => m.name === 'edgescope.breaker.state');
  assert.ok(gauge.length >= 1, JSON.stringify(mem.metrics));
  assert.equal(gauge.at(-1).value, 1, 'OPEN is 1');
  assert.equal((gauge.at(-1).tags ?? gauge.at(-1).attributes).breaker, 'llm');
  assert.deepEqual(transitions.map((t) => [t.breaker, t.from, t.to]), [['llm', 'CLOSED', 'OPEN']]);
  telemetry.dispose();
});

test('an exhaustion mark is seen at once and expires on time', async () => {
  const r = createExhaustionRegistry('quota').use();
  const before = Date.now();
  await r.markExhausted('openai', 150);
  assert.equal(await r.isExhausted('openai'), true);
  assert.equal(await r.isExhausted('anthropic'), false);
  const until = await r.exhaustedUntil('openai');
  assert.ok(until >= before + 150 && until <= Date.now() + 150, `until ${until}`);
  assert.deepEqual((await r.list()).map((m) => m.provider), ['openai']);
  await sleep(200);
  assert.equal(await r.isExhausted('openai'), false);
  assert.deepEqual(await r.list(), []);
});

test('the ledger sums spend exactly and fires a budget alert once, when its tier rises', async () => {
  const alerts = [];
  const ledger = createLedger('spend', { budgets: [{ provider: 'openai', monthly: 1 }], onAlert: (a) => alerts.push(a) }).use();
  const fired = [];
  for (let i = 0; i < 10; i++) {
    const result = await ledger.record({ provider: 'openai', model: 'gpt', spendMicros: 85_000, inputTokens: 10, outputTokens: 5 });
    assert.equal(result.applied, true);
    fired.push(...result.alerts);
  }
  // 850,000 micros of a 1,000,000 budget: the 80 % tier once, nothing above it.
  const budget = fired.filter((a) => a.kind === 'budget');
  assert.equal(budget.length, 1, JSON.stringify(fired));
  assert.equal(alerts.filter((a) => a.kind === 'budget').length, 1);
  assert.equal(alerts[0].ledger, 'spend');
  const status = await ledger.status();
  assert.match(JSON.stringify(status), /850000/);
});

test('bad options and arguments are refused with errors naming the field', async () => {
  assert.throws(() => createBreaker('', {}), EdgescopeConfigError);
  assert.throws(() => createBreaker('x', { state: { store: 'redis' } }), /state\.store/);
  assert.throws(() => createBreaker('x', { state: { store: 'kv' } }), /state\.namespace/);
  assert.throws(() => createBreaker('x', { state: { store: 'durable-object', namespace: {}, maxStalenessMs: -1 } }), /state\.namespace|maxStalenessMs/);
  assert.throws(() => createBreaker('x', { retries: 11 }), /retries/);
  assert.throws(() => createBreaker('x', { onTransition: 'no' }), /onTransition/);
  // A policy field the core refuses is named when the breaker is first used.
  assert.throws(() => createBreaker('bad-policy', { openMs: -5 }).use(), /openMs/);
  assert.throws(() => createBreaker('typo', { failureTreshold: 5 }).use(), /failureTreshold/);
  const kvBreaker = createBreaker('kv-needs-ctx', { state: { store: 'kv', namespace: { get() {}, put() {} } } });
  assert.throws(() => kvBreaker.use({}), /ctx/);
  const b = createBreaker('x2').use();
  await assert.rejects(b.execute('not a function'), /execute\(fn\) needs a function/);
  const r = createExhaustionRegistry('r-bad').use();
  await assert.rejects(r.markExhausted('', 10), /provider name/);
  await assert.rejects(r.markExhausted('openai', -1), /durationMs/);
  const l = createLedger('l-bad').use();
  await assert.rejects(l.record({ provider: 'openai', spendMicros: 1.5 }), /spendMicros/);
  await assert.rejects(l.record({ provider: 'openai', cost: 3 }), /unknown field "cost"/);
});

test('a throwing onTransition callback never reaches the call; it is logged once', async () => {
  const b = createBreaker('p9', { failureThreshold: 1, onTransition: () => { throw new Error('callback bug'); } }).use();
  const lines = await captureConsole('error', async () => {
    await assert.rejects(b.execute(failing()), /provider down/);
  });
  assert.ok(lines.some((l) => l.includes('onTransition callback') && l.includes('callback bug')), lines.join('\n'));
  assert.equal((await b.state()).state, 'OPEN');
});
