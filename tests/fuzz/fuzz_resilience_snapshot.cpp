// libFuzzer target for resilience snapshots (wasm/include/edgescope/resilience/): documents come
// back from KV or a Durable Object written by any isolate and any deploy, so deserialize and merge
// meet whatever is there. The first byte picks the object and its config; the rest is the document.
// Built four times (CMakeLists.txt): edgescope_fuzz_resilience_snapshot takes the object from the
// first byte too; edgescope_fuzz_{breaker,registry,ledger}_snapshot are compiled with
// EDGESCOPE_FUZZ_SNAPSHOT_KIND 0, 1, 2 and spend all their time on that one deserialize.
// Invariants, not only "no crash":
//   - a refused deserialize or merge says why and leaves the object exactly as it was;
//   - an accepted document round-trips: serialize(deserialize(doc)) deserializes to the same bytes;
//   - merge is idempotent (merging the same document twice changes nothing the second time) and
//     commutative (state + doc and doc + state serialize identically).
// Build and run: scripts/fuzz.sh (target resilience_snapshot, seeds tests/fuzz/corpus-resilience).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/resilience/breaker.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "edgescope/resilience/ledger.hpp"

using namespace edgescope::resilience;

namespace {

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "fuzz_resilience_snapshot.cpp:%d: invariant violated: %s\n", line, what);
  __builtin_trap();
}
#define INVARIANT(...)                                    \
  do {                                                    \
    if (!(__VA_ARGS__)) violated(#__VA_ARGS__, __LINE__); \
  } while (0)

constexpr std::int64_t kNow = 1'796'500'000'000;  // mid-December 2026

const char* const kBreakerConfigs[] = {
    R"({"failureThreshold":3,"failureRate":0.5,"minimumCalls":2,"window":{"size":10},"openMs":1000,"halfOpenCalls":2})",
    R"({"failureRate":0.5,"slowCallRate":0.5,"slowCallMs":100,"window":{"type":"time","size":60000},"halfOpenCalls":3,"openBackoff":{"multiplier":2}})",
    R"({"policy":"graduated","quietMs":1000})",
    R"({"policy":"graduated","curve":[1,0.5],"failureRate":0.5,"minimumCalls":2,"window":{"size":4}})",
};
const char* const kLedgerConfig = R"({"budgets":[{"monthly":10},{"provider":"a","monthly":5}],"limits":[{"perMinute":{"requests":5}}]})";

// A state to merge with: a short history derived from the input's length.
template <typename Object>
void seed_history(Object& object, std::size_t salt);

template <>
void seed_history(CircuitBreaker& b, std::size_t salt) {
  std::vector<Transition> t;
  std::int64_t now = kNow - 20'000;
  for (std::size_t i = 0; i < salt % 13; ++i) {
    now += static_cast<std::int64_t>((salt * 31 + i * 17) % 900);
    const Decision d = b.decide(now, static_cast<double>((salt + i) % 10) / 10.0, t);
    if (d.admit) b.record(now, (salt >> (i % 8)) & 1, static_cast<std::int64_t>(i * 40), d.probe, t);
  }
}

template <>
void seed_history(ExhaustionRegistry& r, std::size_t salt) {
  std::string error;
  for (std::size_t i = 0; i < salt % 5; ++i) r.mark(std::string(1, static_cast<char>('a' + i)), kNow - 1000, static_cast<std::int64_t>(salt % 7000), error);
}

template <>
void seed_history(CreditLedger& l, std::size_t salt) {
  std::vector<LedgerAlert> alerts;
  std::string error;
  for (std::size_t i = 0; i < salt % 6; ++i) {
    LedgerEntry e;
    e.provider = std::string(1, static_cast<char>('a' + i % 3));
    e.model = i % 2 ? "m" : "n";
    e.spend_micros = static_cast<std::int64_t>((salt * 7919 + i) % 3'000'000);
    l.record(kNow - static_cast<std::int64_t>(i) * 3'600'000, e, alerts, error);
  }
}

template <typename Object, typename Make>
void check(Make make, std::string_view doc, std::size_t salt) {
  std::string error;
  // deserialize: all or nothing.
  Object target = make();
  seed_history(target, salt);
  const std::string before = target.serialize(kNow);
  if (!target.deserialize(doc, kNow, error)) {
    INVARIANT(!error.empty());
    INVARIANT(target.serialize(kNow) == before);
  } else {
    const std::string saved = target.serialize(kNow);
    Object again = make();
    INVARIANT(again.deserialize(saved, kNow, error));
    INVARIANT(again.serialize(kNow) == saved);
  }
  // merge: all or nothing, idempotent, commutative.
  Object left = make();
  seed_history(left, salt);
  const std::string state = left.serialize(kNow);
  error.clear();
  if (!left.merge(doc, kNow, error)) {
    INVARIANT(!error.empty());
    INVARIANT(left.serialize(kNow) == state);
    return;
  }
  const std::string merged = left.serialize(kNow);
  INVARIANT(left.merge(doc, kNow, error));
  INVARIANT(left.serialize(kNow) == merged);
  Object right = make();
  INVARIANT(right.deserialize(doc, kNow, error));
  INVARIANT(right.merge(state, kNow, error));
  INVARIANT(right.serialize(kNow) == merged);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view doc(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
#ifdef EDGESCOPE_FUZZ_SNAPSHOT_KIND
  const unsigned kind = EDGESCOPE_FUZZ_SNAPSHOT_KIND;
#else
  const unsigned kind = selector % 3u;
#endif
  switch (kind) {
    case 0: {
      BreakerConfig config;
      const bool ok = parse_breaker_config(kBreakerConfigs[(selector / 3) % 4], config, error);
      INVARIANT(ok);
      check<CircuitBreaker>([&] { return CircuitBreaker(config); }, doc, size);
      break;
    }
    case 1:
      check<ExhaustionRegistry>([] { return ExhaustionRegistry(ExhaustionConfig{}); }, doc, size);
      break;
    default: {
      LedgerConfig config;
      const bool ok = parse_ledger_config(kLedgerConfig, config, error);
      INVARIANT(ok);
      check<CreditLedger>([&] { return CreditLedger(config); }, doc, size);
      break;
    }
  }
  return 0;
}
