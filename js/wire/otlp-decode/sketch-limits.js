// What an exponential-histogram sketch may be before a collector stores or merges it (OTLP
// ExponentialHistogramDataPoint). One rule for every place that takes a sketch — the OTLP
// decoder (records.js), the native decoder (../native.js) and the collector's merge
// (collector/rollup/sketch.js) — so a sketch refused at one is refused at all, and one that was
// stored can always be merged:
//   - scale from -10 to 20: the range the data model's mapping functions are defined for;
//   - at most MAX_SKETCH_BUCKETS buckets per side: the largest histograms.maxBuckets the core
//     allows (js/config.js), so no edgescope sender exceeds it; a merge allocates one array
//     per side, so an unbounded count is a memory and CPU bomb for the cron;
//   - bucket indices a double can reach at that scale (log2 of a finite positive double lies in
//     [-1074, 1024], so index = ceil(log2(v)·2^scale) - 1 lies in [-1074·2^scale - 1,
//     1024·2^scale - 1]): a sender computing indices from real values never leaves that range,
//     and staying inside it keeps a merge's buckets bounded at every scale.
// Worker-safe and pure.
import { EXPONENTIAL } from '../schema.js';

export const MIN_SKETCH_SCALE = EXPONENTIAL.scale.min;
export const MAX_SKETCH_SCALE = EXPONENTIAL.scale.max;
export const MAX_SKETCH_BUCKETS = 4096;

// The lowest and highest bucket index a finite double has at `scale`.
export function indexRange(scale) {
  const per = 2 ** scale;
  return [Math.floor(-1074 * per) - 1, Math.ceil(1024 * per) - 1];
}

// The first problem of `sketch` ({ scale, positive, negative } as the wire carries them, bucket
// counts already numbers) as { field, problem } (field relative to the sketch), or null.
export function sketchProblem(sketch) {
  const { scale } = sketch;
  if (!Number.isInteger(scale) || scale < MIN_SKETCH_SCALE || scale > MAX_SKETCH_SCALE) {
    return { field: 'scale', problem: `expected an integer from ${MIN_SKETCH_SCALE} to ${MAX_SKETCH_SCALE}, got ${scale}` };
  }
  const [lowest, highest] = indexRange(scale);
  for (const sideName of EXPONENTIAL.sides) {
    const side = sketch[sideName];
    if (side === undefined || side === null) continue;
    const n = Array.isArray(side.bucketCounts) ? side.bucketCounts.length : 0;
    if (n > MAX_SKETCH_BUCKETS) {
      return { field: `${sideName}.bucketCounts`, problem: `${n} buckets; at most ${MAX_SKETCH_BUCKETS} per side are accepted` };
    }
    if (n === 0) continue;
    const offset = side.offset ?? 0;
    if (!Number.isInteger(offset) || offset < lowest || offset + n - 1 > highest) {
      return { field: `${sideName}.offset`, problem: `buckets ${offset}..${offset + n - 1} lie outside the indices a double has at scale ${scale} (${lowest}..${highest})` };
    }
  }
  return null;
}
