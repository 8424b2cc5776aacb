// The Analytics Engine exporter's data point: the documented slot layout (the README table is
// checked against the code), the platform limits (20 blobs, 20 doubles, one index of at most 96
// bytes, 16 KB of blobs, 25 of our writes per invocation), what is cut and how (on a UTF-8 code
// point boundary, counted, reported once), and that it runs alongside the payload exporters
// through instrument() without ever being handed payloads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EdgescopeConfigError, createTelemetry, exporters, instrument, scopeOf } from 'edgescope';
import { BLOBS, DOUBLES, LIMITS, MAX_WRITES_PER_INVOCATION, cutUtf8, fitBlobs, layoutDataPoint } from '../../js/exporters/analytics-engine-layout.js';
import { writeInvocationSummaries } from '../../js/invocation-summary.js';
import { captureConsole, memoryExporter } from './helpers.js';

const bytes = (s) => new TextEncoder().encode(s).length;

function recordingDataset() {
  const points = [];
  return { points, writeDataPoint: (point) => void points.push(structuredClone(point)) };
}

const summary = {
  event: 'fetch', service: 'shop', version: 'v42', method: 'GET', route: '/items/:id', statusClass: '2xx',
  cacheTier: 'kv', errorType: '', outcome: 'complete', traceId: '0af7651916cd43dd8448eb211c80319c',
  count: 1, durationMs: 12.5, bytesIn: 0, bytesOut: 2048, cacheHits: 2, cacheLookups: 3, spans: 5, logs: 1,
  status: 200, errors: 0, cacheBytes: 512, cacheMs: 4, sampled: 1,
};

test('the data point has the documented slots in their documented order', () => {
  const point = layoutDataPoint(summary);
  assert.deepEqual(point.blobs, ['fetch', 'shop', 'v42', 'GET', '/items/:id', '2xx', 'kv', '', 'complete', '0af7651916cd43dd8448eb211c80319c']);
  assert.deepEqual(point.doubles, [1, 12.5, 0, 2048, 2, 3, 5, 1, 200, 0, 512, 4, 1]);
  assert.deepEqual(point.indexes, ['shop']);
  assert.ok(point.blobs.length <= LIMITS.blobs && point.doubles.length <= LIMITS.doubles);
});

test('the README slot table is the layout in the code, slot by slot', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `(blob|double)(\d+)` \| `(\w+)` \|/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
  const expected = [...BLOBS.map((f, i) => ['blob', i + 1, f]), ...DOUBLES.map((f, i) => ['double', i + 1, f])];
  assert.deepEqual(rows, expected);
});

test('a missing or non-finite fact is an empty blob or a zero double, so later slots keep their position', () => {
  const point = layoutDataPoint({ service: 'shop', durationMs: Number.NaN, status: undefined });
  assert.equal(point.blobs.length, BLOBS.length);
  assert.equal(point.blobs[1], 'shop');
  assert.equal(point.blobs[0], '');
  assert.ok(point.doubles.every((d) => d === 0));
});

test('a cut never splits a character, and the text kept is a prefix of the original', () => {
  const text = 'ab€€€'; // € is 3 bytes in UTF-8
  assert.deepEqual(cutUtf8(text, 4), { text: 'ab', cut: true, bytes: 2 });
  assert.deepEqual(cutUtf8(text, 5), { text: 'ab€', cut: true, bytes: 5 });
  assert.deepEqual(cutUtf8(text, 11), { text, cut: false, bytes: 11 });
  assert.equal(cutUtf8('a\uD800b', 10).text, 'a\uFFFDb'); // a lone surrogate is not valid UTF-8
});

test('the index is cut to 96 bytes on a code point boundary; an empty index falls back to the service', () => {
  const cuts = [];
  const route = `/${'é'.repeat(60)}`; // 121 bytes
  const point = layoutDataPoint({ ...summary, route }, 'route', cuts);
  assert.ok(bytes(point.indexes[0]) <= 96 && bytes(point.indexes[0]) >= 95);
  assert.ok(route.startsWith(point.indexes[0]) && !point.indexes[0].includes('\uFFFD'));
  assert.deepEqual(cuts, [{ slot: 'index1', field: 'route', from: 121, to: 95 }]);
  assert.deepEqual(layoutDataPoint({ ...summary, route: '' }, 'route').indexes, ['shop']);
  assert.deepEqual(layoutDataPoint(summary, (s) => `${s.service}:${s.cacheTier}`).indexes, ['shop:kv']);
});

test('a blob over 1 KiB is cut to 1 KiB; the blobs in total never exceed 16,000 bytes, cut from the last slot back', () => {
  const cuts = [];
  const point = layoutDataPoint({ ...summary, route: `/${'x'.repeat(1022)}€€` }, 'service', cuts);
  assert.equal(bytes(point.blobs[4]), 1023); // 1023 + the next 3-byte € would pass 1024
  assert.deepEqual(cuts, [{ slot: 'blob5', field: 'route', from: 1029, to: 1023 }]);

  const totalCuts = [];
  const twenty = Array.from({ length: 20 }, (_, i) => String.fromCharCode(65 + i).repeat(1000));
  const fitted = fitBlobs(twenty, totalCuts);
  assert.equal(fitted.reduce((n, b) => n + bytes(b), 0), LIMITS.blobBytesTotal);
  assert.deepEqual(fitted.slice(0, 16), twenty.slice(0, 16)); // the first 16 blobs whole
  assert.deepEqual(fitted.slice(16).map(bytes), [0, 0, 0, 0]);
  assert.deepEqual(totalCuts.map((c) => c.slot), ['blob20', 'blob19', 'blob18', 'blob17']);
  assert.throws(() => fitBlobs(Array(21).fill('x')), /at most 20 blobs/);
});

test('the exporter counts each cut and reports truncation once, whatever the number of points', () => {
  const dataset = recordingDataset();
  const exporter = exporters.analyticsEngine({ dataset, indexBy: 'route' });
  let lines;
  return captureConsole('warn', () => {
    exporter.write({ ...summary, route: `/${'r'.repeat(2000)}` });
    exporter.write({ ...summary, route: `/${'r'.repeat(2000)}` });
  }).then((captured) => {
    lines = captured;
    assert.equal(dataset.points.length, 2);
    assert.deepEqual(exporter.stats(), { written: 2, failed: 0, truncated: 4, refused: 0 }); // blob5 and index1, twice
    assert.equal(lines.length, 1);
    assert.match(lines[0], /blob5 \(route\) was cut from 2001 to 1024 bytes/);
  });
});

test('a dataset whose writeDataPoint throws: the write is counted as failed and logged once, nothing is thrown', async () => {
  const exporter = exporters.analyticsEngine({ dataset: { writeDataPoint() { throw new TypeError('refused'); } } });
  const lines = await captureConsole('warn', () => {
    assert.equal(exporter.write(summary), null);
    assert.equal(exporter.write(summary), null);
  });
  assert.equal(exporter.stats().failed, 2);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /could not be written: refused/);
});

test('the config names what is wrong with an Analytics Engine exporter', () => {
  const http = exporters.console({ write() {} });
  const named = (fn, field) => assert.throws(fn, (e) => e instanceof EdgescopeConfigError && e.field === field);
  named(() => exporters.analyticsEngine({}), 'exporters.analyticsEngine({ dataset })');
  named(() => exporters.analyticsEngine({ dataset: 'AE' }), 'exporters.analyticsEngine({ dataset })');
  named(() => exporters.analyticsEngine({ dataset: recordingDataset(), indexBy: 'colo' }), 'exporters.analyticsEngine({ indexBy })');
  named(() => exporters.analyticsEngine({ dataset: recordingDataset(), index: 'service' }), 'exporters.analyticsEngine({ index })');
  named(() => createTelemetry({ service: 's', exporter: exporters.analyticsEngine({ dataset: recordingDataset() }) }), 'exporter');
  const many = Array.from({ length: 26 }, () => exporters.analyticsEngine({ dataset: recordingDataset() }));
  named(() => createTelemetry({ service: 's', exporters: [http, ...many] }), 'exporters[26]');
  assert.doesNotThrow(() => createTelemetry({ service: 's', exporters: [http, ...many.slice(1)] }));
});

test('at most 25 of our data points per invocation, and one summary per invocation', async () => {
  const datasets = Array.from({ length: 26 }, recordingDataset);
  const list = datasets.map((dataset) => exporters.analyticsEngine({ dataset }));
  const telemetry = createTelemetry({ service: 's', exporters: [exporters.console({ write() {} }), ...list.slice(0, 25)] });
  // A scope as finalize() hands it over, with the config's exporters replaced to pass the cap.
  const scope = { telemetry: { config: { ...telemetry.config, exporters: list } }, startTime: Date.now(), method: 'GET', rootSpan: null, errorRecords: [] };
  const lines = await captureConsole('warn', () => {
    writeInvocationSummaries(scope);
    writeInvocationSummaries(scope);
  });
  assert.equal(datasets.slice(0, 25).filter((d) => d.points.length === 1).length, 25);
  assert.equal(datasets[25].points.length, 0);
  assert.equal(list[25].stats().refused, 1);
  assert.match(lines.join('\n'), /more than 25 data points in one invocation/);
  assert.equal(MAX_WRITES_PER_INVOCATION, 25);
});

test('through instrument(): one point per request with the request facts, while the HTTP-style exporter still gets every span', async () => {
  const dataset = recordingDataset();
  const mem = memoryExporter();
  const ae = exporters.analyticsEngine({ dataset, indexBy: 'route' });
  const worker = instrument(
    {
      async fetch(request) {
        const t = scopeOf(request);
        t.setRoute('/items/:id');
        t.trace('work', () => {});
        t.trace('index', (span) => span.setSource('kv'));
        t.recordFetch({ tier: 'kv', hit: true, durationMs: 2, bytes: 5 });
        t.recordFetch({ tier: 'memory', hit: false, durationMs: 0 });
        return new Response('x'.repeat(300), { status: 404 });
      },
    },
    () => ({ service: 'shop', versionMetadata: { id: 'id-1', tag: 'v7' }, exporters: [mem.exporter, ae] }),
  );
  const promises = [];
  const ctx = { waitUntil: (p) => promises.push(p), passThroughOnException() {} };
  const res = await worker.fetch(new Request('https://example.com/items/1'), {}, ctx);
  assert.equal((await res.text()).length, 300);
  await Promise.all(promises);
  assert.equal(dataset.points.length, 1);
  const [point] = dataset.points;
  const root = mem.spans.find((s) => s.parentSpanId === undefined || s.parentSpanId === null || s.parentSpanId === '');
  assert.deepEqual(point.blobs.slice(0, 7), ['fetch', 'shop', 'v7', 'GET', '/items/:id', '4xx', 'kv']);
  assert.equal(point.blobs[7], '404'); // error.type of an error response: its status code
  assert.equal(point.blobs[9], root.traceId);
  assert.deepEqual(point.indexes, ['/items/:id']);
  assert.equal(point.doubles[0], 1);
  assert.equal(point.doubles[3], 300); // bytes delivered
  assert.equal(point.doubles[6], 3); // spans: the root, `work` and `index`
  assert.deepEqual([point.doubles[4], point.doubles[5], point.doubles[10], point.doubles[11]], [1, 2, 5, 2]); // hits, lookups, bytes, ms
  assert.equal(point.doubles[8], 404);
  assert.equal(point.doubles[9], 1); // one error record: the 404 response
  assert.equal(point.doubles[12], 1); // sampled
  assert.equal(mem.spans.length, 3);
  assert.deepEqual(ae.stats(), { written: 1, failed: 0, truncated: 0, refused: 0 });
});
