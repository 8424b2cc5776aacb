// The Analytics Engine exporter under workerd, writing to Miniflare's real analyticsEngineDatasets
// binding next to the HTTP exporter. Miniflare's local dataset discards what it is given, so the
// Worker (workers/analytics-engine.js) forwards each call to the real binding and keeps the
// arguments it forwarded; the tests assert the binding accepted every point and read the layout
// from those arguments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'analytics-engine', {}, { miniflare: { analyticsEngineDatasets: { AE: { dataset: 'edgescope_test' } } } });

let seen = 0;
// The points written since the last call (GET /points writes its own point after it answered:
// that one shows up in a later read, and is skipped here by its route).
async function newPoints() {
  const { recorded, stats } = await (await worker.fetch('/points')).json();
  const fresh = recorded.slice(seen).filter((r) => r.point.blobs[4] !== '/points');
  seen = recorded.length;
  return { points: fresh, stats };
}

async function waitForPoint() {
  for (let i = 0; i < 100; i++) {
    const { points, stats } = await newPoints();
    if (points.length > 0) return { points, stats };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no data point was written');
}

test('a streamed request writes one point, after the body, with the documented layout, accepted by the real binding', async () => {
  await newPoints();
  const res = await worker.fetch('/items/7?chunks=3');
  assert.equal(await res.text(), 'chunk 0\nchunk 1\nchunk 2\n');
  const { points, stats } = await waitForPoint();
  await collector.waitFor((c) => c.spans.length >= 1);
  assert.equal(points.length, 1);
  const [{ point, accepted }] = points;
  assert.equal(accepted, true);
  const root = collector.spans.find((s) => s.name === 'GET /items/:id');
  assert.deepEqual(point.blobs, ['fetch', 'ae-worker', 'v3', 'GET', '/items/:id', '2xx', 'none', '', 'complete', root.traceId]);
  assert.deepEqual(point.indexes, ['/items/:id']);
  const [count, durationMs, bytesIn, bytesOut, hits, lookups, spans, logs, status, errors, cacheBytes, cacheMs, sampled] = point.doubles;
  assert.equal(point.doubles.length, 13);
  assert.deepEqual({ count, bytesIn, bytesOut, hits, lookups, spans, logs, status, errors, cacheBytes, cacheMs, sampled },
    { count: 1, bytesIn: 0, bytesOut: 24, hits: 0, lookups: 0, spans: 1, logs: 0, status: 200, errors: 0, cacheBytes: 0, cacheMs: 0, sampled: 1 });
  assert.ok(durationMs >= 6, `duration covers the three 2 ms chunk waits: ${durationMs}`);
  assert.equal(stats.failed, 0);
});

test('lookups and a tier recorded while streaming, after the handler returned, are in the point', async () => {
  await newPoints();
  const res = await worker.fetch('/items/8?chunks=3&tier');
  assert.equal(await res.text(), 'chunk 0\nchunk 1\nchunk 2\n');
  const { points } = await waitForPoint();
  const [{ point }] = points;
  assert.equal(point.blobs[6], 'kv');
  const [, , , bytesOut, hits, lookups, spans, , , , cacheBytes, cacheMs] = point.doubles;
  assert.deepEqual({ bytesOut, hits, lookups, spans, cacheBytes, cacheMs }, { bytesOut: 24, hits: 1, lookups: 2, spans: 2, cacheBytes: 10, cacheMs: 3 });
});

test('a route over the limits is cut on a code point boundary: blob5 to 1 KiB, the index to 96 bytes; the binding takes the point', async () => {
  await newPoints();
  const route = `/${'ü'.repeat(800)}`; // 1601 bytes of UTF-8
  const res = await worker.fetch(`/x?chunks=1&route=${encodeURIComponent(route)}`);
  await res.text();
  const { points, stats } = await waitForPoint();
  const [{ point, accepted }] = points;
  assert.equal(accepted, true);
  const bytes = (s) => new TextEncoder().encode(s).length;
  assert.equal(bytes(point.blobs[4]), 1023); // 1 + 511 × 2 bytes: the 512th ü would pass 1024
  assert.equal(bytes(point.indexes[0]), 95);
  assert.ok(route.startsWith(point.blobs[4]) && route.startsWith(point.indexes[0]));
  assert.ok(stats.truncated >= 2);
});

test('a handler that throws still writes its point: outcome threw, the exception type, no status', async () => {
  await newPoints();
  const res = await worker.fetch('/throw');
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  const { points } = await waitForPoint();
  const [{ point, accepted }] = points;
  assert.equal(accepted, true);
  assert.deepEqual(point.blobs.slice(3, 9), ['GET', '', '', 'none', 'TypeError', 'threw']);
  assert.equal(point.doubles[8], 0);
  assert.equal(point.doubles[9], 1);
});
