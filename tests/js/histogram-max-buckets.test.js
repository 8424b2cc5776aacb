// histograms.maxBuckets: the bucket bound of exponential histograms reaches the core, so a wide
// range of durations is kept at a coarser scale within the bound (and a finer one with more
// buckets), and a bad bound is refused up front, naming the field.
import { keepingExporter } from './helpers.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { decodeOtlp, validateOtlpJson } from 'edgescope/testing';

// Durations from 1 µs to 1000 s, in milliseconds: 30 binary orders of magnitude.
async function sketchOf(histograms) {
  const docs = [];
  const t = createTelemetry({ service: 'svc', exporters: [keepingExporter('otlp-json', (p, doc) => docs.push(doc))], ...(histograms ? { histograms } : {}) });
  for (let v = 0.001; v <= 1e6; v *= 1.1) t.metrics.histogram('work.duration', v, {}, { unit: 'ms' });
  await t.flush();
  for (const doc of docs) validateOtlpJson('metrics', doc);
  const points = docs.flatMap((doc) => decodeOtlp('metrics', doc).metrics).filter((m) => m.name === 'work.duration');
  assert.equal(points.length, 1);
  return points[0].exponential;
}

test('histograms.maxBuckets bounds the buckets of exponential histograms, and more buckets keep a finer scale', async () => {
  const small = await sketchOf({ maxBuckets: 16 });
  const standard = await sketchOf(undefined);
  const large = await sketchOf({ maxBuckets: 1024 });
  assert.ok(small.positive.bucketCounts.length <= 16, `${small.positive.bucketCounts.length} buckets`);
  assert.ok(standard.positive.bucketCounts.length <= 160, `${standard.positive.bucketCounts.length} buckets`);
  assert.ok(standard.positive.bucketCounts.length > 16);
  assert.ok(small.scale < standard.scale && standard.scale < large.scale, `scales ${small.scale} < ${standard.scale} < ${large.scale}`);
  // The same values at every bound: only the resolution differs.
  const total = (e) => e.positive.bucketCounts.reduce((a, b) => a + b, 0) + e.zeroCount;
  assert.equal(total(small), total(standard));
  assert.equal(total(large), total(standard));
});

test('a histograms config other than { maxBuckets: 4..4096 } is refused, naming the field', () => {
  for (const [histograms, field] of [
    [{ maxBuckets: 3 }, 'histograms.maxBuckets'],
    [{ maxBuckets: 4097 }, 'histograms.maxBuckets'],
    [{ maxBuckets: 16.5 }, 'histograms.maxBuckets'],
    [{ buckets: [1, 2] }, 'histograms.buckets'],
    ['160', 'histograms'],
  ]) {
    assert.throws(
      () => createTelemetry({ service: 'svc', exporters: [keepingExporter('native', () => {})], histograms }),
      (e) => e.message.includes(`\`${field}\``),
      JSON.stringify(histograms),
    );
  }
});
