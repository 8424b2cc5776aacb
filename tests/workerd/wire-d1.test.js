// The D1 tables generated from the record schema hold one decoded record of each kind, written
// through the schema's generic insert inside workerd against Miniflare's real D1 (SQLite).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { startWorker } from 'edgescope/testing';
import { decodeNative } from '../../js/wire/index.js';
import { keepingExporter } from '../js/helpers.js';
import { bundleOf } from './helpers.js';

// One real native payload from the core: a span, a log, a counter, an exponential histogram.
async function realPayload() {
  const docs = [];
  const t = createTelemetry({
    service: 'wire-d1',
    requestMetrics: false,
    exporters: [keepingExporter('native', (_, d) => docs.push(d))],
  });
  t.trace('GET /x', (span) => {
    span.setAttribute('http.route', '/x');
    span.logger.warn('slow', { ms: 12 });
  });
  t.metrics.increment('hits', 2, { route: '/x' });
  for (const v of [0.5, 2, 8]) t.metrics.histogram('latency', v, { route: '/x' }, { unit: 'ms' });
  await t.flush();
  assert.equal(docs.length, 1);
  return docs[0];
}

let worker;
let doc;
before(async () => {
  doc = await realPayload();
  worker = await startWorker({ bundle: await bundleOf('wire-d1'), d1Databases: ['DB'] });
});
after(() => worker?.dispose());

const rows = async () => (await worker.fetch('/rows')).json();
const post = (body) => worker.fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('a malformed payload is refused naming the field, and nothing is stored', async () => {
  const bad = structuredClone(doc);
  delete bad.spans[0].traceId;
  const res = await post(bad);
  assert.equal(res.status, 400);
  assert.equal((await res.json()).path, '$.spans[0].traceId');
  const stored = await rows();
  for (const table of Object.values(stored)) assert.equal(table.length, 0);
});

test('one span, one log and each metric point land in the schema tables with their decoded values', async () => {
  const decoded = decodeNative(doc);
  const res = await post(doc);
  assert.equal(res.status, 202, await res.clone().text());
  const stored = await rows();
  assert.deepEqual(stored.batches, [{ batch_id: doc.batchId, version: 1, service: 'wire-d1', resource: JSON.stringify(doc.resource) }]);

  const [span] = stored.spans;
  assert.equal(stored.spans.length, 1);
  const s = decoded.spans[0];
  assert.equal(span.batch_id, doc.batchId);
  assert.equal(span.trace_id, s.traceId);
  assert.equal(span.span_id, s.spanId);
  assert.equal(span.parent_span_id, null);
  assert.equal(span.name, 'GET /x');
  assert.equal(span.start_time, s.startTime);
  assert.equal(span.end_time, s.endTime);
  assert.equal(span.status, s.status);
  assert.deepEqual(JSON.parse(span.attributes), s.attributes);

  assert.equal(stored.logs.length, 1);
  assert.equal(stored.logs[0].level, 'warn');
  assert.equal(stored.logs[0].message, 'slow');
  assert.equal(stored.logs[0].trace_id, s.traceId);
  assert.deepEqual(JSON.parse(stored.logs[0].attributes), decoded.logs[0].attributes);

  const byName = Object.fromEntries(stored.metric_points.map((m) => [m.name, m]));
  assert.equal(byName.hits.type, 'counter');
  assert.equal(byName.hits.value, 2);
  assert.deepEqual(JSON.parse(byName.hits.tags), { route: '/x' });
  const h = byName.latency;
  const expected = decoded.metrics.find((m) => m.name === 'latency');
  assert.equal(h.type, 'histogram');
  assert.equal(h.count, 3);
  assert.equal(h.sum, 10.5);
  assert.deepEqual(JSON.parse(h.exponential), expected.exponential);
  assert.equal(h.unit, 'ms');
});

test('a repeated batch id is refused by the batches key, and the batch leaves no records behind', async () => {
  const before = await rows();
  const res = await post(doc);
  assert.equal(res.status, 500);
  assert.match((await res.json()).error, /UNIQUE constraint failed: batches\.batch_id/);
  assert.deepEqual(await rows(), before);
});
