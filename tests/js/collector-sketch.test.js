// The collector's sketch merge and quantiles against the core's own sketches: what two isolates
// flushed, merged in the collector, equals what one isolate that saw every value flushed, bucket
// for bucket, and the collector's quantiles are the core's estimates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { countAtMost, mergeSketch, quantile, SketchError } from '../../js/collector/rollup/sketch.js';
import { sketchOf, foldPoints, MINUTE, rowKey, seriesKey, HOUR, reWindow, mergeRows, pointFromDb, rowFromDb, rowToDb, ROLLUP_COLUMNS } from '../../js/collector/rollup/fold.js';
import { decodeNative } from '../../js/wire/index.js';
import { keepingExporter } from './helpers.js';

// A deterministic spread of durations in seconds: 0.3 ms .. 30 s, log-uniform, some negatives
// only where asked.
function values(n, seed, { negative = false } = {}) {
  let x = seed;
  const out = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = 0.0003 * 10 ** (5 * (x / 2147483648));
    out.push(negative && i % 7 === 0 ? -v : v);
  }
  return out;
}

// The metric points one core flushed after recording `list` (time fixed by the clock given).
async function flushed(list, { name = 'latency', unit = 'ms', tags = { route: '/a' } } = {}) {
  const docs = [];
  const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  for (const v of list) t.metrics.histogram(name, v, tags, { unit });
  await t.flush();
  return decodeNative(docs[0]).metrics.filter((m) => m.name === name);
}

test("the merged sketches of two isolates' flushes equal the sketch of one that saw every value", async () => {
  for (const negative of [false, true]) {
    const all = values(3000, 7, { negative });
    const [whole] = await flushed(all);
    const [first] = await flushed(all.slice(0, 1100));
    const [second] = await flushed(all.slice(1100));
    const [a, b, w] = [sketchOf(first), sketchOf(second), sketchOf(whole)];
    whole.exponential = w;
    for (const merged of [mergeSketch(a, b), mergeSketch(b, a)]) {
      assert.equal(merged.scale, whole.exponential.scale);
      assert.deepEqual(merged.positive, whole.exponential.positive);
      assert.deepEqual(merged.negative, whole.exponential.negative);
      assert.equal(merged.zeroCount, whole.exponential.zeroCount);
      assert.equal(merged.count, whole.exponential.count);
      assert.equal(merged.min, whole.exponential.min);
      assert.equal(merged.max, whole.exponential.max);
      assert.ok(Math.abs(merged.sum - whole.exponential.sum) <= 1e-9 * Math.abs(whole.exponential.sum));
    }
  }
});

test("quantiles of a sketch are the core's p50/p95/p99 estimates", async () => {
  for (const [n, seed] of [[5, 1], [200, 2], [3000, 3]]) {
    const [point] = await flushed(values(n, seed));
    for (const [q, core] of [[0.5, point.p50], [0.95, point.p95], [0.99, point.p99]]) {
      const mine = quantile(sketchOf(point), q);
      assert.equal(mine, core, `q${q} of ${n}`);
    }
  }
  assert.equal(quantile(null, 0.5), 0);
});

test('countAtMost counts the values under a threshold, never more than there were', async () => {
  const list = values(2000, 11);
  const [point] = await flushed(list);
  for (const threshold of [0.001, 0.01, 0.1, 1, 10]) {
    const exact = list.filter((v) => v <= threshold).length;
    const { good, total } = countAtMost(sketchOf(point), threshold);
    assert.equal(total, list.length);
    assert.ok(good <= exact, `at ${threshold}: ${good} counted good, only ${exact} were`);
    // Bucket granularity: a value at most threshold/base sits in a bucket whose upper bound is
    // at most the threshold, so only the straddling bucket is lost.
    const base = 2 ** (2 ** -point.exponential.scale);
    assert.ok(good >= list.filter((v) => v <= threshold / base).length, `at ${threshold}: ${good} is too few`);
  }
  assert.deepEqual(countAtMost(sketchOf(point), 1e9), { good: 2000, total: 2000 });
  assert.deepEqual(countAtMost(sketchOf(point), 0), { good: 0, total: 2000 });
});

test('folding points by minute adds counters, keeps the last gauge and merges histograms; hours fold minutes', async () => {
  const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
  const tags = { 'http.route': '/a', 'cache.tier': 'kv' };
  const [h1] = await flushed(values(100, 5), { tags });
  const [h2] = await flushed(values(50, 6), { tags });
  const points = [
    { service: 's', name: 'hits', type: 'counter', value: 2, time: t0 + 1000, tags: { b: 1, a: 2 } },
    { service: 's', name: 'hits', type: 'counter', value: 3, time: t0 + 59_000, tags: { a: 2, b: 1 } },
    { service: 's', name: 'hits', type: 'counter', value: 5, time: t0 + 61_000, tags: { a: 2, b: 1 } },
    { service: 's', name: 'temp', type: 'gauge', value: 9, time: t0 + 1000, tags: {} },
    { service: 's', name: 'temp', type: 'gauge', value: 4, time: t0 + 2000, tags: {} },
    { ...h1, service: 's', time: t0 + 3000 },
    { ...h2, service: 's', time: t0 + 4000 },
    { service: 's', name: 'temp', type: 'counter', value: 1, time: t0 + 5000, tags: {} },
  ];
  const { rows, skipped } = foldPoints(points, MINUTE);
  assert.equal(skipped, 1, 'the counter point of a gauge series is not folded');
  const get = (name, bucket, tagsOf) => rows.get(rowKey({ service: 's', name, resolution: MINUTE, bucket, series: seriesKey(tagsOf) }));
  assert.equal(get('hits', t0, { a: 2, b: 1 }).value, 5);
  assert.equal(get('hits', t0, { a: 2, b: 1 }).points, 2);
  assert.equal(get('hits', t0 + 60_000, { a: 2, b: 1 }).value, 5);
  const gauge = get('temp', t0, {});
  assert.deepEqual([gauge.value, gauge.min, gauge.max], [4, 4, 9]);
  const hist = get('latency', t0, tags);
  assert.equal(hist.route, '/a');
  assert.equal(hist.count, 150);
  assert.deepEqual(hist.exponential, mergeSketch(sketchOf(h1), sketchOf(h2)));
  // Minutes into the hour: the same as folding every point at hourly resolution directly.
  let hour = null;
  for (const row of rows.values()) if (row.name === 'hits') hour = hour ? mergeRows(hour, reWindow(row, HOUR)) : reWindow(row, HOUR);
  const direct = foldPoints(points.filter((p) => p.name === 'hits'), HOUR).rows;
  assert.deepEqual(hour, [...direct.values()][0]);
});

test('rows and points round-trip through their D1 column form', async () => {
  const [h] = await flushed(values(40, 9));
  const { rows } = foldPoints([{ ...h, service: 's', time: 1_000_000 }], MINUTE);
  const row = [...rows.values()][0];
  const db = Object.fromEntries(ROLLUP_COLUMNS.map((c, i) => [c, rowToDb(row)[i]]));
  assert.deepEqual(rowFromDb(db), row);
  const point = pointFromDb({ id: 1, service: 's', name: 'n', type: 'histogram', value: 1, time: 5, tags: '{"a":1}', count: 1, sum: 1, min: 1, max: 1, bounds: '[1,2]', bucket_counts: '[0,1,0]', exponential: null, unit: 'ms' });
  assert.deepEqual(point.tags, { a: 1 });
  assert.deepEqual(point.bucketCounts, [0, 1, 0]);
});

// A sketch as a sender outside the data model might write one: `n` buckets of 1 from `offset`.
const wide = (scale, n, offset = 0) => ({ scale, zeroCount: 0, positive: { offset, bucketCounts: new Array(n).fill(1) }, negative: { offset: 0, bucketCounts: [] }, count: n, sum: n, min: 1, max: 2 });

test('a sketch outside the data model is refused by the merge with the field named, not a crash or a wrong re-scaling', () => {
  // 300,000 buckets at scale -10: a spread of the bucket list overflowed the stack here.
  assert.throws(() => mergeSketch(wide(-10, 300_000), wide(-10, 300_000)), (e) => e instanceof SketchError && e.field === 'exponential.positive.bucketCounts' && /300000 buckets; at most 4096/.test(e.message));
  assert.throws(() => mergeSketch(wide(-11, 2), null), (e) => e instanceof SketchError && e.field === 'exponential.scale');
  assert.throws(() => mergeSketch(null, wide(21, 2)), (e) => e instanceof SketchError && e.field === 'exponential.scale');
  // Bucket indices no double reaches at that scale (at -10 every double is in bucket -2..0).
  assert.throws(() => mergeSketch(wide(-10, 1, 1_000_000), wide(-10, 1)), (e) => e instanceof SketchError && e.field === 'exponential.positive.offset');
});

test('sketches at the limits merge within the bucket bound: 4096 buckets a side, the lowest scale, the far ends of the index range', () => {
  const merged = mergeSketch(wide(20, 4096, 0), wide(20, 4096, 1_000_000));
  assert.equal(merged.count, 8192);
  assert.ok(merged.positive.bucketCounts.length <= 160);
  assert.equal(merged.positive.bucketCounts.reduce((a, c) => a + c, 0), 8192);
  // The two ends of what doubles reach at scale -10 (the tiniest subnormals and the largest values).
  const ends = mergeSketch(wide(-10, 1, -2), wide(-10, 1, 0));
  assert.equal(ends.scale, -10);
  assert.deepEqual(ends.positive, { offset: -2, bucketCounts: [1, 0, 1] });
});

test('folding skips and counts any point that cannot be folded, keeping the reason, and folds the rest', async () => {
  const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
  const [h] = await flushed(values(30, 4));
  const bad = (id, exponential) => ({ ...h, id, service: 's', time: t0, exponential });
  const points = [
    bad(1, wide(-10, 300_000)),
    { ...h, id: 2, service: 's', time: t0 + 1000 },
    bad(3, wide(-11, 3)),
    { service: 's', name: 'hits', type: 'counter', value: 2, time: t0, tags: {}, id: 4 },
  ];
  const { rows, skipped, reasons } = foldPoints(points, MINUTE);
  assert.equal(skipped, 2);
  assert.equal(reasons.length, 2);
  assert.match(reasons[0], /^point 1 s\/latency: exponential\.positive\.bucketCounts: 300000 buckets/);
  assert.match(reasons[1], /^point 3 s\/latency: exponential\.scale: expected an integer from -10 to 20, got -11/);
  const hist = [...rows.values()].find((r) => r.name === 'latency');
  assert.equal(hist.points, 1);
  assert.deepEqual(hist.exponential, sketchOf({ ...h }));
  assert.equal([...rows.values()].find((r) => r.name === 'hits').value, 2);
});
