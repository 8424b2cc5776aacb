// edgescope/tail in workerd through Miniflare: a watched Worker with no edgescope in it and the
// callee behind its service bindings, both with the tail Worker as their `tails` consumer (Miniflare
// 4's name for wrangler's `tail_consumers`); the tail Worker exports to a capture collector. Every
// invocation kind the platform reports arrives as edgescope records under the watched Worker's
// script name. Locally the platform reports cpuTime and wallTime as 0; the fixtures test
// (tests/js/tail-records.test.js) covers the values.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultCompatibilityDate } from '../../js/testing/compatibility.js';
import { importMiniflare } from '../../js/testing/worker.js';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf } from './helpers.js';

const collector = useCollector();
let mf = null;
let watched = null;
let watchedHeaders = null;

before(async () => {
  await collector.ready;
  const miniflare = await importMiniflare();
  const compatibilityDate = defaultCompatibilityDate(miniflare);
  const [consumer, watchedBundle, callee] = await Promise.all(['tail-consumer', 'tail-watched', 'tail-callee'].map(bundleOf));
  const worker = (name, bundle, extra) => ({ name, modules: bundle.modules, modulesRoot: '/', compatibilityDate, ...extra });
  mf = new miniflare.Miniflare({
    workers: [
      worker('tail-watched', watchedBundle, {
        tails: ['tail-consumer'],
        serviceBindings: { CALLEE: { name: 'tail-callee', entrypoint: 'Accounts' }, CALLEE_HTTP: 'tail-callee' },
        queueConsumers: { 'tail-jobs': { maxBatchTimeout: 0 } },
      }),
      worker('tail-callee', callee, { tails: ['tail-consumer'] }),
      worker('tail-consumer', consumer, { bindings: { COLLECTOR_URL: collector.nativeUrl } }),
      // The same watched code under a tail Worker allowed to read the unredacted headers.
      worker('tail-watched-headers', watchedBundle, { tails: ['tail-consumer-headers'] }),
      worker('tail-consumer-headers', consumer, { bindings: { COLLECTOR_URL: collector.nativeUrl, READ_HEADERS: 'true' } }),
    ],
  });
  await mf.ready;
  watched = await mf.getWorker('tail-watched');
  watchedHeaders = await mf.getWorker('tail-watched-headers');
});
after(() => mf?.dispose());

// The root span of `service` whose attributes match `where`, once it has arrived.
async function spanOf(service, where) {
  const find = () => collector.spans.find((s) => s.service === service && where(s));
  await collector.waitFor(() => find() !== undefined, { timeoutMs: 10_000 });
  return find();
}
const logsOf = (span) => collector.logs.filter((l) => l.traceId === span.traceId);

// Locally the platform reports `scriptName: null` (production names the script): every item is
// recorded under the tail Worker's `service`, and cases are told apart by their URL or event.
const SERVICE = 'tail-fallback';
const byPath = (path, host = 'watched.example') => (s) => s.attributes['url.path'] === path && s.attributes['server.address'] === host;

describe('a watched Worker with no edgescope in it', () => {
  test('fetch: a SERVER span with the HTTP attributes, its console logs, the request and CPU histograms', async () => {
    const response = await watched.fetch('http://watched.example/ok?token=secret');
    assert.equal(await response.text(), 'ok');
    const span = await spanOf(SERVICE, byPath('/ok'));
    assert.equal(span.name, 'GET');
    assert.equal(span.kind, 'server');
    assert.equal(span.status, 'unset');
    assert.equal(span.attributes['url.full'], 'http://watched.example/ok');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['edgescope.tail.outcome'], 'ok');
    await collector.waitFor(() => logsOf(span).length === 2);
    assert.deepEqual(logsOf(span).map((l) => [l.level, l.message]), [['info', 'serving 42'], ['warn', 'slow path {"ms":40}']]);
    for (const log of logsOf(span)) assert.ok(log.time >= span.startTime, 'a log at its own time, not before the invocation');
    await collector.waitFor(() => collector.metrics.some((m) => m.name === 'edgescope.cpu.time'));
    const duration = collector.metrics.find((m) => m.name === 'http.server.request.duration' && m.tags['http.response.status_code'] === 200);
    assert.equal(duration.unit, 's');
    assert.ok(duration.exponential);
    assert.equal(collector.metrics.find((m) => m.name === 'edgescope.cpu.time').unit, 'ms');
  });

  test('a handler that throws: outcome exception, error span, error.type, the classified exception, the errors counter', async () => {
    // Miniflare hands the watched Worker's uncaught error to the caller (dev's pretty error).
    await assert.rejects(watched.fetch('http://watched.example/throw'), /no such order/);
    const span = await spanOf(SERVICE, byPath('/throw'));
    assert.equal(span.status, 'error');
    assert.equal(span.statusMessage, 'TypeError: no such order');
    assert.equal(span.attributes['edgescope.tail.outcome'], 'exception');
    assert.equal(span.attributes['error.type'], 'TypeError');
    assert.equal(span.attributes['http.response.status_code'], undefined);
    const exception = span.events.find((e) => e.name === 'exception');
    assert.equal(exception.attributes['exception.message'], 'no such order');
    assert.equal(exception.attributes['error.fingerprint'], span.attributes['error.fingerprint']);
    await collector.waitFor(() => collector.metrics.some((m) => m.name === 'errors' && m.tags['error.fingerprint'] === span.attributes['error.fingerprint']));
    assert.equal(logsOf(span)[0].level, 'error');
  });

  test('many logs past the platform size cap: the item arrives truncated, marked and counted', async () => {
    await (await watched.fetch('http://watched.example/many?lines=400')).text();
    const span = await spanOf(SERVICE, byPath('/many'));
    assert.equal(span.attributes['edgescope.tail.truncated'], true);
    await collector.waitFor(() => collector.metrics.some((m) => m.name === 'edgescope.tail.truncated'));
    const kept = logsOf(span).length;
    assert.ok(kept > 0 && kept < 400, `the logs the platform kept (${kept}) are exported`);
  });

  test('a log written by waitUntil work after the response is exported at its own time, in the invocation', async () => {
    await (await watched.fetch('http://watched.example/waituntil')).text();
    const span = await spanOf(SERVICE, byPath('/waituntil'));
    await collector.waitFor(() => logsOf(span).length === 1);
    const [log] = logsOf(span);
    assert.equal(log.message, 'after the response');
    assert.ok(log.time >= span.startTime + 25, `${log.time - span.startTime} ms after the start`);
  });

  test('cron: faas.cron on an internal span', async () => {
    await watched.scheduled({ cron: '*/7 * * * *' });
    const span = await spanOf(SERVICE, (s) => s.attributes['faas.cron'] === '*/7 * * * *');
    assert.equal(span.name, 'scheduled */7 * * * *');
    assert.equal(span.attributes['faas.trigger'], 'timer');
    await collector.waitFor(() => logsOf(span).length === 1);
    assert.equal(logsOf(span)[0].message, 'cron ran */7 * * * *');
  });

  test('queue: a CONSUMER span with the messaging attributes', async () => {
    await watched.queue('tail-jobs', [
      { id: 'a', timestamp: new Date(), body: 1, attempts: 1 },
      { id: 'b', timestamp: new Date(), body: 2, attempts: 1 },
    ]);
    const span = await spanOf(SERVICE, (s) => s.kind === 'consumer');
    assert.equal(span.name, 'queue tail-jobs');
    assert.equal(span.attributes['messaging.system'], 'cloudflare_queues');
    assert.equal(span.attributes['messaging.destination.name'], 'tail-jobs');
    assert.equal(span.attributes['messaging.batch.message_count'], 2);
  });

  test('a callee behind a service binding: its RPC method and its fetch are invocations of their own', async () => {
    assert.deepEqual(await (await watched.fetch('http://watched.example/callee-rpc')).json(), { name: 'ann' });
    const caller = await spanOf(SERVICE, byPath('/callee-rpc'));
    const rpc = await spanOf(SERVICE, (s) => s.attributes['rpc.method'] === 'profile');
    assert.equal(rpc.name, 'Accounts/profile');
    assert.equal(rpc.kind, 'server');
    assert.equal(rpc.attributes['rpc.system'], 'cloudflare_workers_rpc');
    assert.equal(rpc.attributes['cloudflare.entrypoint'], 'Accounts');
    assert.notEqual(rpc.traceId, caller.traceId, 'a TraceItem carries no trace context: a trace of its own');
    await collector.waitFor(() => logsOf(rpc).length === 1);
    assert.equal(logsOf(rpc)[0].message, 'profile for ann');
    assert.equal(await (await watched.fetch('http://watched.example/callee-fetch')).text(), 'callee');
    const fetched = await spanOf(SERVICE, byPath('/profile', 'callee.internal'));
    assert.equal(fetched.attributes['http.response.status_code'], 200);
  });

  test('with readHeaders: true the incoming traceparent parents the root span', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await (await watchedHeaders.fetch('http://headers.example/ok', { headers: { traceparent } })).text();
    const span = await spanOf(SERVICE, byPath('/ok', 'headers.example'));
    assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span.parentSpanId, 'b7ad6b7169203331');
    await (await watched.fetch('http://watched.example/ok?second', { headers: { traceparent } })).text();
    await collector.waitFor(() => collector.spans.filter((s) => s.attributes['url.path'] === '/ok' && s.attributes['server.address'] === 'watched.example').length >= 1);
    const unread = collector.spans.filter(byPath('/ok'));
    assert.ok(unread.every((s) => s.traceId !== '0af7651916cd43dd8448eb211c80319c'), 'without readHeaders the header is not read');
  });
});
