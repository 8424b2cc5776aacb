// KV state in Node, over an in-memory namespace with KV's get/put surface: what is read and written
// when, how two isolates' concurrent saves converge, and what a failing or corrupted KV does.
// Each createBreaker/createExhaustionRegistry call below stands for one isolate (its module
// scope); each ctx for one invocation, whose waitUntil promises are awaited like the runtime does.
// The same behaviour over real KV in workerd is in tests/workerd/resilience-state.test.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitOpenError, createBreaker, createExhaustionRegistry } from 'edgescope/resilience';
import { captureConsole } from './helpers.js';

function memoryKv() {
  const data = new Map();
  const kv = {
    data,
    gets: 0,
    puts: 0,
    failPuts: 0,
    async get(key) {
      kv.gets++;
      return data.has(key) ? data.get(key) : null;
    },
    async put(key, value) {
      if (kv.failPuts > 0) {
        kv.failPuts--;
        throw new Error('KV PUT failed: 429 Too Many Requests');
      }
      kv.puts++;
      data.set(key, value);
    },
  };
  return kv;
}

// One invocation: runs fn(ctx) and then what it handed to waitUntil.
async function invocation(fn) {
  const pending = [];
  const ctx = { waitUntil: (p) => pending.push(p) };
  const result = await fn(ctx);
  while (pending.length) await pending.shift();
  return result;
}

const state = (kv) => ({ store: 'kv', namespace: kv, minWriteIntervalMs: 0 });

test('a breaker opened in one isolate is open in the next one that loads it, with the remaining open time', async () => {
  const kv = memoryKv();
  const first = createBreaker('provider', { failureThreshold: 5, openMs: 10_000, state: state(kv) });
  for (let i = 0; i < 5; i++) {
    await invocation(async (ctx) => assert.rejects(first.use({}, ctx).execute(() => Promise.reject(new Error('down')))));
  }
  assert.ok(kv.data.has('edgescope:breaker:provider'), [...kv.data.keys()].join());
  const second = createBreaker('provider', { failureThreshold: 5, openMs: 10_000, state: state(kv) });
  const error = await invocation((ctx) => second.use({}, ctx).execute(() => 'never').catch((e) => e));
  assert.ok(error instanceof CircuitOpenError, String(error));
  assert.ok(error.retryAfter > 9_000 && error.retryAfter <= 10_000, `retryAfter ${error.retryAfter}`);
});

test('state is written only when an invocation changed it, and read once per invocation', async () => {
  const kv = memoryKv();
  const registry = createExhaustionRegistry('quota', { state: state(kv) });
  await invocation(async (ctx) => {
    const r = registry.use({}, ctx);
    await r.markExhausted('openai', 60_000);
    assert.equal(await r.isExhausted('openai'), true);
    assert.equal(await r.isExhausted('other'), false);
  });
  assert.equal(kv.puts, 1);
  const getsBefore = kv.gets;
  await invocation(async (ctx) => {
    const r = registry.use({}, ctx);
    assert.equal(await r.isExhausted('openai'), true);
    await r.list();
  });
  assert.equal(kv.puts, 1, 'reads only: nothing written');
  assert.equal(kv.gets - getsBefore, 1, 'one KV read for the invocation');
});

test('two isolates saving at the same time converge at their next use: both marks survive', async () => {
  const kv = memoryKv();
  const a = createExhaustionRegistry('quota', { state: state(kv) });
  const b = createExhaustionRegistry('quota', { state: state(kv) });
  // Both load the (empty) state before either saves, as two isolates at the same moment do.
  await Promise.all([
    invocation(async (ctx) => {
      const r = a.use({}, ctx);
      await r.list();
      await r.markExhausted('openai', 60_000);
    }),
    invocation(async (ctx) => {
      const r = b.use({}, ctx);
      await r.list();
      await r.markExhausted('anthropic', 60_000);
    }),
  ]);
  // KV has no compare-and-set: the later write won, and the other mark is missing from KV.
  assert.equal(JSON.parse(kv.data.get('edgescope:registry:quota')).marks.length, 1);
  // Each isolate's next invocation finds KV missing what its copy holds, and writes the union.
  for (const isolate of [a, b]) await invocation((ctx) => isolate.use({}, ctx).list());
  const c = createExhaustionRegistry('quota', { state: state(kv) });
  const providers = await invocation(async (ctx) => (await c.use({}, ctx).list()).map((m) => m.provider).sort());
  assert.deepEqual(providers, ['anthropic', 'openai']);
});

test('a KV write that fails is counted, logged once, and made by the next invocation', async () => {
  const kv = memoryKv();
  const registry = createExhaustionRegistry('quota', { state: state(kv) });
  kv.failPuts = 2;
  const lines = await captureConsole('error', async () => {
    await invocation((ctx) => registry.use({}, ctx).markExhausted('openai', 60_000));
    await invocation((ctx) => registry.use({}, ctx).markExhausted('anthropic', 60_000));
  });
  assert.equal(lines.filter((l) => l.includes('KV write failed')).length, 1, lines.join('\n'));
  assert.equal(registry.stats().storeErrors, 2);
  assert.equal(kv.puts, 0);
  await invocation((ctx) => registry.use({}, ctx).isExhausted('openai'));
  assert.equal(kv.puts, 1, 'the next invocation saved what was held back');
  const fresh = createExhaustionRegistry('quota', { state: state(kv) });
  const providers = await invocation(async (ctx) => (await fresh.use({}, ctx).list()).map((m) => m.provider).sort());
  assert.deepEqual(providers, ['anthropic', 'openai']);
});

test('a corrupted value in KV is ignored, counted, and replaced by the next save', async () => {
  const kv = memoryKv();
  kv.data.set('edgescope:breaker:provider', '{"version":1,"kind":"breaker","state":"SIDEWAYS"');
  const breaker = createBreaker('provider', { failureThreshold: 1, state: state(kv) });
  const lines = await captureConsole('error', async () => {
    await invocation(async (ctx) => assert.rejects(breaker.use({}, ctx).execute(() => Promise.reject(new Error('down')))));
  });
  assert.equal(breaker.stats().corrupt, 1);
  assert.ok(lines.some((l) => l.includes('not valid')), lines.join('\n'));
  const saved = JSON.parse(kv.data.get('edgescope:breaker:provider'));
  assert.equal(saved.kind, 'breaker');
  const next = createBreaker('provider', { failureThreshold: 1, state: state(kv) });
  await invocation(async (ctx) => assert.equal((await next.use({}, ctx).state()).state, 'OPEN'));
});
