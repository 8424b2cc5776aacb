// The exponential histogram's costs (wasm/src/monitoring/exp_histogram.cpp): insert, merge and
// quantile, in ns per operation. Built by the CMake target edgescope_exp_histogram_bench (native
// builds only, -O2, no sanitizers):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGESCOPE_TESTS=OFF
//   cmake --build build/bench --target edgescope_exp_histogram_bench && ./build/bench/edgescope_exp_histogram_bench
// Values are request durations in seconds (lognormal around 50 ms), drawn before timing. Each
// figure is the fastest of several rounds (the machine is shared). The last line is a checksum of
// the results so the work cannot be optimised away.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "edgescope/monitoring/exp_histogram.hpp"

using namespace edgescope::monitoring;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<double> durations(std::size_t n, std::uint64_t seed) {
  std::vector<double> v(n);
  std::uint64_t s = seed;
  auto uniform = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>((s >> 11) + 1) * 0x1.0p-53;
  };
  for (auto& x : v) x = 0.05 * std::exp(std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()));
  return v;
}

template <typename F>
double best_ns(int rounds, std::size_t ops, F&& f) {
  double best = 1e300;
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = Clock::now();
    f();
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(ops);
    best = std::min(best, ns);
  }
  return best;
}

}  // namespace

int main() {
  constexpr std::size_t kValues = 1'000'000;
  const std::vector<double> values = durations(kValues, 1);
  double checksum = 0;

  for (const std::uint32_t buckets : {160u, 512u}) {
    const double insert = best_ns(7, kValues, [&] {
      ExpHistogram h(buckets);
      for (const double v : values) h.record(v);
      checksum += h.quantile(0.5);
    });
    std::printf("insert (max %u buckets)      %6.1f ns/value\n", buckets, insert);
  }

  // Merge: 1,000 isolates' flushes of 1,000 values each into one sketch, as a collector does.
  std::vector<ExpHistogram> parts(1000);
  for (std::size_t i = 0; i < kValues; ++i) parts[i % parts.size()].record(values[i]);
  const double merge = best_ns(7, parts.size(), [&] {
    ExpHistogram total;
    for (const auto& p : parts) total.merge(p);
    checksum += total.quantile(0.99);
  });
  std::printf("merge (1,000-value sketches) %6.1f ns/merge\n", merge);

  ExpHistogram full;
  for (const double v : values) full.record(v);
  constexpr int kQueries = 100000;
  const double quantile = best_ns(7, kQueries, [&] {
    for (int i = 0; i < kQueries; ++i) checksum += full.quantile((i % 1000) / 1000.0);
  });
  std::printf("quantile (%zu buckets)       %6.1f ns/query\n", full.positive().counts.size(), quantile);
  std::printf("checksum %.6g\n", checksum);
  return 0;
}
