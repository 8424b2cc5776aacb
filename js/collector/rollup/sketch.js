// Exponential-histogram sketches as the core writes them on the wire (OTLP
// ExponentialHistogramDataPoint: { scale, zeroCount, positive: { offset, bucketCounts },
// negative: { offset, bucketCounts }, count, sum, min, max }), merged exactly and queried, for the
// collector's rollups, queries and SLOs. Bucket i at scale s holds values in (base^i, base^(i+1)],
// base = 2^(2^-s) (OpenTelemetry data model, "ExponentialHistogram"). The rules are the core's
// (wasm/src/monitoring/exp_histogram.cpp), so a merge of the sketches of two halves equals the
// sketch of the whole, bucket for bucket, and a quantile is the core's estimate.
// Worker-safe and pure: plain objects in, new plain objects out.
//
// A sketch outside the data model (wire/otlp-decode/sketch-limits.js: scale -10..20, at most
// 4096 buckets per side, indices a double can reach) is refused with a SketchError naming the
// field: the decoders refuse such sketches at ingest, so one here was written by something else,
// and merging it would mean an unbounded allocation or a wrong re-scaling. Callers count it and
// go on (rollup/fold.js foldPoints). No spread of a bucket list either (`Math.min(...list)`
// overflows the stack at a few hundred thousand arguments): loops.
import { MAX_SKETCH_SCALE, MIN_SKETCH_SCALE, sketchProblem } from '../../wire/otlp-decode/sketch-limits.js';

const MIN_SCALE = MIN_SKETCH_SCALE;
const MAX_SCALE = MAX_SKETCH_SCALE;
// The core's default bound per sign (config histograms.maxBuckets, the OpenTelemetry SDK's
// MaxSize): the same bound here keeps a merged rollup identical to one sketch of all the values.
export const DEFAULT_MAX_BUCKETS = 160;

export class SketchError extends Error {
  constructor(field, problem) {
    super(`exponential.${field}: ${problem}`);
    this.name = 'SketchError';
    this.field = `exponential.${field}`;
  }
}

// Throws a SketchError for a sketch the merge must not take.
export function checkSketch(sketch) {
  const found = sketchProblem(sketch);
  if (found) throw new SketchError(found.field, found.problem);
  return sketch;
}

const counts = (side) => side?.bucketCounts ?? [];
const hasBuckets = (s) => counts(s.positive).length > 0 || counts(s.negative).length > 0;
// floor(i / 2^by): the index at a scale `by` lower (exact for every index an int32 holds). Only
// ever downwards: a merge never raises a scale (fittingScale starts at the lowest one).
function shiftDown(i, by) {
  if (by < 0) throw new RangeError(`sketch merge: a shift to a higher scale (${by}) is never exact`);
  return Math.floor(i / 2 ** by);
}

export function emptySketch(scale = MAX_SCALE) {
  return { scale, zeroCount: 0, positive: { offset: 0, bucketCounts: [] }, negative: { offset: 0, bucketCounts: [] }, count: 0, sum: 0, min: 0, max: 0 };
}

// [lo, hi] of one side's buckets at `scale` (lower than or equal to the sketch's), or null.
function range(sketch, sideName, scale) {
  const side = sketch[sideName];
  const n = counts(side).length;
  if (n === 0) return null;
  const by = sketch.scale - scale;
  return [shiftDown(side.offset, by), shiftDown(side.offset + n - 1, by)];
}

// The highest scale <= `start` at which both sides of every sketch fit in `maxBuckets` each, or
// MIN_SCALE (where sketches within the limits span at most a handful of buckets per side).
function fittingScale(sketches, start, maxBuckets) {
  let scale = start;
  for (;;) {
    if (scale <= MIN_SCALE) return MIN_SCALE;
    let fits = true;
    for (const sideName of ['positive', 'negative']) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const s of sketches) {
        const r = range(s, sideName, scale);
        if (r === null) continue;
        lo = Math.min(lo, r[0]);
        hi = Math.max(hi, r[1]);
      }
      if (hi - lo + 1 > maxBuckets) fits = false;
    }
    if (fits) return scale;
    scale -= 1;
  }
}

// Both sides of every sketch summed into one side at `scale`, zero buckets trimmed from the ends.
function combine(sketches, sideName, scale) {
  const byIndex = new Map();
  for (const s of sketches) {
    const side = s[sideName];
    const c = counts(side);
    const by = s.scale - scale;
    for (let i = 0; i < c.length; i++) {
      if (c[i] === 0) continue;
      const index = shiftDown(side.offset + i, by);
      byIndex.set(index, (byIndex.get(index) ?? 0) + c[i]);
    }
  }
  if (byIndex.size === 0) return { offset: 0, bucketCounts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const index of byIndex.keys()) {
    if (index < lo) lo = index;
    if (index > hi) hi = index;
  }
  const bucketCounts = new Array(hi - lo + 1).fill(0);
  for (const [index, n] of byIndex) bucketCounts[index - lo] = n;
  return { offset: lo, bucketCounts };
}

// The exact merge of `a` and `b` (either may be null): the lower of the two scales, then lower
// still until the union of each side fits in `maxBuckets`; counts, sums, min and max combine.
// A SketchError when either is outside the limits (checkSketch).
export function mergeSketch(a, b, maxBuckets = DEFAULT_MAX_BUCKETS) {
  if (!a) return b ? mergeSketch(emptySketch(checkSketch(b).scale), b, maxBuckets) : null;
  if (!b) return mergeSketch(a, emptySketch(checkSketch(a).scale), maxBuckets);
  checkSketch(a);
  checkSketch(b);
  const withBuckets = [a, b].filter(hasBuckets);
  // A sketch without buckets has no resolution to keep (the core's rule): it takes the other's.
  const scales = (withBuckets.length === 0 ? [a, b] : withBuckets).map((s) => s.scale);
  const start = scales.length === 1 ? scales[0] : Math.min(scales[0], scales[1]);
  const scale = withBuckets.length === 0 ? start : fittingScale(withBuckets, start, maxBuckets);
  const aCount = a.count ?? 0;
  const bCount = b.count ?? 0;
  const min = aCount === 0 ? b.min : bCount === 0 ? a.min : Math.min(a.min, b.min);
  const max = aCount === 0 ? b.max : bCount === 0 ? a.max : Math.max(a.max, b.max);
  return {
    scale,
    zeroCount: (a.zeroCount ?? 0) + (b.zeroCount ?? 0),
    positive: combine(withBuckets, 'positive', scale),
    negative: combine(withBuckets, 'negative', scale),
    count: aCount + bCount,
    sum: (a.sum ?? 0) + (b.sum ?? 0),
    min: aCount + bCount === 0 ? 0 : min,
    max: aCount + bCount === 0 ? 0 : max,
  };
}

// 2^(k / 2^bits) for 0 <= k < 2^bits, as the core computes it (pow2_fraction): a product of
// square roots of 2, each correctly rounded (IEEE 754 sqrt and multiply), so the result is the
// same double in every engine. `2 ** x` for a fractional x is not: V8's pow differs by an ulp
// between Node and workerd builds.
function pow2Fraction(k, bits) {
  let result = 1;
  let root = 2;
  for (let j = bits - 1; j >= 0; j--) {
    root = Math.sqrt(root);
    if (Math.floor(k / 2 ** j) % 2 === 1) result *= root;
  }
  return result;
}

// base^index, the lower bound of bucket `index` at `scale`, computed as the core does (the
// integer part of the exponent as an exact power of two).
function lowerBound(index, scale) {
  if (scale <= 0) return 2 ** (index * 2 ** -scale);
  const per = 2 ** scale;
  const whole = Math.floor(index / per);
  return pow2Fraction(index - whole * per, scale) * 2 ** whole;
}
const baseOf = (scale) => (scale > 0 ? pow2Fraction(1, scale) : 2 ** (2 ** -scale));

// Every bucket in value order: [lower bound, upper bound, count, negative?]; zeros as [0, 0, n].
function* inOrder(sketch) {
  const neg = sketch.negative ?? { offset: 0, bucketCounts: [] };
  const pos = sketch.positive ?? { offset: 0, bucketCounts: [] };
  for (let i = counts(neg).length - 1; i >= 0; i--) {
    const index = neg.offset + i;
    yield [-lowerBound(index + 1, sketch.scale), -lowerBound(index, sketch.scale), neg.bucketCounts[i], index];
  }
  yield [0, 0, sketch.zeroCount ?? 0, null];
  for (let i = 0; i < counts(pos).length; i++) {
    const index = pos.offset + i;
    yield [lowerBound(index, sketch.scale), lowerBound(index + 1, sketch.scale), pos.bucketCounts[i], index];
  }
}

// The q-quantile (0..1) as the core estimates it: rank ceil(q·count); the lowest and highest
// ranks are min and max exactly; otherwise 2LU/(L+U) of the bucket holding the rank, clamped to
// [min, max]. 0 for an empty sketch.
export function quantile(sketch, q) {
  const count = sketch?.count ?? 0;
  if (count === 0) return 0;
  if (!(q > 0)) q = 0;
  if (q > 1) q = 1;
  const wanted = Math.ceil(q * count);
  const rank = wanted < 1 ? 1 : wanted >= count ? count : wanted;
  if (rank === 1) return sketch.min;
  if (rank === count) return sketch.max;
  const factor = 2 / (1 + 1 / baseOf(sketch.scale));
  let seen = 0;
  let estimate = 0;
  for (const [lower, upper, n, index] of inOrder(sketch)) {
    seen += n;
    if (seen < rank) continue;
    if (index !== null) {
      const magnitude = lowerBound(index, sketch.scale) * factor;
      estimate = lower < 0 || upper < 0 ? -magnitude : magnitude;
    }
    break;
  }
  return Math.min(Math.max(estimate, sketch.min), sketch.max);
}

// How many recorded values were at most `threshold`, to bucket granularity: a bucket counts as
// good when its upper bound is <= threshold, the zeros when threshold >= 0, a negative bucket
// when its upper bound (closest to zero) is. Values in the bucket straddling the threshold count
// as bad, so a latency SLO never reports better than the data shows. min/max settle the edges
// exactly: everything is good when max <= threshold, nothing when min > threshold.
export function countAtMost(sketch, threshold) {
  const total = sketch?.count ?? 0;
  if (total === 0) return { good: 0, total: 0 };
  if (sketch.max <= threshold) return { good: total, total };
  if (sketch.min > threshold) return { good: 0, total };
  let good = 0;
  for (const [, upper, n, index] of inOrder(sketch)) {
    const top = index === null ? 0 : upper;
    if (top <= threshold) good += n;
  }
  return { good, total };
}
