// A Durable Object class wrapped by instrumentDurableObject behaves for its callers exactly as the
// class itself (RPC results, streams, stubs, pipelining, thrown errors, fetch responses, alarms,
// hibernated WebSockets), while each invocation exports its own spans, once, as it ends — the
// object staying alive does not hold them back — parented on the caller's trace context.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { sleep, useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'entrypoint-room', {}, { durableObjects: { ROOM: 'Room', PLAIN: 'PlainRoom' } });

const call = async (binding, object, scenario, query = {}) => {
  const res = await worker.fetch(`/${binding}/${object}/${scenario}?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, `${binding} ${scenario}`);
  return res.json();
};
const newContext = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
};
const named = (name) => collector.spans.filter((s) => s.name === name);
const one = (name) => {
  const spans = named(name);
  assert.equal(spans.length, 1, `${name}: ${collector.spans.map((s) => s.name).join(', ')}`);
  return spans[0];
};
// Nothing more arrives and nothing arrived twice.
async function assertSettled(count) {
  await sleep(300);
  assert.equal(collector.spans.length, count, collector.spans.map((s) => s.name).join(', '));
  assert.deepEqual(collector.duplicates, []);
  assert.equal(new Set(collector.spans.map((s) => s.spanId)).size, count);
}

const RPC_SCENARIOS = ['echo', 'add', 'stream', 'tally', 'pipelined', 'reject', 'throwNow', 'hitCount'];

test('RPC callers get identical results, streams, stubs and errors from the instrumented class; one server span per call', async () => {
  for (const scenario of RPC_SCENARIOS) {
    const plain = await call('PLAIN', `diff-${scenario}`, scenario);
    const instrumented = await call('ROOM', `diff-${scenario}`, scenario);
    assert.deepEqual(instrumented, plain, scenario);
  }
  // What the callers saw, spelled out (so a scenario that broke both the same way fails too).
  assert.deepEqual(await call('PLAIN', 'spelled', 'echo'), { value: { count: 3, args: [1, 'two', { three: [3] }] } });
  assert.deepEqual(await call('PLAIN', 'spelled', 'stream'), { value: 'alpha!' });
  assert.deepEqual(await call('PLAIN', 'spelled', 'tally'), { value: [11, 16] });
  assert.deepEqual(await call('PLAIN', 'spelled', 'pipelined'), { value: 42 });
  assert.deepEqual((await call('PLAIN', 'spelled', 'reject')).threw, { name: 'RangeError', message: 'out of range', isRangeError: true, isTypeError: false });
  assert.deepEqual((await call('PLAIN', 'spelled', 'throwNow')).threw, { name: 'TypeError', message: 'not a thing', isRangeError: false, isTypeError: true });

  // tally and pipelined both call tally(); add() has its own child span; its call to this.bonus()
  // is a plain method call, not an invocation.
  await collector.waitFor((c) => c.spans.length >= RPC_SCENARIOS.length + 1, { timeoutMs: 5000 });
  await assertSettled(RPC_SCENARIOS.length + 1);
  for (const method of ['echo', 'add', 'stream', 'reject', 'throwNow', 'hitCount']) {
    const span = one(`RoomImpl/${method}`);
    assert.equal(span.kind, 'server');
    assert.equal(span.attributes['rpc.method'], method);
    assert.equal(span.attributes['rpc.service'], 'RoomImpl');
    assert.equal(span.attributes['rpc.system'], 'cloudflare_workers_rpc');
    assert.equal(span.attributes['edgescope.durable_object.class'], 'RoomImpl');
    assert.match(span.attributes['edgescope.durable_object.id'], /^[0-9a-f]{64}$/);
  }
  assert.equal(named('RoomImpl/tally').length, 2);
  assert.equal(named('RoomImpl/bonus').length, 0);
  assert.equal(one('add.work').parentSpanId, one('RoomImpl/add').spanId);
  for (const method of ['reject', 'throwNow']) {
    const span = one(`RoomImpl/${method}`);
    assert.equal(span.status, 'error', method);
    assert.equal(span.attributes['edgescope.response.outcome'], 'threw');
    assert.ok(span.events.some((e) => e.name === 'exception'), method);
  }
  assert.equal(one('RoomImpl/stream').attributes['edgescope.response.outcome'], 'complete');
  assert.equal(one('RoomImpl/echo').status, 'unset');
});

test('the trailing trace-context argument is taken off before the method runs and parents the server span', async () => {
  const context = newContext();
  const query = { traceparent: context.traceparent, tracestate: 'vendor=abc' };
  const instrumented = await call('ROOM', 'context', 'echo', query);
  // The method saw exactly its caller's three arguments...
  assert.deepEqual(instrumented, { value: { count: 3, args: [1, 'two', { three: [3] }] } });
  // ...while the uninstrumented class receives the fourth, which shows it was really sent.
  const plain = await call('PLAIN', 'context', 'echo', query);
  assert.equal(plain.value.count, 4);
  assert.deepEqual(plain.value.args[3], { __edgescopeTraceContext: 1, traceparent: context.traceparent, tracestate: 'vendor=abc' });

  const added = await call('ROOM', 'context', 'add', query);
  assert.deepEqual(added, { value: 5 });
  await collector.waitFor((c) => c.spans.length >= 3, { timeoutMs: 5000 });
  await assertSettled(3);
  for (const name of ['RoomImpl/echo', 'RoomImpl/add']) {
    const span = one(name);
    assert.equal(span.traceId, context.traceId, name);
    assert.equal(span.parentSpanId, context.spanId, name);
  }
  assert.equal(one('add.work').traceId, context.traceId);
});

test('concurrent invocations of one object interleave at awaits; each keeps the scope it read before its first await', async () => {
  const contexts = Array.from({ length: 5 }, newContext);
  const results = await Promise.all(
    contexts.map((context, i) => call('ROOM', 'interleaved', 'slowAdd', { traceparent: context.traceparent, ms: String(120 - i * 25) })),
  );
  assert.deepEqual(results, contexts.map(() => ({ value: 3 })));
  await collector.waitFor((c) => c.spans.length >= 10, { timeoutMs: 5000 });
  await assertSettled(10);
  for (const context of contexts) {
    const inTrace = collector.spans.filter((s) => s.traceId === context.traceId);
    assert.deepEqual(inTrace.map((s) => s.name).sort(), ['RoomImpl/slowAdd', 'add.work']);
    const server = inTrace.find((s) => s.name === 'RoomImpl/slowAdd');
    assert.equal(server.parentSpanId, context.spanId);
    assert.equal(inTrace.find((s) => s.name === 'add.work').parentSpanId, server.spanId);
  }
});

test('fetch: the same response as the plain class, a server span parented on the traceparent header', async () => {
  const context = newContext();
  const init = { method: 'POST', body: 'payload', headers: { traceparent: context.traceparent } };
  const plain = await worker.fetch('/PLAIN/fetch-x/fetch', init);
  const instrumented = await worker.fetch('/ROOM/fetch-x/fetch', init);
  assert.equal(instrumented.status, plain.status);
  assert.equal(instrumented.headers.get('x-room'), plain.headers.get('x-room'));
  assert.equal(await instrumented.text(), await plain.text());
  assert.equal(instrumented.status, 201);

  await collector.waitFor((c) => c.spans.length >= 1, { timeoutMs: 5000 });
  await assertSettled(1);
  const span = one('POST');
  assert.equal(span.kind, 'server');
  assert.equal(span.traceId, context.traceId);
  assert.equal(span.parentSpanId, context.spanId);
  assert.equal(span.attributes['http.response.status_code'], 201);
  assert.equal(span.attributes['edgescope.response.outcome'], 'complete');
  assert.equal(span.attributes['room.hits'], 1);
  assert.equal(span.attributes['edgescope.durable_object.class'], 'RoomImpl');
});

test('each invocation is exported as it ends while the object stays alive, nothing held back or lost', async () => {
  const text = async (res) => res.text();
  assert.match(await text(await worker.fetch('/ROOM/alive/fetch')), /hits=1 /);
  await collector.waitFor((c) => c.spans.length === 1, { timeoutMs: 5000 });
  assert.deepEqual(await call('ROOM', 'alive', 'add'), { value: 5 });
  await collector.waitFor((c) => c.spans.length === 3, { timeoutMs: 5000 });
  // The same live object served all three calls: its in-memory count carried over.
  assert.deepEqual(await call('ROOM', 'alive', 'hitCount'), { value: 2 });
  await collector.waitFor((c) => c.spans.length === 4, { timeoutMs: 5000 });
  await assertSettled(4);
  assert.equal(new Set(collector.spans.filter((s) => s.kind === 'server').map((s) => s.traceId)).size, 3);
});

test('an alarm runs as without edgescope and is exported as its own timer span with the retry count', async () => {
  for (const binding of ['PLAIN', 'ROOM']) await call(binding, 'alarm-x', 'arm');
  const states = {};
  let polls = 0; // of the instrumented object: each one an RPC span
  for (const binding of ['PLAIN', 'ROOM']) {
    for (let i = 0; i < 100; i++) {
      if (binding === 'ROOM') polls++;
      states[binding] = (await call(binding, 'alarm-x', 'alarmState')).value;
      if (states[binding].runs === 1) break;
      await sleep(50);
    }
  }
  assert.equal(states.ROOM.runs, 1);
  assert.deepEqual(states.ROOM, states.PLAIN);
  await collector.waitFor((c) => c.spans.some((s) => s.name === 'alarm'), { timeoutMs: 5000 });
  await collector.waitFor((c) => c.spans.length >= 2 + polls, { timeoutMs: 5000 });
  await assertSettled(2 + polls); // arm, the alarm, each alarmState call
  assert.equal(named('RoomImpl/alarmState').length, polls);
  const alarm = one('alarm');
  assert.equal(alarm.attributes['faas.trigger'], 'timer');
  assert.equal(alarm.attributes['edgescope.response.outcome'], 'complete', JSON.stringify(alarm.events));
  assert.equal(alarm.attributes['edgescope.durable_object.class'], 'RoomImpl');
  if (states.ROOM.info) assert.equal(alarm.attributes['edgescope.alarm.retry_count'], states.ROOM.info.retryCount);
});

async function echoOverSocket(binding) {
  const res = await worker.fetch(`/${binding}/socket/ws`, { headers: { Upgrade: 'websocket' } });
  assert.equal(res.status, 101);
  const ws = res.webSocket;
  ws.accept();
  const replies = [];
  const got = (n) =>
    new Promise((resolve) => {
      const check = () => (replies.length >= n ? resolve() : setTimeout(check, 10));
      check();
    });
  ws.addEventListener('message', (e) => replies.push(e.data));
  const closed = new Promise((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
  ws.send('hello');
  ws.send('wörld');
  await got(2);
  ws.close(1000, 'done');
  return { replies, code: await closed };
}

test('hibernated WebSocket messages and close: same echoes and close as the plain class, one span each', async () => {
  const plain = await echoOverSocket('PLAIN');
  const instrumented = await echoOverSocket('ROOM');
  assert.deepEqual(instrumented, plain);
  assert.deepEqual(instrumented.replies, ['echo:hello', 'echo:wörld']);

  await collector.waitFor((c) => c.spans.some((s) => s.name === 'webSocketClose'), { timeoutMs: 5000 });
  await assertSettled(4); // the upgrade fetch, two messages, the close
  assert.equal(one('GET').attributes['edgescope.response.outcome'], 'upgrade');
  const messages = named('webSocketMessage');
  assert.equal(messages.length, 2);
  assert.deepEqual(messages.map((s) => s.attributes['edgescope.websocket.message.size']).sort(), [5, 6]);
  for (const span of messages) {
    assert.equal(span.attributes['edgescope.websocket.message.type'], 'text');
    assert.equal(span.attributes['room.echoed'], true);
    assert.equal(span.attributes['edgescope.response.outcome'], 'complete');
  }
  assert.equal(one('webSocketClose').attributes['edgescope.websocket.close.code'], 1000);
  assert.ok(!JSON.stringify(collector.spans).includes('hello'), 'message payloads are not recorded');
});
