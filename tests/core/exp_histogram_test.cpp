// The base-2 exponential histogram (wasm/include/edgescope/monitoring/exp_histogram.hpp): its
// mapping, its accuracy against exact quantiles of a million samples, exact merges at any scales,
// downscaling, and its strict JSON form.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "edgescope/json_writer.hpp"
#include "edgescope/monitoring/exp_histogram.hpp"

using namespace edgescope::monitoring;

namespace {

// The native JSON text of a sketch.
std::string to_json(const ExpHistogram& h) {
  std::string text;
  {
    edgescope::JsonBuffer out(text);  // flushes into `text` when it goes out of scope
    append_exp_histogram_json(out, h);
  }
  return text;
}

// splitmix64: seeded, the same sequence natively and in wasm.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }  // (0, 1]
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()); }
};

std::vector<double> lognormal(std::size_t n, double mu, double sigma, std::uint64_t seed) {
  Rng rng{seed};
  std::vector<double> v(n);
  for (auto& x : v) x = std::exp(mu + sigma * rng.normal());
  return v;
}

// Pareto with scale 1 ms and shape 1.2: a heavy tail reaching seconds.
std::vector<double> pareto(std::size_t n, std::uint64_t seed) {
  Rng rng{seed};
  std::vector<double> v(n);
  for (auto& x : v) x = 0.001 / std::pow(rng.uniform(), 1 / 1.2);
  return v;
}

// Cache hits around 2 ms, misses around 250 ms (one in five).
std::vector<double> bimodal(std::size_t n, std::uint64_t seed) {
  Rng rng{seed};
  std::vector<double> v(n);
  for (auto& x : v) x = rng.uniform() < 0.2 ? std::exp(std::log(0.25) + 0.3 * rng.normal()) : std::exp(std::log(0.002) + 0.2 * rng.normal());
  return v;
}

ExpHistogram sketch_of(const std::vector<double>& values, std::uint32_t max_buckets = kDefaultMaxBuckets) {
  ExpHistogram h(max_buckets);
  std::size_t refused = 0;
  for (const double v : values) refused += h.record(v) ? 0 : 1;
  REQUIRE(refused == 0);
  return h;
}

const double kQuantiles[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};

// The largest relative error of the sketch's quantiles against the exact ones (nearest rank).
// Exact ranks by nth_element over what is left above the previous rank (kQuantiles ascend):
// a few passes over the data instead of a full sort.
double worst_error(const ExpHistogram& h, std::vector<double> values) {
  double worst = 0;
  std::size_t done = 0;
  for (const double q : kQuantiles) {
    std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    rank = rank < 1 ? 1 : rank;
    std::nth_element(values.begin() + static_cast<std::ptrdiff_t>(done), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
    done = rank - 1;
    const double exact = values[rank - 1];
    const double error = std::fabs(h.quantile(q) - exact) / std::fabs(exact);
    worst = std::max(worst, error);
  }
  return worst;
}

// Bucket for bucket, plus count, zeros, min and max; sums of the same values added in another
// order may differ in the last bits.
void check_same(const ExpHistogram& a, const ExpHistogram& b) {
  CHECK(a.scale() == b.scale());
  CHECK(a.count() == b.count());
  CHECK(a.zero_count() == b.zero_count());
  CHECK(a.positive().offset == b.positive().offset);
  CHECK(a.positive().counts == b.positive().counts);
  CHECK(a.negative().counts == b.negative().counts);
  if (!a.negative().counts.empty()) CHECK(a.negative().offset == b.negative().offset);
  CHECK(a.min() == b.min());
  CHECK(a.max() == b.max());
  CHECK(a.sum() == doctest::Approx(b.sum()).epsilon(1e-12));
}

// Buckets and counts exactly; sum, min and max to the last few bits: the strict JSON reader
// converts numbers of more than 15 significant digits within a few units in the last place.
void check_decoded(const ExpHistogram& a, const ExpHistogram& b) {
  CHECK(a.scale() == b.scale());
  CHECK(a.count() == b.count());
  CHECK(a.zero_count() == b.zero_count());
  CHECK(a.positive() == b.positive());
  CHECK(a.negative() == b.negative());
  CHECK(a.min() == doctest::Approx(b.min()).epsilon(1e-15));
  CHECK(a.max() == doctest::Approx(b.max()).epsilon(1e-15));
  CHECK(a.sum() == doctest::Approx(b.sum()).epsilon(1e-15));
}

}  // namespace

TEST_CASE("exponential histogram: values map to (base^i, base^(i+1)], powers of two to the bucket below") {
  CHECK(exp_histogram_index(1, 0) == -1);
  CHECK(exp_histogram_index(1.5, 0) == 0);
  CHECK(exp_histogram_index(2, 0) == 0);
  CHECK(exp_histogram_index(std::nextafter(2.0, 3.0), 0) == 1);
  CHECK(exp_histogram_index(4, 0) == 1);
  CHECK(exp_histogram_index(4, -1) == 0);
  CHECK(exp_histogram_index(5, -1) == 1);
  CHECK(exp_histogram_index(2, 1) == 1);  // (sqrt2, 2]
  CHECK(exp_histogram_index(1.5, 1) == 1);
  CHECK(exp_histogram_index(1.4, 1) == 0);
  CHECK(exp_histogram_index(8, 20) == (3 << 20) - 1);
  CHECK(exp_histogram_index(DBL_MAX, 20) == (1024 << 20) - 1);
  CHECK(exp_histogram_index(DBL_MAX, 0) == 1023);
  CHECK(exp_histogram_index(DBL_MIN, 0) == -1023);
  CHECK(exp_histogram_index(4.9406564584124654e-324, 0) == -1075);  // the smallest subnormal, 2^-1074
  CHECK(exp_histogram_index(4.9406564584124654e-324 * 3, 0) == -1073);
  CHECK(exp_histogram_index(DBL_MAX, -10) == 0);
  CHECK(exp_histogram_index(4.9406564584124654e-324, -10) == -2);
  // Every bucket at scale 3 holds its values, away from the boundaries' last bits.
  Rng rng{7};
  int outside = 0;
  for (int i = 0; i < 2000; ++i) {
    const double v = std::exp((rng.uniform() - 0.5) * 60);
    const std::int32_t index = exp_histogram_index(v, 3);
    if (!(std::exp2(index / 8.0) < v * (1 + 1e-12)) || !(v < std::exp2((index + 1) / 8.0) * (1 + 1e-12))) ++outside;
  }
  CHECK(outside == 0);
}

TEST_CASE("exponential histogram: an index at a lower scale is the higher scale's index shifted, for every value") {
  Rng rng{11};
  int mismatches = 0;
  for (int i = 0; i < 20000; ++i) {
    // Half from anywhere in the double range, half near powers of two where logs round.
    double v = 0;
    if (i % 2 == 0) {
      const std::uint64_t bits = rng.next() & 0x7FEFFFFFFFFFFFFFull;
      std::memcpy(&v, &bits, sizeof v);
      if (v == 0) continue;
    } else {
      v = std::ldexp(1.0, static_cast<int>(rng.next() % 200) - 100);
      for (std::uint64_t steps = rng.next() % 4; steps > 0; --steps) v = std::nextafter(v, (i & 2) ? 0.0 : DBL_MAX);
    }
    const std::int32_t top = exp_histogram_index(v, kMaxScale);
    for (int s = kMaxScale - 1; s >= kMinScale; --s) {
      if (exp_histogram_index(v, s) != top >> (kMaxScale - s)) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("exponential histogram: quantiles of a million samples stay within the bound of the final scale") {
  struct Case {
    const char* name;
    std::vector<double> values;
  };
  Case cases[] = {{"lognormal", lognormal(1000000, std::log(0.05), 1.0, 1)}, {"pareto", pareto(1000000, 2)}, {"bimodal", bimodal(1000000, 3)}};
  for (auto& c : cases) {
    const ExpHistogram h = sketch_of(c.values);
    const double bound = ExpHistogram::relative_error(h.scale());
    const double worst = worst_error(h, c.values);
    MESSAGE(std::string(c.name) << ": scale " << h.scale() << ", bound " << bound << ", worst error " << worst);
    CHECK(h.count() == 1000000);
    CHECK(h.positive().counts.size() <= kDefaultMaxBuckets);
    CHECK(worst <= bound * (1 + 1e-9));
    CHECK(bound < 0.1);  // scale 2 or more: the default 160 buckets are not a coarse sketch
  }
}

TEST_CASE("exponential histogram: 512 buckets over 1 ms to 10 s estimate every quantile within 1.1%") {
  Rng rng{5};
  std::vector<double> values(1000000);
  for (auto& v : values) v = 0.001 * std::pow(10000.0, rng.uniform());  // log-uniform over 1 ms..10 s
  values[0] = 0.001;
  values[1] = 10;
  const ExpHistogram h = sketch_of(values, 512);
  const double worst = worst_error(h, values);
  MESSAGE("scale " << h.scale() << ", buckets " << h.positive().counts.size() << ", bound "
                   << ExpHistogram::relative_error(h.scale()) << ", worst " << worst);
  CHECK(h.scale() == 5);  // 2^(1/32): 13.3 octaves x 32 = 426 buckets
  CHECK(ExpHistogram::relative_error(h.scale()) <= 0.011);
  CHECK(worst <= 0.011);
}

TEST_CASE("exponential histogram: the relative error bound is (base-1)/(base+1)") {
  CHECK(ExpHistogram::relative_error(0) == doctest::Approx(1.0 / 3));
  CHECK(ExpHistogram::relative_error(1) == doctest::Approx((std::sqrt(2.0) - 1) / (std::sqrt(2.0) + 1)));
  CHECK(ExpHistogram::relative_error(5) == doctest::Approx(0.010830).epsilon(1e-4));
  CHECK(ExpHistogram::relative_error(-10) == 1);
}

TEST_CASE("exponential histogram: quantiles over negative values, zeros and positive values follow the order of values") {
  std::vector<double> values;
  Rng rng{9};
  for (int i = 0; i < 30000; ++i) {
    const double u = rng.uniform();
    values.push_back(u < 0.3 ? -std::exp(rng.normal()) : u < 0.4 ? 0.0 : std::exp(2 + rng.normal()));
  }
  const ExpHistogram h = sketch_of(values);
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double bound = ExpHistogram::relative_error(h.scale());
  CHECK(h.zero_count() > 0);
  for (const double q : kQuantiles) {
    const std::size_t rank = static_cast<std::size_t>(std::ceil(q * 30000.0));
    const double exact = sorted[rank - 1];
    const double estimate = h.quantile(q);
    if (exact == 0) CHECK(estimate == 0);
    else CHECK_MESSAGE(std::fabs(estimate - exact) <= bound * std::fabs(exact) * (1 + 1e-9), "q=" << q);
  }
  CHECK(h.quantile(0) == h.min());
  CHECK(h.quantile(1) == h.max());
  CHECK(ExpHistogram().quantile(0.5) == 0);
}

TEST_CASE("exponential histogram: merging the sketches of two halves equals the sketch of the whole, in either order") {
  const std::vector<double> a = lognormal(200000, std::log(0.01), 0.5, 21);
  const std::vector<double> b = pareto(200000, 22);  // a wider range: forces a lower scale
  std::vector<double> all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.push_back(0);
  all.push_back(-3.5);
  const ExpHistogram whole = sketch_of(all);
  ExpHistogram ha = sketch_of(a);
  ha.record(0);
  ExpHistogram hb = sketch_of(b);
  hb.record(-3.5);
  CHECK(ha.scale() > hb.scale());

  ExpHistogram ab = ha;
  REQUIRE(ab.merge(hb));
  ExpHistogram ba = hb;
  REQUIRE(ba.merge(ha));
  check_same(ab, whole);
  check_same(ba, whole);

  // Interleaved halves (each spans the same range) merge to the same too.
  ExpHistogram even, odd;
  for (std::size_t i = 0; i < all.size(); ++i) (i % 2 ? odd : even).record(all[i]);
  REQUIRE(odd.merge(even));
  check_same(odd, whole);
}

TEST_CASE("exponential histogram: a merge with a sketch at a lower scale lands at that scale, exactly") {
  const std::vector<double> a = bimodal(100000, 31);
  const std::vector<double> b = bimodal(100000, 32);
  std::vector<double> all = a;
  all.insert(all.end(), b.begin(), b.end());
  ExpHistogram ha = sketch_of(a);
  ExpHistogram hb = sketch_of(b);
  hb.downscale(3);  // as if B had been recorded with fewer buckets elsewhere
  const int forced = hb.scale();
  ExpHistogram ab = ha, ba = hb;
  REQUIRE(ab.merge(hb));
  REQUIRE(ba.merge(ha));
  CHECK(ab.scale() == forced);
  ExpHistogram whole = sketch_of(all);
  CHECK(whole.scale() > forced);
  whole.downscale(whole.scale() - forced);
  check_same(ab, whole);
  check_same(ba, whole);
}

TEST_CASE("exponential histogram: a merge whose union does not fit lowers the scale until it does") {
  ExpHistogram small(8), wide(8);
  small.record(1.5);
  small.record(1.6);  // scale 20 at most... both in a narrow range
  wide.record(1000);
  wide.record(1001);
  REQUIRE(small.merge(wide));
  CHECK(small.positive().counts.size() <= 8);
  ExpHistogram together(8);
  for (const double v : {1.5, 1.6, 1000.0, 1001.0}) together.record(v);
  check_same(small, together);
  // An empty sketch or one with only zeros does not lower the scale.
  ExpHistogram zeros;
  zeros.record(0);
  zeros.downscale(30);
  ExpHistogram copy = together;
  REQUIRE(copy.merge(zeros));
  CHECK(copy.scale() == together.scale());
  CHECK(copy.zero_count() == 1);
  CHECK(copy.min() == 0);
}

TEST_CASE("exponential histogram: recording downscales by the least amount that keeps max_buckets") {
  ExpHistogram h(4);
  for (const double v : {1.5, 3.0, 6.0, 12.0}) REQUIRE(h.record(v));
  CHECK(h.scale() == 0);  // indices 0..3 at scale 0; at scale 1 they would need 7 buckets
  CHECK(h.positive().offset == 0);
  CHECK(h.positive().counts == edgescope::GrowArray<std::uint64_t>{1, 1, 1, 1});
  REQUIRE(h.record(24));  // index 4: five buckets at scale 0
  CHECK(h.scale() == -1);
  CHECK(h.positive().counts == edgescope::GrowArray<std::uint64_t>{2, 2, 1});
  h.downscale(1);
  CHECK(h.scale() == -2);
  CHECK(h.positive().counts == edgescope::GrowArray<std::uint64_t>{4, 1});
  CHECK(h.count() == 5);
  // The extremes of the double range fit at the lowest scale, never below it.
  ExpHistogram extreme(4);
  for (const double v : {DBL_MAX, 4.9406564584124654e-324, -DBL_MAX / 2, 1.0}) REQUIRE(extreme.record(v));
  CHECK(extreme.scale() >= kMinScale);
  CHECK(extreme.positive().counts.size() <= 4);
  extreme.downscale(100);
  CHECK(extreme.scale() == kMinScale);
  CHECK(extreme.count() == 4);
  // A fresh sketch starts at the highest resolution.
  ExpHistogram one;
  one.record(0.25);
  CHECK(one.scale() == kMaxScale);
  CHECK(one.quantile(0.5) == 0.25);
}

TEST_CASE("exponential histogram: non-finite values and sums that would overflow are refused, nothing changed") {
  ExpHistogram h;
  CHECK_FALSE(h.record(NAN));
  CHECK_FALSE(h.record(INFINITY));
  CHECK_FALSE(h.record(-INFINITY));
  CHECK(h.count() == 0);
  REQUIRE(h.record(DBL_MAX));
  const ExpHistogram before = h;
  CHECK_FALSE(h.record(DBL_MAX));
  CHECK(h == before);
  CHECK_FALSE(h.merge(before));
  CHECK(h == before);
}

TEST_CASE("exponential histogram: native JSON round-trips and has the documented shape") {
  ExpHistogram h(4);
  for (const double v : {1.5, 3.0, 0.0, -2.0, 12.0}) h.record(v);
  std::string json;
  json = to_json(h);
  CHECK(json ==
        R"({"scale":0,"zeroCount":1,"positive":{"offset":0,"bucketCounts":[1,1,0,1]},"negative":{"offset":0,"bucketCounts":[1]},"count":5,"sum":14.5,"min":-2,"max":12})");
  ExpHistogram back;
  std::string error;
  REQUIRE_MESSAGE(exp_histogram_from_json(json, back, error, 4), error);
  CHECK(back == h);
  CHECK(back.max_buckets() == 4);

  const ExpHistogram big = sketch_of(lognormal(5000, 0, 2, 41));
  json.clear();
  json = to_json(big);
  REQUIRE_MESSAGE(exp_histogram_from_json(json, back, error), error);
  check_decoded(back, big);
  // Zero buckets at the ends are dropped, so equal data compares equal.
  REQUIRE(exp_histogram_from_json(
      R"({"scale":1,"zeroCount":0,"positive":{"offset":-3,"bucketCounts":[0,0,2,0,1,0]},"negative":{"offset":9,"bucketCounts":[0]},"count":3,"sum":2.5,"min":0.7,"max":1.2})",
      back, error));
  CHECK(back.positive().offset == -1);
  CHECK(back.positive().counts == edgescope::GrowArray<std::uint64_t>{2, 0, 1});
  CHECK(back.negative().counts.empty());
}

TEST_CASE("exponential histogram: malformed JSON is refused with the field named, the sketch untouched") {
  const std::string good =
      R"({"scale":0,"zeroCount":1,"positive":{"offset":0,"bucketCounts":[1,1]},"negative":{"offset":0,"bucketCounts":[]},"count":3,"sum":4.5,"min":0,"max":3})";
  ExpHistogram out;
  std::string error;
  REQUIRE_MESSAGE(exp_histogram_from_json(good, out, error), error);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    return text.replace(at, from.size(), to);
  };
  struct Case {
    std::string text;
    const char* error;
  };
  const Case cases[] = {
      {"{", "JSON offset"},
      {"[]", "histogram: expected an object"},
      {with(R"("scale":0,)", R"("scale":0,"extra":1,)"), "histogram.extra: unknown field"},
      {with(R"("scale":0,)", ""), "histogram.scale: missing"},
      {with(R"("scale":0)", R"("scale":21)"), "histogram.scale: 21 out of range (from -10 to 20)"},
      {with(R"("scale":0)", R"("scale":0.5)"), "histogram.scale: expected an integer"},
      {with(R"("zeroCount":1)", R"("zeroCount":-1)"), "histogram.zeroCount: expected a non-negative integer"},
      {with(R"("positive":{"offset":0,)", R"("positive":{"offset":0,"x":1,)"), "histogram.positive.x: unknown field"},
      {with(R"("positive":{"offset":0)", R"("positive":{"offset":"0")"), "histogram.positive.offset: expected an integer"},
      {with(R"([1,1])", R"([1,"1"])"), "histogram.positive.bucketCounts[1]: expected a non-negative integer"},
      {with(R"([1,1])", R"([1,-1])"), "histogram.positive.bucketCounts[1]: expected a non-negative integer"},
      {with(R"("bucketCounts":[])", R"("bucketCounts":{})"), "histogram.negative.bucketCounts: expected an array"},
      {with(R"("positive":{"offset":0,"bucketCounts":[1,1]})", R"("positive":{"offset":1023,"bucketCounts":[1,1]})"),
       "histogram.positive.offset: buckets outside the index range of scale 0 (-1075 to 1023)"},
      {with(R"("count":3)", R"("count":4)"), "histogram.count: 4 is not zeroCount plus the bucket counts (3)"},
      {with(R"("sum":4.5)", R"("sum":null)"), "histogram.sum: expected a number"},
      {with(R"("min":0)", R"("min":4)"), "histogram.min: greater than max"},
      {with(R"(,"max":3)", ""), "histogram.max: missing"},
  };
  const ExpHistogram before = out;
  for (const auto& c : cases) {
    error.clear();
    CHECK_FALSE_MESSAGE(exp_histogram_from_json(c.text, out, error), c.text);
    CHECK_MESSAGE(error.find(c.error) != std::string::npos, c.text << " -> " << error);
    CHECK(out == before);
  }
  // More buckets on a side than max_buckets.
  ExpHistogram wide(16);
  for (int i = 0; i < 16; ++i) wide.record(std::ldexp(1.0, i * 8));
  std::string json;
  json = to_json(wide);
  CHECK_FALSE(exp_histogram_from_json(json, out, error, 8));
  CHECK(error.find("histogram.positive.bucketCounts: 16 items exceed the limit of 8") != std::string::npos);
  CHECK(exp_histogram_from_json(json, out, error, 16));
}
