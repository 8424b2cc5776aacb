// libFuzzer target for the exponential histogram's native JSON (wasm/src/monitoring): a collector
// decodes and merges whatever senders exported, so decode and merge meet arbitrary documents.
// Input: the first byte picks max_buckets (4..259); the rest is one document, or two separated by
// a newline. Invariants, not only "no crash":
//   - a refused decode or merge says why / leaves the sketch exactly as it was;
//   - an accepted sketch is consistent: count == zeroCount + every bucket, at most max_buckets a
//     side, no zero bucket at either end, and its encoding decodes to the same buckets (sum, min
//     and max to the last bits: the reader converts long numbers within a few ulps);
//   - merge keeps that consistency, adds the counts, takes the lower scale, and is commutative;
//   - quantiles lie within [min, max].
// Build and run: scripts/fuzz.sh (target exp_histogram, seeds tests/fuzz/corpus-exp-histogram).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

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

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "fuzz_exp_histogram.cpp:%d: invariant violated: %s\n", line, what);
  __builtin_trap();
}
#define INVARIANT(...)                                    \
  do {                                                    \
    if (!(__VA_ARGS__)) violated(#__VA_ARGS__, __LINE__); \
  } while (0)

bool close(double a, double b) { return a == b || std::fabs(a - b) <= 1e-14 * std::fmax(std::fabs(a), std::fabs(b)); }

void check_side(const BucketRange& side, std::uint32_t max_buckets, std::uint64_t& total) {
  INVARIANT(side.counts.size() <= max_buckets);
  if (side.counts.empty()) return;
  INVARIANT(side.counts.front() != 0 && side.counts.back() != 0);
  for (const auto c : side.counts) total += c;
}

void check_consistent(const ExpHistogram& h) {
  INVARIANT(h.scale() >= kMinScale && h.scale() <= kMaxScale);
  std::uint64_t total = h.zero_count();
  check_side(h.positive(), h.max_buckets(), total);
  check_side(h.negative(), h.max_buckets(), total);
  INVARIANT(total == h.count());
  INVARIANT(std::isfinite(h.sum()));
  if (h.count() == 0) return;
  INVARIANT(h.min() <= h.max());
  for (const double q : {0.0, 0.25, 0.5, 0.99, 1.0}) {
    const double v = h.quantile(q);
    INVARIANT(v >= h.min() && v <= h.max());
  }
}

void check_round_trip(const ExpHistogram& h) {
  std::string json;
  json = to_json(h);
  ExpHistogram back(h.max_buckets());
  std::string error;
  INVARIANT(exp_histogram_from_json(json, back, error, h.max_buckets()));
  INVARIANT(back.scale() == h.scale() && back.count() == h.count() && back.zero_count() == h.zero_count());
  INVARIANT(back.positive() == h.positive() && back.negative() == h.negative());
  INVARIANT(close(back.sum(), h.sum()) && close(back.min(), h.min()) && close(back.max(), h.max()));
}

bool decode(std::string_view text, std::uint32_t max_buckets, ExpHistogram& out) {
  ExpHistogram h(max_buckets);
  h.record(42);  // a refused decode must leave this as it is
  const ExpHistogram before = h;
  std::string error;
  if (!exp_histogram_from_json(text, h, error, max_buckets)) {
    INVARIANT(error.compare(0, 9, "histogram") == 0 || error.compare(0, 4, "JSON") == 0);
    INVARIANT(h == before);
    return false;
  }
  check_consistent(h);
  check_round_trip(h);
  out = h;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint32_t max_buckets = 4u + data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t newline = rest.find('\n');
  ExpHistogram a, b;
  const bool has_a = decode(rest.substr(0, newline), max_buckets, a);
  if (newline == std::string_view::npos) {
    if (has_a) {
      // Recording into a decoded sketch keeps it consistent.
      for (std::size_t i = 1; i < size && i < 64; ++i) a.record((static_cast<double>(data[i]) - 100) * 0.37);
      check_consistent(a);
    }
    return 0;
  }
  const bool has_b = decode(rest.substr(newline + 1), max_buckets, b);
  if (!has_a || !has_b) return 0;
  ExpHistogram ab = a, ba = b;
  const bool merged = ab.merge(b);
  INVARIANT(ba.merge(a) == merged);
  if (!merged) {
    INVARIANT(ab == a);
    return 0;
  }
  check_consistent(ab);
  check_round_trip(ab);
  INVARIANT(ab.count() == a.count() + b.count() && ab.zero_count() == a.zero_count() + b.zero_count());
  INVARIANT(ab.scale() == ba.scale() && ab.positive() == ba.positive() && ab.negative() == ba.negative());
  INVARIANT(ab.min() == ba.min() && ab.max() == ba.max() && ab.count() == ba.count());
  const bool a_buckets = !a.positive().counts.empty() || !a.negative().counts.empty();
  const bool b_buckets = !b.positive().counts.empty() || !b.negative().counts.empty();
  if (a_buckets) INVARIANT(ab.scale() <= a.scale());
  if (b_buckets) INVARIANT(ab.scale() <= b.scale());
  return 0;
}
