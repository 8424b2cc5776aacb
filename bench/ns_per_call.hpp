// The native benchmarks' timing loop: `calls` calls of body(i), best of 7 runs, in ns per call.
// The best run is the one least disturbed by the shared machine (README "Performance").
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>

template <typename Body>
double ns_per_call(std::size_t calls, Body&& body) {
  double best = 1e18;
  for (int run = 0; run < 7; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < calls; ++i) body(i);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ns / static_cast<double>(calls));
  }
  return best;
}
