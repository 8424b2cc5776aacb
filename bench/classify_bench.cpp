// Native cost of error classification (wasm/include/edgescope/monitoring/): one error through the
// built-in rules (normalization, top frame, fingerprint, first matching rule), per call. Built by
// CMake (optimised, no sanitizers; the target is not part of `all`):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGESCOPE_TESTS=OFF
//   cmake --build build/bench --target edgescope_classify_bench && ./build/bench/edgescope_classify_bench
// Each figure is the best of 7 runs (the machine is shared). In a Worker the ABI crossing and the
// JIT's code quality come on top.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "ns_per_call.hpp"
#include "edgescope/monitoring/classifier.hpp"
#include "edgescope/monitoring/fingerprint.hpp"

using namespace edgescope::monitoring;

namespace {

std::size_t sink = 0;

void row(const char* what, double ns) { std::printf("%-72s %10.1f ns\n", what, ns); }

}  // namespace

int main() {
  Classifier c;
  std::string error;
  if (!c.configure("", true, error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const std::string stack =
      "Error: D1_ERROR: no such table: orders\n"
      "    at D1Database._send (node_modules/edgescope/js/x.js:1:1)\n"
      "    at async loadOrder (file:///bundle/index-3f9a1c2b.js:120:15)\n"
      "    at async Object.fetch (file:///bundle/index-3f9a1c2b.js:300:7)";
  const ErrorInput d1{"Error", "D1_ERROR: no such table: orders_4812 (user 3f2b8c9e-1d4a-4b5c-9e8f-0a1b2c3d4e5f)", stack, "/orders/:id",
                      "", "d1.query", "", 0};
  row("D1 error with a stack (matches rule 3 of 12)", ns_per_call(200'000, [&](std::size_t) { sink += c.classify(d1).fingerprint[0]; }));
  const ErrorInput plain{"TypeError", "Cannot read properties of undefined (reading 'id')", "TypeError: x\n    at getUser (src/users.js:10:5)",
                         "", "", "", "", 0};
  row("TypeError with a stack (no rule matches: all 12 tried)", ns_per_call(200'000, [&](std::size_t) { sink += c.classify(plain).fingerprint[0]; }));
  const ErrorInput response{"", "", "", "/users/:id", "", "GET /users/:id", "", 404};
  row("404 response (no message, no stack)", ns_per_call(200'000, [&](std::size_t) { sink += c.classify(response).fingerprint[0]; }));
  const std::string long_message(4096, 'x');
  const ErrorInput big{"Error", long_message, "", "", "", "", "", 0};
  row("4 KiB message (the normalization bound)", ns_per_call(20'000, [&](std::size_t) { sink += c.classify(big).fingerprint[0]; }));
  row("  of which normalize_message", ns_per_call(20'000, [&](std::size_t) { sink += normalize_message(long_message).size(); }));
  // Hostile 4 KiB messages: each must cost about what the plain one above does (the scan is
  // linear); a quadratic path shows here as 50x or more.
  std::string dots, ats;
  for (int i = 0; i < 2048; ++i) {
    dots += "a.";
    ats += "a@";
  }
  const std::string queries = "https://x.example/" + std::string(4000, '?');
  row("  normalize_message, 4 KiB of \"a.\"", ns_per_call(20'000, [&](std::size_t) { sink += normalize_message(dots).size(); }));
  row("  normalize_message, 4 KiB of \"a@\"", ns_per_call(20'000, [&](std::size_t) { sink += normalize_message(ats).size(); }));
  row("  normalize_message, a URL of 4000 '?'", ns_per_call(20'000, [&](std::size_t) { sink += normalize_message(queries).size(); }));
  std::printf("(sink %zu)\n", sink);
  return 0;
}
