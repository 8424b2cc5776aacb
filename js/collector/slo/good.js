// Good and total requests of one rollup row (minute, hour, or raw points folded the same way) of
// the `http.server.request.duration` histogram, for one SLO.
//   availability: good = requests that are not errors by query/requests.js isErrorRequest (the
//     summary's and the dashboard's rule too); the row's series tags say which, so the whole row
//     is good or bad.
//   latency: good = requests at most thresholdMs, from the row's merged exponential sketch
//     (rollup/sketch.js countAtMost: bucket-granular, a bucket straddling the threshold counts as
//     bad), or from explicit buckets when the row has no sketch. A row with neither cannot be
//     judged: counted as `unmeasured`, left out of good and total.
import { countAtMost } from '../rollup/sketch.js';
import { isErrorRequest } from '../query/requests.js';

export { REQUEST_METRIC } from '../query/requests.js';

// Series JSON texts repeat across buckets: parsed once per evaluation.
export function seriesParser() {
  const cache = new Map();
  return (series) => {
    let tags = cache.get(series);
    if (tags === undefined) {
      try {
        tags = JSON.parse(series) ?? {};
      } catch {
        tags = {};
      }
      cache.set(series, tags);
    }
    return tags;
  };
}

// The threshold in the row's unit: the metric is in seconds (semantic conventions); 'ms' rows
// from a sender that chose milliseconds are honoured.
const thresholdIn = (unit, thresholdMs) => (unit === 'ms' ? thresholdMs : thresholdMs / 1000);

// Explicit buckets: bucket i holds values in (bounds[i-1], bounds[i]], the last one (bounds[n-1], +inf)
// (OTLP HistogramDataPoint explicit_bounds); good when its upper bound is within the threshold.
function explicitAtMost(bounds, bucketCounts, threshold) {
  let good = 0;
  let total = 0;
  bucketCounts.forEach((n, i) => {
    total += n;
    if (i < bounds.length && bounds[i] <= threshold) good += n;
  });
  return { good, total };
}

// -> { good, total, unmeasured }
export function rowCounts(slo, row, tagsOf) {
  const count = Number(row.count ?? 0);
  if (!(count > 0)) return { good: 0, total: 0, unmeasured: 0 };
  if (slo.kind === 'availability') return { good: isErrorRequest(tagsOf(row.series)) ? 0 : count, total: count, unmeasured: 0 };
  const threshold = thresholdIn(row.unit, slo.thresholdMs);
  if (row.exponential) return { ...countAtMost(row.exponential, threshold), unmeasured: 0 };
  if (Array.isArray(row.bounds) && Array.isArray(row.bucketCounts) && row.bucketCounts.length === row.bounds.length + 1) {
    return { ...explicitAtMost(row.bounds, row.bucketCounts, threshold), unmeasured: 0 };
  }
  return { good: 0, total: 0, unmeasured: count };
}
