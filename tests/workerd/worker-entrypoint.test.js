// A WorkerEntrypoint class wrapped by instrumentEntrypoint, called through service bindings from a
// second Worker: callers get exactly what the class gives (RPC results, streams, stubs,
// pipelining, errors, fetch responses), each invocation exports its spans once, parented on the
// caller's trace context. Plus the email and tail handlers of instrument(), driven by Miniflare
// itself: email through its /cdn-cgi/handler/email trigger, tail as the tail consumer of a third
// Worker.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import * as miniflare from 'miniflare';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();
let mf;
let caller;
let producer;

before(async () => {
  await collector.ready;
  const compatibilityDate = defaultCompatibilityDate(miniflare);
  const bindings = { COLLECTOR_URL: collector.nativeUrl };
  const base = async (name, bundle) => ({ name, modules: (await bundleOf(bundle)).modules, modulesRoot: '/', compatibilityDate, bindings });
  mf = new miniflare.Miniflare({
    unsafeTriggerHandlers: true, // /cdn-cgi/handler/email on the first Worker
    workers: [
      { ...(await base('events', 'entrypoint-events')), routes: ['events.example/*'] },
      { ...(await base('events-capturing', 'entrypoint-events')), routes: ['capturing.example/*'], bindings: { ...bindings, CAPTURE_ADDRESSES: '1' } },
      await base('service', 'entrypoint-service'),
      {
        ...(await base('caller', 'entrypoint-caller')),
        serviceBindings: { SERVICE: 'service', PLAIN: { name: 'service', entrypoint: 'PlainService' } },
      },
      {
        name: 'producer',
        modules: true,
        script: `export default { fetch(request) { console.log(new URL(request.url).searchParams.get('say')); return new Response('produced'); } };`,
        compatibilityDate,
        tails: ['events'],
      },
    ],
  });
  await mf.ready;
  caller = await mf.getWorker('caller');
  producer = await mf.getWorker('producer');
});
after(() => mf?.dispose());

const call = async (binding, scenario, query = {}) => {
  const res = await caller.fetch(`http://caller/${binding}/${scenario}?${new URLSearchParams(query)}`);
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
async function assertSettled(count) {
  await sleep(300);
  assert.equal(collector.spans.length, count, collector.spans.map((s) => s.name).join(', '));
  assert.deepEqual(collector.duplicates, []);
  assert.equal(new Set(collector.spans.map((s) => s.spanId)).size, count);
}

const RPC_SCENARIOS = ['echo', 'add', 'stream', 'tally', 'pipelined', 'reject', 'throwNow'];

test('service-binding RPC callers get identical results, streams, stubs and errors; one server span per call', async () => {
  for (const scenario of RPC_SCENARIOS) {
    const plain = await call('PLAIN', scenario);
    const instrumented = await call('SERVICE', scenario);
    assert.deepEqual(instrumented, plain, scenario);
  }
  assert.deepEqual(await call('PLAIN', 'echo'), { value: { count: 3, args: [1, 'two', { three: [3] }] } });
  assert.deepEqual(await call('PLAIN', 'stream'), { value: 'alpha!' });
  assert.deepEqual(await call('PLAIN', 'tally'), { value: [11, 16] });
  assert.deepEqual(await call('PLAIN', 'pipelined'), { value: 42 });
  assert.equal((await call('PLAIN', 'reject')).threw.isRangeError, true);
  assert.equal((await call('PLAIN', 'throwNow')).threw.isTypeError, true);

  await collector.waitFor((c) => c.spans.length >= RPC_SCENARIOS.length + 1, { timeoutMs: 5000 });
  await assertSettled(RPC_SCENARIOS.length + 1); // add() has a child span
  for (const method of ['echo', 'add', 'stream', 'reject', 'throwNow']) {
    const span = one(`ServiceImpl/${method}`);
    assert.equal(span.kind, 'server');
    assert.equal(span.attributes['rpc.method'], method);
    assert.equal(span.attributes['edgescope.entrypoint'], 'ServiceImpl');
  }
  assert.equal(named('ServiceImpl/tally').length, 2);
  assert.equal(one('add.work').parentSpanId, one('ServiceImpl/add').spanId);
  for (const method of ['reject', 'throwNow']) {
    assert.equal(one(`ServiceImpl/${method}`).status, 'error');
    assert.equal(one(`ServiceImpl/${method}`).attributes['edgescope.response.outcome'], 'threw');
  }
});

test('the trailing trace-context argument is stripped and parents the server span; waitUntil work stays in the trace', async () => {
  const context = newContext();
  const query = { traceparent: context.traceparent, tracestate: 'vendor=abc' };
  assert.deepEqual(await call('SERVICE', 'echo', query), { value: { count: 3, args: [1, 'two', { three: [3] }] } });
  assert.equal((await call('PLAIN', 'echo', query)).value.count, 4);
  assert.deepEqual(await call('SERVICE', 'later', query), { value: 'scheduled' });
  await collector.waitFor((c) => c.spans.length >= 3, { timeoutMs: 5000 });
  await assertSettled(3);
  for (const name of ['ServiceImpl/echo', 'ServiceImpl/later']) {
    assert.equal(one(name).traceId, context.traceId, name);
    assert.equal(one(name).parentSpanId, context.spanId, name);
  }
  const later = one('later.work');
  assert.equal(later.parentSpanId, one('ServiceImpl/later').spanId);
  assert.equal(later.attributes['edgescope.span.unended'], undefined);
});

test('fetch through the service binding: the same response, a server span parented on the traceparent header', async () => {
  const context = newContext();
  const init = { method: 'PUT', body: 'payload', headers: { traceparent: context.traceparent } };
  const plain = await caller.fetch('http://caller/PLAIN/fetch', init);
  const instrumented = await caller.fetch('http://caller/SERVICE/fetch', init);
  assert.equal(instrumented.status, plain.status);
  assert.equal(instrumented.headers.get('x-service'), 'yes');
  assert.equal(plain.headers.get('x-service'), 'yes');
  assert.equal(await instrumented.text(), await plain.text());
  await collector.waitFor((c) => c.spans.length >= 1, { timeoutMs: 5000 });
  await assertSettled(1);
  const span = one('PUT');
  assert.equal(span.traceId, context.traceId);
  assert.equal(span.parentSpanId, context.spanId);
  assert.equal(span.attributes['http.response.status_code'], 202);
  assert.equal(span.attributes['service.body'], 7);
  assert.equal(span.attributes['edgescope.entrypoint'], 'ServiceImpl');
});

const MAIL = (subject) =>
  [
    'From: Ada <ada@example.com>',
    'To: inbox@example.org',
    `Subject: ${subject}`,
    `Message-ID: <${randomBytes(6).toString('hex')}@example.com>`,
    'Content-Type: text/plain',
    '',
    'Hello there.',
    '',
  ].join('\r\n');
// Miniflare's trigger, as `wrangler dev` exposes it; the host picks the Worker by its routes.
const sendMail = async (subject, host = 'events.example') => {
  const body = MAIL(subject);
  const url = `http://${host}/cdn-cgi/handler/email?from=ada%40example.com&to=inbox%40example.org&format=json`;
  const res = await mf.dispatchFetch(url, { method: 'POST', body });
  return { status: res.status, json: await res.json(), size: Buffer.byteLength(body) };
};

test('email: one consumer span per message with sizes and no addresses; rejects and forwards as without edgescope; a throw is recorded and reaches the runtime', async () => {
  const forwarded = await sendMail('hello');
  assert.equal(forwarded.json.outcome, 'ok');
  assert.equal(forwarded.json.forwards.length, 1);
  const rejected = await sendMail('reject');
  assert.equal(rejected.json.rejectReason, 'not accepted here');
  const thrown = await sendMail('throw');
  assert.equal(thrown.json.outcome, 'exception');
  assert.equal(thrown.status, 500);

  await collector.waitFor((c) => named('email').length === 3 && c.spans.length === 4 && c.logs.length === 3, { timeoutMs: 5000 });
  await assertSettled(4); // three email spans, one forward span
  const spans = named('email');
  assert.deepEqual(spans.map((s) => s.attributes['edgescope.email.raw_size']).sort(), [forwarded.size, rejected.size, thrown.size].sort());
  for (const span of spans) {
    assert.equal(span.kind, 'consumer');
    assert.equal(span.attributes['edgescope.email.from.length'], 'ada@example.com'.length);
    assert.equal(span.attributes['edgescope.email.to.length'], 'inbox@example.org'.length);
  }
  assert.equal(one('mail.forward').traceId, spans.find((s) => s.spanId === one('mail.forward').parentSpanId).traceId);
  const failed = spans.filter((s) => s.status === 'error');
  assert.equal(failed.length, 1);
  assert.equal(failed[0].attributes['edgescope.response.outcome'], 'threw');
  assert.ok(failed[0].events.some((e) => e.name === 'exception' && e.attributes['exception.type'] === 'SyntaxError'));
  const text = JSON.stringify({ spans: collector.spans, logs: collector.logs });
  for (const address of ['ada@example.com', 'inbox@example.org']) assert.ok(!text.includes(address), address);
});

test('email: capture.clientAddress records the envelope addresses', async () => {
  const sent = await sendMail('hello', 'capturing.example');
  assert.equal(sent.json.outcome, 'ok');
  await collector.waitFor((c) => named('email').length === 1, { timeoutMs: 5000 });
  assert.equal(one('email').attributes['edgescope.email.from'], 'ada@example.com');
  assert.equal(one('email').attributes['edgescope.email.to'], 'inbox@example.org');
});

// workerd run locally leaves each event's scriptName null (Miniflare 4.20260730), so the names
// list is checked in tests/js/entrypoint-attributes.test.js; here: the count, and no names.
test('tail: one consumer span per batch of trace events, with the event count', async () => {
  assert.equal(await (await producer.fetch('http://producer/?say=first')).text(), 'produced');
  await collector.waitFor((c) => named('tail').length === 1 && c.logs.length === 1, { timeoutMs: 10000 });
  const span = one('tail');
  assert.equal(span.kind, 'consumer');
  assert.equal(span.attributes['edgescope.tail.event_count'], 1);
  assert.equal(span.attributes['edgescope.tail.exception_count'], 0);
  assert.equal(span.attributes['edgescope.tail.script_names'], undefined);
  assert.equal(span.attributes['edgescope.response.outcome'], 'complete');
  assert.equal(collector.logs[0].traceId, span.traceId);

  collector.clear();
  await (await producer.fetch('http://producer/?say=tail-throw')).text();
  await collector.waitFor((c) => named('tail').length === 1, { timeoutMs: 10000 });
  await assertSettled(1);
  assert.equal(one('tail').status, 'error');
  assert.ok(one('tail').events.some((e) => e.name === 'exception' && e.attributes['exception.type'] === 'EvalError'));
});
