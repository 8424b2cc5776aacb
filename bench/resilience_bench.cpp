// Native cost of the resilience core (wasm/include/edgescope/resilience/): a breaker decision and
// an outcome, and snapshot serialize/deserialize/merge, per call. Built by CMake (a Release build,
// no sanitizers; the target is not part of `all`):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGESCOPE_TESTS=OFF
//   cmake --build build/bench --target edgescope_resilience_bench && ./build/bench/edgescope_resilience_bench
// Each figure is the best of 7 runs (the machine is shared). The wasm module in workerd adds the
// ABI crossing and the JIT's code quality on top; bench/workerd-*.mjs measure that side.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ns_per_call.hpp"
#include "edgescope/resilience/breaker.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "edgescope/resilience/ledger.hpp"

using namespace edgescope::resilience;

namespace {

std::size_t sink = 0;
constexpr std::int64_t T0 = 1'796'500'000'000;

void row(const char* what, double ns) { std::printf("%-64s %10.1f ns\n", what, ns); }

BreakerConfig config_of(const char* json) {
  BreakerConfig c;
  std::string error;
  if (!parse_breaker_config(json, c, error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    std::exit(1);
  }
  return c;
}

}  // namespace

int main() {
  std::vector<Transition> t;
  t.reserve(64);
  const char* rate_config = R"({"failureRate":0.5,"minimumCalls":20,"window":{"size":100}})";
  const char* time_config = R"({"failureRate":0.5,"minimumCalls":20,"window":{"type":"time","size":60000}})";

  {
    CircuitBreaker b(config_of(rate_config));
    row("classic decide, CLOSED", ns_per_call(1'000'000, [&](std::size_t i) {
          sink += b.decide(T0 + static_cast<std::int64_t>(i), 0.5, t).admit;
          t.clear();
        }));
  }
  {
    CircuitBreaker b(config_of(rate_config));
    row("classic record (count window 100, rate checked, 10% failures)", ns_per_call(1'000'000, [&](std::size_t i) {
          b.record(T0 + static_cast<std::int64_t>(i), i % 10 != 0, 5, false, t);
          t.clear();
        }));
  }
  {
    CircuitBreaker b(config_of(time_config));
    row("classic record (60 s time window, one call per ms, 10% failures)", ns_per_call(200'000, [&](std::size_t i) {
          b.record(T0 + static_cast<std::int64_t>(i), i % 10 != 0, 5, false, t);
          t.clear();
        }));
  }
  {
    CircuitBreaker b(config_of(R"({"policy":"graduated"})"));
    row("graduated decide + record (success)", ns_per_call(1'000'000, [&](std::size_t i) {
          sink += b.decide(T0 + static_cast<std::int64_t>(i), 0.3, t).admit;
          b.record(T0 + static_cast<std::int64_t>(i), true, 5, false, t);
          t.clear();
        }));
  }

  // Snapshots: a breaker with a full 100-call window, a ledger with 12 keys and a day of hours.
  CircuitBreaker full(config_of(rate_config));
  for (int i = 0; i < 100; ++i) full.record(T0 + i, i % 7 != 0, 5, false, t);
  std::string breaker_doc = full.serialize(T0 + 100);
  CircuitBreaker small(config_of(rate_config));
  std::string small_doc = small.serialize(T0);
  std::printf("breaker snapshot: %zu bytes (full window), %zu bytes (empty)\n", breaker_doc.size(), small_doc.size());
  row("breaker serialize, full window", ns_per_call(20'000, [&](std::size_t) { sink += full.serialize(T0 + 100).size(); }));
  row("breaker serialize, empty window", ns_per_call(200'000, [&](std::size_t) { sink += small.serialize(T0).size(); }));
  {
    CircuitBreaker into(config_of(rate_config));
    std::string error;
    row("breaker deserialize, full window", ns_per_call(20'000, [&](std::size_t) { sink += into.deserialize(breaker_doc, T0 + 100, error); }));
    row("breaker deserialize, empty window", ns_per_call(200'000, [&](std::size_t) { sink += into.deserialize(small_doc, T0, error); }));
    row("breaker merge, full window into full window", ns_per_call(20'000, [&](std::size_t) { sink += full.merge(breaker_doc, T0 + 100, error); }));
  }

  LedgerConfig lc;
  std::string error;
  parse_ledger_config(R"({"budgets":[{"monthly":1000}],"limits":[{"perMinute":{"requests":100000}}]})", lc, error);
  CreditLedger ledger(lc);
  std::vector<LedgerAlert> alerts;
  for (int i = 0; i < 240; ++i) {
    LedgerEntry e;
    e.provider = "p" + std::to_string(i % 4);
    e.model = "m" + std::to_string(i % 3);
    e.spend_micros = 1000;
    ledger.record(T0 - 86'000'000 + i * 360'000LL, e, alerts, error);
  }
  LedgerEntry e;
  e.provider = "p1";
  e.model = "m1";
  e.spend_micros = 10;
  e.input_tokens = 100;
  e.output_tokens = 20;
  row("ledger record (12 keys, budget and limit evaluated)", ns_per_call(200'000, [&](std::size_t i) {
        sink += ledger.record(T0 + static_cast<std::int64_t>(i), e, alerts, error);
        alerts.clear();
      }));
  row("ledger check", ns_per_call(200'000, [&](std::size_t i) { sink += ledger.check(T0 + static_cast<std::int64_t>(i), "p1", 1, 100).allowed; }));
  const std::string ledger_doc = ledger.serialize(T0 + 300'000);
  std::printf("ledger snapshot: %zu bytes\n", ledger_doc.size());
  row("ledger serialize", ns_per_call(20'000, [&](std::size_t) { sink += ledger.serialize(T0 + 300'000).size(); }));
  {
    CreditLedger into(lc);
    row("ledger deserialize", ns_per_call(20'000, [&](std::size_t) { sink += into.deserialize(ledger_doc, T0 + 300'000, error); }));
    row("ledger merge", ns_per_call(20'000, [&](std::size_t) { sink += into.merge(ledger_doc, T0 + 300'000, error); }));
  }
  std::printf("(sink %zu)\n", sink);
  return 0;
}
