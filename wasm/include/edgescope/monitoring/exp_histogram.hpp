// A base-2 exponential histogram: the OpenTelemetry metrics data model's ExponentialHistogram
// point, filled as the SDK's "Base2 Exponential Bucket Histogram Aggregation" fills it.
//
// Why this and not explicit buckets or per-isolate percentiles: a p95 of p95s means nothing, but
// two of these sketches merge exactly (bucket counts add once both are at one scale), so a
// collector can combine isolates and windows and take percentiles of the whole.
//
// Data model ("ExponentialHistogram"): base = 2^(2^-scale); bucket `index` counts values in
// (base^index, base^(index+1)] (upper bound inclusive); each side (positive, negative) is an
// `offset` (the first bucket's index) and consecutive counts; exact zeros go to zeroCount (the
// zero threshold is 0). Scales run from -10 to 20 (MaxScale 20: every finite double's index fits
// an int32 there).
//
// Aggregation (SDK spec): recording starts at MaxScale and, when a value's bucket would make a
// side span more than max_buckets, lowers the scale by the least amount that fits (each step
// halves the resolution: index -> index >> 1, so counts stay exact). Merging two sketches takes the
// lower scale, lowers it further if the union of ranges needs it, then adds counts.
//
// Mapping: the whole part of log2(value) comes from the IEEE 754 exponent bits (exact, power of
// two values land in the bucket below, as (base^i, base^(i+1)] requires); for scale > 0 the
// fraction comes from one log of the significand (in [1, 2)), scaled by 2^scale. The log is
// computed once, independent of the scale, so index(v, s-k) == index(v, s) >> k holds exactly for
// every value: recording at a low scale and downscaling from a high one agree bucket for bucket,
// which is what makes merge(A, B) equal the sketch of A and B recorded together. The log may put
// a value within about 1e-15 of a bucket boundary in the neighbouring bucket (the spec allows it).
//
// Quantiles: the value returned for a bucket (L, U] is 2LU/(L+U), the point whose largest
// relative error over the bucket is smallest; that error is (base-1)/(base+1) (relative_error()).
// The estimate is clamped to [min, max], which only brings it closer.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/grow_array.hpp"

namespace edgescope {
class JsonBuffer;
}

namespace edgescope::monitoring {

constexpr int kMaxScale = 20;
constexpr int kMinScale = -10;
constexpr std::uint32_t kDefaultMaxBuckets = 160;  // the SDK's default MaxSize
constexpr std::uint32_t kMinMaxBuckets = 4;        // scale -10 needs up to 3 buckets a side
constexpr std::uint32_t kMaxMaxBuckets = 8192;     // bounds memory; two full sides stay within the JSON reader's 20000 values

// One side: counts[i] is the count of bucket offset + i.
struct BucketRange {
  std::int32_t offset = 0;
  GrowArray<std::uint64_t> counts;  // no std::vector growth path of its own (grow_array.hpp)
  bool operator==(const BucketRange& o) const { return counts == o.counts && (counts.empty() || offset == o.offset); }
};

// The bucket index of a positive finite value at `scale` (exposed for tests).
std::int32_t exp_histogram_index(double positive, int scale);

class ExpHistogram {
 public:
  ExpHistogram() : ExpHistogram(kDefaultMaxBuckets) {}
  // max_buckets is clamped into [kMinMaxBuckets, kMaxMaxBuckets].
  explicit ExpHistogram(std::uint32_t max_buckets);

  // Adds one value. NaN and infinities are refused (false, nothing changed), as is a value that
  // would make the sum overflow: the caller counts them.
  bool record(double value);
  // Adds `other` into this sketch (this sketch's max_buckets applies). Refused (false, nothing
  // changed) when the sum would overflow or the count pass 2^53 (what JSON and JS carry exactly).
  bool merge(const ExpHistogram& other);
  // Lowers the scale by `by` steps (at most to kMinScale); counts are kept.
  void downscale(int by);
  // Back to empty at kMaxScale (max_buckets kept).
  void clear();

  // The estimate of the q-quantile (q in [0, 1]) as the value of rank ceil(q * count), 0 when
  // empty. Within relative_error(scale()) of that sample (see the file comment); the first and
  // last ranks return min and max exactly.
  double quantile(double q) const;
  // (base - 1) / (base + 1) for base = 2^(2^-scale).
  static double relative_error(int scale);

  int scale() const { return scale_; }
  std::uint32_t max_buckets() const { return max_buckets_; }
  std::uint64_t count() const { return count_; }
  std::uint64_t zero_count() const { return zero_count_; }
  double sum() const { return sum_; }
  double min() const { return min_; }  // 0 when empty
  double max() const { return max_; }
  const BucketRange& positive() const { return positive_; }
  const BucketRange& negative() const { return negative_; }

  // Same scale, counts, buckets, sum, min and max (max_buckets is configuration, not data).
  bool operator==(const ExpHistogram& o) const;
  bool operator!=(const ExpHistogram& o) const { return !(*this == o); }

 private:
  friend bool exp_histogram_from_json(std::string_view, ExpHistogram&, std::string&, std::uint32_t);
  int fit_shift(const BucketRange& side, std::int64_t lo, std::int64_t hi) const;
  void add(BucketRange& side, std::int32_t index, std::uint64_t n);

  std::uint32_t max_buckets_;
  int scale_ = kMaxScale;
  std::uint64_t count_ = 0;
  std::uint64_t zero_count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  BucketRange positive_;
  BucketRange negative_;
};

// Native JSON: {"scale":S,"zeroCount":N,"positive":{"offset":O,"bucketCounts":[..]},
// "negative":{..},"count":N,"sum":X,"min":X,"max":X}. Counts are plain JSON integers (at most
// 2^53, exact in JavaScript).
void append_exp_histogram_json(JsonBuffer& out, const ExpHistogram& h);
// Its "scale", "zeroCount", "positive" and "negative" members alone (no braces); `quoted`: the 64-bit
// counts as strings, as OTLP JSON's ExponentialHistogramDataPoint has them (proto3 JSON mapping).
void append_exp_buckets_json(JsonBuffer& out, const ExpHistogram& h, bool quoted);

// Strict decode of the form above, all or nothing: every field required, no unknown field, scale
// in [-10, 20], counts non-negative integers up to 2^53 - 1, at most max_buckets counts a side,
// the buckets within the scale's index range, count == zeroCount + every bucket, min <= max,
// finite sum. Leading and trailing zero buckets are dropped. On failure `out` is untouched and
// `error` names the field ("histogram.positive.bucketCounts[3]: expected a non-negative integer").
bool exp_histogram_from_json(std::string_view text, ExpHistogram& out, std::string& error,
                             std::uint32_t max_buckets = kDefaultMaxBuckets);

}  // namespace edgescope::monitoring
