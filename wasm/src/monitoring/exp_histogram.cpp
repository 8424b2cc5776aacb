#include "edgescope/monitoring/exp_histogram.hpp"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "../resilience/fields.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope::monitoring {
namespace {

constexpr std::uint64_t kMaxCount = 9007199254740991;  // 2^53 - 1: exact in JSON and JavaScript
constexpr std::uint64_t kSignificandMask = (std::uint64_t{1} << 52) - 1;
constexpr double kLog2E = 1.4426950408889634;  // 1 / ln 2

// No libm here: its log and exp2 bring tables of a few kilobytes into the module (size budget,
// scripts/size-budget.mjs); sqrt, floor and ceil are single wasm instructions.

// 2^e for any integer e, 0 and infinity past the double range.
double pow2(std::int64_t e) {
  if (e > 1023) return INFINITY;
  if (e < -1074) return 0;
  const std::uint64_t bits = e >= -1022 ? static_cast<std::uint64_t>(e + 1023) << 52 : std::uint64_t{1} << (e + 1074);
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// log2(m) for m in [1, 2), within a few units in the last place: with r = m or m/2 in
// [sqrt(1/2), sqrt(2)), log(r) = 2 atanh(t) for t = (r-1)/(r+1), |t| < 0.172, summed to t^19 (the
// next term is below 1e-17).
double log2_significand(double m) {
  double whole = 0;
  if (m > 1.4142135623730951) {
    m *= 0.5;
    whole = 1;
  }
  // 2/k for k = 19, 17, ..., 1, as constants: under -Oz the loop is not unrolled, and nine
  // divisions per recorded value would cost more than the rest of record().
  static constexpr double kTerms[] = {2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3, 2.0};
  const double t = (m - 1) / (m + 1);
  const double t2 = t * t;
  double series = 0;
  for (const double term : kTerms) series = term + t2 * series;
  return whole + t * series * kLog2E;
}

// 2^(k / 2^bits) for 0 <= k < 2^bits, from repeated square roots of 2 (bits <= 20: about as many
// rounding errors, far below a bucket's width).
double pow2_fraction(std::int64_t k, int bits) {
  double result = 1;
  double root = 2;
  for (int j = bits - 1; j >= 0; --j) {
    root = std::sqrt(root);
    if ((k >> j) & 1) result *= root;
  }
  return result;
}

// The lowest and highest index a finite non-zero double maps to at `scale` (2^-1074 and DBL_MAX).
std::int64_t min_index(int scale) { return scale > 0 ? -1074 * (std::int64_t{1} << scale) - 1 : (-1075 >> -scale); }
std::int64_t max_index(int scale) { return scale > 0 ? (std::int64_t{1024} << scale) - 1 : (1023 >> -scale); }

std::int64_t last_index(const BucketRange& side) {
  return static_cast<std::int64_t>(side.offset) + static_cast<std::int64_t>(side.counts.size()) - 1;
}

// Makes `side` cover [lo, hi] (new buckets zero).
void extend(BucketRange& side, std::int64_t lo, std::int64_t hi) {
  if (side.counts.empty()) {
    side.offset = static_cast<std::int32_t>(lo);
    side.counts.resize(static_cast<std::size_t>(hi - lo + 1));  // empty: all zeros
    return;
  }
  if (lo < side.offset) {
    // By hand: vector::insert's range machinery costs more module code than this.
    const std::size_t shift = static_cast<std::size_t>(side.offset - lo);
    const std::size_t n = side.counts.size();
    side.counts.resize(n + shift);
    std::memmove(side.counts.data() + shift, side.counts.data(), n * sizeof(std::uint64_t));
    std::memset(side.counts.data(), 0, shift * sizeof(std::uint64_t));
    side.offset = static_cast<std::int32_t>(lo);
  }
  const std::int64_t end = last_index(side);
  if (hi > end) side.counts.resize(side.counts.size() + static_cast<std::size_t>(hi - end));
}

// Index i at scale s becomes i >> by at scale s - by: 2^by neighbours merge into one bucket. In
// place, since bucket i's new position is never after i.
void collapse(BucketRange& side, int by) {
  if (side.counts.empty()) return;
  const std::int64_t first = side.offset >> by;
  const std::int64_t last = last_index(side) >> by;
  for (std::size_t i = 0; i < side.counts.size(); ++i) {
    const std::uint64_t c = side.counts[i];
    side.counts[i] = 0;
    side.counts[static_cast<std::size_t>(((side.offset + static_cast<std::int64_t>(i)) >> by) - first)] += c;
  }
  side.counts.resize(static_cast<std::size_t>(last - first + 1));
  side.offset = static_cast<std::int32_t>(first);
}

// base^index: the lower bound of bucket `index`.
double lower_bound(std::int64_t index, int scale) {
  if (scale <= 0) return pow2(index * (std::int64_t{1} << -scale));
  return pow2_fraction(index & ((std::int64_t{1} << scale) - 1), scale) * pow2(index >> scale);
}

double base_of(int scale) { return scale > 0 ? pow2_fraction(1, scale) : pow2(std::int64_t{1} << -scale); }

}  // namespace

std::int32_t exp_histogram_index(double positive, int scale) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &positive, sizeof bits);
  std::uint64_t significand = bits & kSignificandMask;
  std::int64_t exponent = static_cast<std::int64_t>((bits >> 52) & 0x7ff) - 1023;
  if (exponent == -1023) {  // subnormal: normalise so the significand's top bit is the implicit one
    const int shift = __builtin_clzll(significand) - 11;
    significand = (significand << shift) & kSignificandMask;
    exponent = -1022 - shift;
  }
  // A power of two is the upper bound of the bucket below: (base^i, base^(i+1)].
  if (scale <= 0) return static_cast<std::int32_t>((exponent - (significand == 0 ? 1 : 0)) >> -scale);
  if (significand == 0) return static_cast<std::int32_t>(exponent * (std::int64_t{1} << scale) - 1);
  // The fraction of log2 from the significand m in (1, 2): one rounding in x, then an exact
  // scaling by 2^scale, so the floor at scale s is the floor at scale s + 1 halved.
  const std::uint64_t m_bits = (std::uint64_t{1023} << 52) | significand;
  double m = 0;
  std::memcpy(&m, &m_bits, sizeof m);
  const double x = log2_significand(m);
  const std::int64_t buckets = std::int64_t{1} << scale;
  std::int64_t fraction = static_cast<std::int64_t>(x * pow2(scale));  // x >= 0: truncation is floor
  if (fraction >= buckets) fraction = buckets - 1;  // x rounded up to 1 just below the next power
  return static_cast<std::int32_t>(exponent * buckets + fraction);
}

ExpHistogram::ExpHistogram(std::uint32_t max_buckets)
    : max_buckets_(max_buckets < kMinMaxBuckets ? kMinMaxBuckets : max_buckets > kMaxMaxBuckets ? kMaxMaxBuckets : max_buckets) {}

void ExpHistogram::clear() {
  *this = ExpHistogram(max_buckets_);
}

bool ExpHistogram::operator==(const ExpHistogram& o) const {
  return scale_ == o.scale_ && count_ == o.count_ && zero_count_ == o.zero_count_ && sum_ == o.sum_ && min_ == o.min_ &&
         max_ == o.max_ && positive_ == o.positive_ && negative_ == o.negative_;
}

// The least downscale that lets `side` span [lo, hi] (the other side already fits at this scale
// and only shrinks at lower ones). Every range fits at kMinScale (at most 3 buckets a side).
int ExpHistogram::fit_shift(const BucketRange& side, std::int64_t lo, std::int64_t hi) const {
  if (!side.counts.empty()) {
    lo = lo < side.offset ? lo : side.offset;
    const std::int64_t end = last_index(side);
    hi = hi > end ? hi : end;
  }
  int by = 0;
  while (scale_ - by > kMinScale && (hi >> by) - (lo >> by) + 1 > static_cast<std::int64_t>(max_buckets_)) ++by;
  return by;
}

void ExpHistogram::downscale(int by) {
  if (by > scale_ - kMinScale) by = scale_ - kMinScale;
  if (by <= 0) return;
  collapse(positive_, by);
  collapse(negative_, by);
  scale_ -= by;
}

void ExpHistogram::add(BucketRange& side, std::int32_t index, std::uint64_t n) {
  if (side.counts.empty() || index < side.offset || index > last_index(side)) {
    const int by = fit_shift(side, index, index);
    if (by > 0) {
      downscale(by);
      index >>= by;
    }
    extend(side, index, index);
  }
  side.counts[static_cast<std::size_t>(index - side.offset)] += n;
}

bool ExpHistogram::record(double value) {
  if (!std::isfinite(value) || !std::isfinite(sum_ + value) || count_ >= kMaxCount) return false;
  if (value != 0) add(value > 0 ? positive_ : negative_, exp_histogram_index(std::fabs(value), scale_), 1);
  else ++zero_count_;
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
  return true;
}

bool ExpHistogram::merge(const ExpHistogram& other) {
  if (!std::isfinite(sum_ + other.sum_) || count_ + other.count_ > kMaxCount) return false;
  const bool other_has_buckets = !other.positive_.counts.empty() || !other.negative_.counts.empty();
  if (other_has_buckets) {
    // A sketch without buckets has no resolution to keep: it takes the other's scale.
    if (positive_.counts.empty() && negative_.counts.empty()) scale_ = other.scale_;
    // Specification: the lower of the two scales, then lower still until the union fits.
    if (other.scale_ < scale_) downscale(scale_ - other.scale_);
    const int shift = other.scale_ - scale_;
    int by = 0;
    for (int side = 0; side < 2; ++side) {
      const BucketRange& mine = side == 0 ? positive_ : negative_;
      const BucketRange& theirs = side == 0 ? other.positive_ : other.negative_;
      if (theirs.counts.empty()) continue;
      const int need = fit_shift(mine, theirs.offset >> shift, last_index(theirs) >> shift);
      by = need > by ? need : by;
    }
    downscale(by);
    const int total = other.scale_ - scale_;
    for (int side = 0; side < 2; ++side) {
      BucketRange& mine = side == 0 ? positive_ : negative_;
      const BucketRange& theirs = side == 0 ? other.positive_ : other.negative_;
      if (theirs.counts.empty()) continue;
      extend(mine, theirs.offset >> total, last_index(theirs) >> total);
      for (std::size_t i = 0; i < theirs.counts.size(); ++i) {
        mine.counts[static_cast<std::size_t>(((theirs.offset + static_cast<std::int64_t>(i)) >> total) - mine.offset)] +=
            theirs.counts[i];
      }
    }
  }
  if (other.count_ > 0) {
    min_ = count_ == 0 || other.min_ < min_ ? other.min_ : min_;
    max_ = count_ == 0 || other.max_ > max_ ? other.max_ : max_;
  }
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  sum_ += other.sum_;
  return true;
}

double ExpHistogram::relative_error(int scale) { return 1 - 2 / (base_of(scale) + 1); }

double ExpHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (!(q > 0)) q = 0;  // NaN too
  if (q > 1) q = 1;
  double wanted = std::ceil(q * static_cast<double>(count_));
  const std::uint64_t rank = wanted < 1 ? 1 : wanted >= static_cast<double>(count_) ? count_ : static_cast<std::uint64_t>(wanted);
  if (rank == 1) return min_;  // the extreme ranks are known exactly
  if (rank == count_) return max_;
  // In value order: negative buckets from the highest index (most negative) down, the zeros, then
  // positive buckets up. The point returned is 2LU/(L+U) = L * 2 / (1 + 1/base) of the bucket
  // holding the rank.
  const std::size_t n_neg = negative_.counts.size();
  const std::size_t steps = n_neg + 1 + positive_.counts.size();
  std::uint64_t seen = 0;
  double estimate = 0;
  for (std::size_t step = 0; step < steps; ++step) {
    const bool negative = step < n_neg;
    const bool zero = step == n_neg;
    const BucketRange& side = negative ? negative_ : positive_;
    const std::size_t i = negative ? n_neg - 1 - step : step - n_neg - 1;
    seen += zero ? zero_count_ : side.counts[i];
    if (seen >= rank) {
      if (!zero) {
        estimate = lower_bound(side.offset + static_cast<std::int64_t>(i), scale_) * (2 / (1 + 1 / base_of(scale_)));
        if (negative) estimate = -estimate;
      }
      break;
    }
  }
  return estimate < min_ ? min_ : estimate > max_ ? max_ : estimate;
}

void append_exp_buckets_json(JsonBuffer& out, const ExpHistogram& h, bool quoted) {
  out.append("\"scale\":");
  append_json_int(out, h.scale());
  out.append(quoted ? ",\"zeroCount\":\"" : ",\"zeroCount\":");
  append_json_uint(out, h.zero_count());
  if (quoted) out.push_back('"');
  for (int side = 0; side < 2; ++side) {
    const BucketRange& r = side == 0 ? h.positive() : h.negative();
    out.append(side == 0 ? ",\"positive\":{\"offset\":" : ",\"negative\":{\"offset\":");
    append_json_int(out, r.counts.empty() ? 0 : r.offset);
    out.append(",\"bucketCounts\":");
    append_json_uints(out, r.counts, quoted);
    out.push_back('}');
  }
}

void append_exp_histogram_json(JsonBuffer& out, const ExpHistogram& h) {
  out.push_back('{');
  append_exp_buckets_json(out, h, false);
  out.append(",\"count\":");
  append_json_uint(out, h.count());
  out.append(",\"sum\":");
  append_double(out, h.sum());
  out.append(",\"min\":");
  append_double(out, h.min());
  out.append(",\"max\":");
  append_double(out, h.max());
  out.push_back('}');
}

namespace {

using resilience::Fields;

// One side: {"offset": int32, "bucketCounts": [uint, ...]}, zero buckets at either end dropped.
void read_side(Fields& f, const json::Value& doc, const char* key, int scale, std::uint32_t max_buckets, BucketRange& out) {
  const json::Value* side = f.get(doc, key, true);
  if (!side) return;
  Fields::Scope in_side(f, key);
  if (!f.object(side, {"offset", "bucketCounts"})) return;
  std::int64_t offset = 0;
  f.integer(*side, "offset", true, INT32_MIN, INT32_MAX, offset);
  const json::Value* counts = f.get(*side, "bucketCounts", true);
  if (!counts) return;
  {
    Fields::Scope in_counts(f, "bucketCounts");
    if (!f.array(counts, max_buckets)) return;
    out.counts.resize(counts->items.size());
    for (std::size_t i = 0; i < counts->items.size(); ++i) {
      Fields::Scope element(f, i);
      std::int64_t c = 0;
      if (!f.integer_value(counts->items[i], 0, static_cast<std::int64_t>(kMaxCount), c)) return;
      out.counts[i] = static_cast<std::uint64_t>(c);
    }
  }
  if (!out.counts.empty() &&
      (offset < min_index(scale) || offset + static_cast<std::int64_t>(out.counts.size()) - 1 > max_index(scale))) {
    f.fail("buckets outside the index range of scale " + edgescope::decimal(scale) + " (" + edgescope::decimal(min_index(scale)) +
               " to " + edgescope::decimal(max_index(scale)) + ")",
           "offset");
    return;
  }
  std::size_t first = 0;
  while (first < out.counts.size() && out.counts[first] == 0) ++first;
  std::size_t end = out.counts.size();
  while (end > first && out.counts[end - 1] == 0) --end;
  out.counts.erase(out.counts.begin() + end, out.counts.end());
  out.counts.erase(out.counts.begin(), out.counts.begin() + first);
  out.offset = out.counts.empty() ? 0 : static_cast<std::int32_t>(offset + static_cast<std::int64_t>(first));
}

}  // namespace

bool exp_histogram_from_json(std::string_view text, ExpHistogram& out, std::string& error, std::uint32_t max_buckets) {
  Fields f(text, "histogram");
  const json::Value& doc = f.doc();
  ExpHistogram h(max_buckets);
  std::int64_t scale = 0, zero = 0, count = 0;
  if (f.object(&doc, {"scale", "zeroCount", "positive", "negative", "count", "sum", "min", "max"}) &&
      f.integer(doc, "scale", true, kMinScale, kMaxScale, scale)) {
    f.integer(doc, "zeroCount", true, 0, static_cast<std::int64_t>(kMaxCount), zero);
    read_side(f, doc, "positive", static_cast<int>(scale), h.max_buckets_, h.positive_);
    read_side(f, doc, "negative", static_cast<int>(scale), h.max_buckets_, h.negative_);
    f.integer(doc, "count", true, 0, static_cast<std::int64_t>(kMaxCount), count);
    f.number(doc, "sum", true, -DBL_MAX, DBL_MAX, "that is finite", h.sum_);
    f.number(doc, "min", true, -DBL_MAX, DBL_MAX, "that is finite", h.min_);
    f.number(doc, "max", true, -DBL_MAX, DBL_MAX, "that is finite", h.max_);
  }
  if (f.ok()) {
    // Each count is at most 2^53 and a side at most 8192 of them: no uint64 overflow.
    std::uint64_t total = static_cast<std::uint64_t>(zero);
    for (const auto c : h.positive_.counts) total += c;
    for (const auto c : h.negative_.counts) total += c;
    if (total != static_cast<std::uint64_t>(count)) {
      f.fail(edgescope::decimal(count) + " is not zeroCount plus the bucket counts (" + edgescope::decimal(total) + ")", "count");
    } else if (count > 0 && h.min_ > h.max_) {
      f.fail("greater than max", "min");
    }
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  h.scale_ = static_cast<int>(scale);
  h.zero_count_ = static_cast<std::uint64_t>(zero);
  h.count_ = static_cast<std::uint64_t>(count);
  out = std::move(h);
  return true;
}

}  // namespace edgescope::monitoring
