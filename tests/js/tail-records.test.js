// edgescope/tail through the real wasm module in Node: recorded TraceItem fixtures
// (tests/fixtures/tail/*.json, the documented TraceItem shape with the non-zero cpuTime and
// wallTime production gives; locally the platform reports 0) handed to tail() as workerd would,
// and the records that reach a capture collector checked field by field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { exporters } from 'edgescope';
import { tailStats, tailWorker } from 'edgescope/tail';
import { EdgescopeConfigError } from '../../js/config.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();
const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/tail/${name}.json`, import.meta.url), 'utf8'));
const T = fixture('fetch')[0].eventTimestamp;

function worker(options = {}) {
  return tailWorker({ exporter: exporters.http({ url: collector.nativeUrl, retries: 0 }), ...options });
}

// One tail() call as workerd makes it; resolves when everything it handed to waitUntil settled.
async function tail(handler, items, env = {}) {
  const pending = [];
  const returned = handler.tail(items, env, { waitUntil: (p) => pending.push(p) });
  await Promise.all([returned, ...pending]);
}

const metric = (name, where = () => true) => collector.metrics.filter((m) => m.name === name && where(m));
const rootOf = (service) => {
  const spans = collector.spans.filter((s) => s.service === service);
  assert.equal(spans.length, 1, `one root span for ${service}: ${JSON.stringify(collector.spans.map((s) => [s.service, s.name]))}`);
  return spans[0];
};

describe('a fetch invocation', () => {
  test('is one SERVER span starting at eventTimestamp and lasting wallTime, with the HTTP attributes and the CPU time', async () => {
    await tail(worker(), fixture('fetch'));
    const span = rootOf('shop-api');
    assert.equal(span.name, 'GET');
    assert.equal(span.kind, 'server');
    assert.equal(span.startTime, T);
    assert.equal(span.endTime, T + 48.5);
    assert.equal(span.status, 'unset');
    assert.equal(span.parentSpanId, null);
    assert.deepEqual(span.attributes, {
      'http.request.method': 'GET',
      'faas.trigger': 'http',
      'url.full': 'https://shop.example.com/api/items/42',
      'url.scheme': 'https',
      'server.address': 'shop.example.com',
      'server.port': 443,
      'url.path': '/api/items/42',
      'http.response.status_code': 200,
      'edgescope.tail.outcome': 'ok',
      'edgescope.cpu.time': 3.75,
      'cloudflare.entrypoint': 'default',
    });
  });

  test('the platform redacts headers, so the incoming traceparent is read only with readHeaders: true', async () => {
    await tail(worker(), fixture('fetch'));
    assert.notEqual(rootOf('shop-api').traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    collector.clear();
    await tail(worker({ readHeaders: true }), fixture('fetch'));
    const span = rootOf('shop-api');
    assert.equal(span.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(span.parentSpanId, '00f067aa0ba902b7');
  });

  test('readHeaders asks the platform for the unredacted request (getUnredacted)', async () => {
    const [item] = fixture('fetch');
    const unredacted = item.event.request.headers;
    item.event.request = { ...item.event.request, headers: { traceparent: 'REDACTED' }, getUnredacted: () => ({ ...item.event.request, headers: unredacted }) };
    await tail(worker({ readHeaders: true }), [item]);
    assert.equal(rootOf('shop-api').traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  });

  test('its console logs are log records at their own times and severities, under the root span', async () => {
    await tail(worker(), fixture('fetch'));
    const span = rootOf('shop-api');
    const logs = collector.logs.map(({ time, level, message, traceId, spanId, service }) => ({ time, level, message, traceId, spanId, service }));
    const under = { traceId: span.traceId, spanId: span.spanId, service: 'shop-api' };
    assert.deepEqual(logs, [
      { time: T + 2, level: 'info', message: 'loading item 42', ...under },
      { time: T + 5, level: 'warn', message: 'slow upstream {"ms":40}', ...under },
      { time: T + 120, level: 'info', message: 'cache write finished', ...under },
    ]);
  });

  test('records http.server.request.duration (s) and edgescope.cpu.time (ms) as exponential histograms, and the invocation count by status and outcome', async () => {
    await tail(worker(), fixture('fetch'));
    const [duration] = metric('http.server.request.duration');
    assert.equal(duration.unit, 's');
    assert.deepEqual(duration.tags, { 'http.request.method': 'GET', 'http.response.status_code': 200 });
    assert.equal(duration.count, 1);
    assert.equal(duration.sum, 0.0485);
    assert.ok(duration.exponential, 'an exponential histogram');
    const [cpu] = metric('edgescope.cpu.time');
    assert.equal(cpu.unit, 'ms');
    assert.deepEqual(cpu.tags, { 'faas.trigger': 'http' });
    assert.equal(cpu.sum, 3.75);
    assert.ok(cpu.exponential, 'an exponential histogram');
    const [count] = metric('edgescope.tail.invocations');
    assert.equal(count.type, 'counter');
    assert.equal(count.value, 1);
    assert.deepEqual(count.tags, { 'faas.trigger': 'http', 'edgescope.tail.outcome': 'ok', 'http.response.status_code': 200 });
  });

  test('scriptVersion becomes service.version on the resource', async () => {
    const bodies = [];
    const raw = { name: 'raw', format: 'native', endpoint: 'memory', async send(payloads) {
      return payloads.map((p) => (bodies.push(JSON.parse(new TextDecoder().decode(p.body))), { ok: true, records: p.records }));
    } };
    await tail(tailWorker({ exporter: raw }), fixture('fetch'));
    assert.equal(bodies[0].service, 'shop-api');
    assert.equal(bodies[0].resource['service.version'], 'v1.4.0');
    assert.equal(bodies[0].resource['faas.version'], 'a1b2c3d4-0000-4000-8000-000000000001');
  });
});

describe('hard cases', () => {
  test('an invocation that threw before a response: error status, error.type, the classified exception at its time, the errors counter', async () => {
    await tail(worker(), fixture('fetch-threw'));
    const span = rootOf('shop-api');
    assert.equal(span.status, 'error');
    assert.equal(span.statusMessage, "TypeError: Cannot read properties of undefined (reading 'id')");
    assert.equal(span.attributes['error.type'], 'TypeError');
    assert.equal(span.attributes['http.response.status_code'], undefined);
    assert.equal(span.attributes['edgescope.tail.outcome'], 'exception');
    assert.match(span.attributes['error.fingerprint'], /^[0-9a-f]{16}$/);
    const [event] = span.events;
    assert.equal(event.name, 'exception');
    assert.equal(event.time, T + 6);
    assert.equal(event.attributes['exception.type'], 'TypeError');
    assert.match(event.attributes['exception.stacktrace'], /at handleOrder/);
    assert.equal(event.attributes['error.fingerprint'], span.attributes['error.fingerprint']);
    const [duration] = metric('http.server.request.duration');
    assert.deepEqual(duration.tags, { 'http.request.method': 'POST', 'error.type': 'TypeError' });
    const [errors] = metric('errors');
    assert.equal(errors.value, 1);
    assert.equal(errors.tags['error.fingerprint'], span.attributes['error.fingerprint']);
    assert.equal(errors.tags['error.type'], 'TypeError');
  });

  test('console.error(e) then throw e: the log and the exception are one error, counted once', async () => {
    const [item] = fixture('fetch-threw');
    const { name, message, stack } = item.exceptions[0];
    const logged = { ...item, logs: [{ timestamp: T + 5, level: 'error', message: [`${name}: ${message}`], errorInfo: [{ name, message, stack }] }] };
    await tail(worker(), [logged]);
    const [errors] = metric('errors');
    assert.equal(errors.value, 1);
    assert.equal(metric('errors').length, 1);
  });

  test('the same exception in the in-isolate mode and in the tail mode gets the same fingerprint', async () => {
    const { createTelemetry } = await import('edgescope');
    const [item] = fixture('fetch-threw');
    const { name, message, stack } = item.exceptions[0];
    const error = Object.assign(new Error(message), { name, stack });
    const telemetry = createTelemetry({ service: 'shop-api', exporter: exporters.http({ url: collector.nativeUrl, retries: 0 }) });
    telemetry.trace('POST', (span) => span.recordException(error));
    await telemetry.flush();
    const inIsolate = collector.spans[0].attributes['error.fingerprint'];
    collector.clear();
    await tail(worker(), [item]);
    assert.equal(rootOf('shop-api').attributes['error.fingerprint'], inIsolate);
  });

  test('an unhandled rejection the platform reports as outcome ok is an error span, the response status kept', async () => {
    await tail(worker(), fixture('unhandled-rejection'));
    const span = rootOf('shop-api');
    assert.equal(span.attributes['edgescope.tail.outcome'], 'ok');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.status, 'error');
    assert.match(span.statusMessage, /audit sink unavailable/);
    assert.equal(span.events[0].time, T + 25);
    assert.equal(metric('errors').length, 1);
  });

  test('a 5xx response is an error span and a classified response error', async () => {
    await tail(worker(), fixture('server-error'));
    const span = rootOf('shop-api');
    assert.equal(span.status, 'error');
    assert.equal(span.statusMessage, 'HTTP 503');
    assert.match(span.attributes['error.fingerprint'], /^[0-9a-f]{16}$/);
    assert.equal(metric('errors')[0].tags['error.type'], '503');
  });

  test('a truncated item is marked on its span, counted in tailStats() and a metric, and said once', async () => {
    const handler = worker();
    const lines = await captureConsole('warn', () => tail(handler, fixture('truncated')));
    const span = rootOf('chatty');
    assert.equal(span.attributes['edgescope.tail.truncated'], true);
    assert.equal(tailStats(handler).truncated, 1);
    assert.equal(metric('edgescope.tail.truncated')[0].value, 1);
    assert.equal(collector.logs.length, 120, 'every log the platform kept');
    assert.equal(lines.filter((l) => l.includes('truncated')).length, 1);
    await captureConsole('warn', () => tail(handler, fixture('truncated')));
    assert.equal(tailStats(handler).truncated, 2);
  });

  test('logs written by waitUntil work after the response keep their later times and the invocation\'s trace', async () => {
    await tail(worker(), fixture('waituntil-logs'));
    const span = rootOf('shop-api');
    const late = collector.logs.filter((l) => l.time > span.endTime);
    assert.deepEqual(late.map((l) => [l.time - T, l.level, l.message]), [
      [2400, 'info', 'analytics flushed after the response'],
      [2600, 'error', 'analytics retry failed'],
    ]);
    for (const log of late) assert.equal(log.traceId, span.traceId);
  });

  test('one tail() call with items of several watched Workers (a caller and its service-binding callees): one service each', async () => {
    const handler = worker();
    await tail(handler, fixture('service-binding'));
    assert.deepEqual(collector.spans.map((s) => [s.service, s.name, s.kind]).sort(), [
      ['accounts', 'AccountService/profile', 'server'],
      ['accounts-http', 'GET', 'server'],
      ['gateway', 'GET', 'server'],
    ]);
    const callee = rootOf('accounts');
    assert.deepEqual(
      { ...callee.attributes },
      { 'rpc.system': 'cloudflare_workers_rpc', 'rpc.service': 'AccountService', 'rpc.method': 'profile', 'faas.trigger': 'other', 'edgescope.tail.outcome': 'ok', 'edgescope.cpu.time': 1.75, 'cloudflare.entrypoint': 'AccountService' },
    );
    assert.deepEqual(collector.logs.map((l) => [l.service, l.message]).sort(), [['accounts', 'profile served'], ['gateway', 'forwarding to accounts']]);
    assert.deepEqual(metric('edgescope.cpu.time').map((m) => [m.service, m.sum]).sort(), [['accounts', 1.75], ['accounts-http', 0.5], ['gateway', 2.5]]);
    assert.equal(metric('errors').length, 1, "the callee's 404");
    assert.equal(tailStats(handler).services, 3);
    assert.equal(tailStats(handler).items, 3);
  });

  test('past maxServices the least recently seen service is flushed and dropped: nothing lost, counted, said', async () => {
    const handler = worker({ maxServices: 2 });
    const lines = await captureConsole('warn', () => tail(handler, fixture('service-binding')));
    assert.equal(collector.spans.length, 3, 'every item exported once');
    assert.equal(tailStats(handler).servicesEvicted, 1);
    assert.equal(tailStats(handler).services, 2);
    assert.equal(lines.filter((l) => l.includes("'gateway'") && l.includes('maxServices')).length, 1);
    await captureConsole('warn', () => tail(handler, fixture('fetch')));
    assert.equal(collector.spans.length, 4);
    assert.equal(tailStats(handler).servicesEvicted, 2);
  });

  test('a tail() call without an array of items is refused and counted', async () => {
    const handler = worker();
    const lines = await captureConsole('error', () => tail(handler, { not: 'items' }));
    assert.equal(tailStats(handler).itemsRefused, 1);
    assert.match(lines[0], /expects an array of trace items/);
  });

  test('an item that is not an object is refused and counted; the rest of the batch is recorded', async () => {
    const handler = worker();
    const lines = await captureConsole('error', () => tail(handler, [null, ...fixture('queue')]));
    assert.equal(tailStats(handler).itemsRefused, 1);
    assert.equal(lines.length, 1);
    assert.equal(rootOf('mailer').name, 'queue outbound-mail');
  });
});

describe('other events', () => {
  test('cron: faas.trigger timer and faas.cron', async () => {
    await tail(worker(), fixture('scheduled'));
    const span = rootOf('nightly');
    assert.equal(span.name, 'scheduled 0 3 * * *');
    assert.equal(span.kind, 'internal');
    assert.equal(span.attributes['faas.trigger'], 'timer');
    assert.equal(span.attributes['faas.cron'], '0 3 * * *');
    assert.equal(span.endTime - span.startTime, 1500);
    assert.equal(metric('http.server.request.duration').length, 0, 'no HTTP metric for a cron');
    assert.equal(metric('edgescope.cpu.time')[0].sum, 25.5);
    assert.equal(collector.logs[0].message, 'purged 17 rows');
  });

  test('queue: a CONSUMER span with the messaging attributes', async () => {
    await tail(worker(), fixture('queue'));
    const span = rootOf('mailer');
    assert.equal(span.kind, 'consumer');
    assert.equal(span.attributes['messaging.system'], 'cloudflare_queues');
    assert.equal(span.attributes['messaging.destination.name'], 'outbound-mail');
    assert.equal(span.attributes['messaging.batch.message_count'], 8);
    assert.deepEqual(metric('edgescope.tail.invocations')[0].tags, { 'faas.trigger': 'pubsub', 'edgescope.tail.outcome': 'ok' });
  });

  test('diagnostics_channel events are span events at their own times', async () => {
    await tail(worker(), fixture('queue'));
    const [event] = rootOf('mailer').events;
    assert.deepEqual(event, {
      name: 'diagnostics_channel',
      time: T + 4,
      attributes: { 'edgescope.diagnostics_channel.name': 'mailer:send', 'edgescope.diagnostics_channel.message': '{"to":"domain.example","ok":true}' },
    });
  });

  test('RPC: {entrypoint}/{method} with rpc.method', async () => {
    await tail(worker(), fixture('rpc'));
    const span = rootOf('accounts');
    assert.equal(span.name, 'AccountService/getBalance');
    assert.equal(span.attributes['rpc.method'], 'getBalance');
    assert.equal(span.attributes['rpc.system'], 'cloudflare_workers_rpc');
  });

  test('a Durable Object alarm carries the object id', async () => {
    await tail(worker(), fixture('alarm'));
    const span = rootOf('rooms');
    assert.equal(span.name, 'alarm');
    assert.equal(span.attributes['faas.trigger'], 'timer');
    assert.equal(span.attributes['edgescope.durable_object.id'], fixture('alarm')[0].durableObjectId);
    assert.equal(span.attributes['cloudflare.entrypoint'], 'Room');
  });
});

describe('config', () => {
  test('tail-only keys are checked up front, naming the field', () => {
    const bad = [
      [{ readHeaders: 'yes' }, 'readHeaders'],
      [{ maxServices: 0 }, 'maxServices'],
      [{ maxServices: 1000 }, 'maxServices'],
      [{ sampleRate: 2 }, 'sampleRate'],
      [{ unknownKey: 1 }, 'unknownKey'],
    ];
    for (const [options, field] of bad) {
      assert.throws(() => worker(options), (e) => e instanceof EdgescopeConfigError && e.field === field, field);
    }
    assert.throws(() => tailWorker(null), EdgescopeConfigError);
  });

  test('a config function is evaluated once, with the env of the first call', async () => {
    let calls = 0;
    const handler = tailWorker((env) => {
      calls++;
      return { exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) };
    });
    await tail(handler, fixture('rpc'), { COLLECTOR_URL: collector.nativeUrl });
    await tail(handler, fixture('rpc'), { COLLECTOR_URL: collector.nativeUrl });
    assert.equal(calls, 1);
    assert.equal(collector.spans.length, 2);
  });

  test('a config function returning a bad config fails open: tail() resolves, the failure is logged, nothing is exported', async () => {
    const handler = tailWorker(() => ({ readHeaders: 'yes' }));
    const lines = await captureConsole('error', () => tail(handler, fixture('rpc')));
    assert.match(lines.join('\n'), /readHeaders/);
    assert.equal(collector.spans.length, 0);
    assert.equal(tailStats(handler).items, 0);
  });

  test('an item without scriptName is recorded under config.service', async () => {
    const [item] = fixture('rpc');
    await tail(worker({ service: 'fallback' }), [{ ...item, scriptName: null }]);
    assert.equal(rootOf('fallback').name, 'AccountService/getBalance');
  });
});
