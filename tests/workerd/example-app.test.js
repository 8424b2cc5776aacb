// The example app that `npm start` runs, under workerd, reporting to the capture collector.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';

const collector = useCollector();
let app;
before(async () => {
  await collector.ready;
  app = await startWorker({
    entry: fileURLToPath(new URL('../../examples/app/src/index.js', import.meta.url)),
    bindings: { COLLECTOR_URL: collector.nativeUrl },
  });
});
after(() => app.dispose());

const duration = () => collector.metrics.find((m) => m.name === 'http.server.request.duration');

test('/api/items: route-named root span, child span, metrics and a correlated log', async () => {
  assert.equal((await (await app.fetch('/api/items')).json()).length, 3);
  await collector.waitFor((c) => c.spans.length === 2 && c.logs.length === 1);
  const root = collector.spans.find((s) => s.kind === 'server');
  assert.equal(root.name, 'GET /api/items');
  assert.equal(root.attributes['http.route'], '/api/items');
  assert.equal(collector.spans.find((s) => s.name === 'db.query').parentSpanId, root.spanId);
  assert.deepEqual(collector.metrics.find((m) => m.name === 'items.listed').tags, { source: 'memory' });
  assert.deepEqual(duration().tags, { 'cache.tier': 'none', 'http.request.method': 'GET', 'http.response.status_code': 200, 'http.route': '/api/items' });
  assert.equal(collector.logs[0].traceId, root.traceId);
});

test('/stream: chunk spans recorded while streaming are exported with the request', async () => {
  assert.equal(await (await app.fetch('/stream')).text(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
  await collector.waitFor((c) => c.spans.length === 6 && c.logs.length === 5);
  assert.equal(collector.spans.filter((s) => s.name === 'stream.chunk').length, 5);
});

test('/error: the runtime answers 500, the span records the exception, the metric has error.type', async () => {
  const res = await app.fetch('/error');
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  await collector.waitFor((c) => c.spans.length === 1 && c.metrics.length === 2); // the duration and the errors counter
  assert.equal(collector.spans[0].status, 'error');
  assert.equal(collector.spans[0].statusMessage, 'something broke on purpose');
  assert.deepEqual(duration().tags, { 'cache.tier': 'none', 'error.type': 'Error', 'http.request.method': 'GET', 'http.route': '/error' });
});
