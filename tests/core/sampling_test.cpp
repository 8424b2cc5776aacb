#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "edgescope/sampling.hpp"
#include "fixtures.hpp"

using namespace edgescope;

namespace {

// A th-value (1..14 hex digits, trailing zeros removed) as the 56-bit threshold it encodes
// (OpenTelemetry tracestate-handling.md: extend with zeros to 14 digits, parse as hex).
std::uint64_t threshold_of(const std::string& th) {
  std::string digits = th;
  digits.resize(14, '0');
  std::uint64_t value = 0;
  REQUIRE(parse_hex_u64(digits, value));
  return value;
}

TraceId trace_id_of(const nlohmann::json& c) {
  TraceId id;
  if (c.contains("traceId")) {
    const std::string hex = c["traceId"].get<std::string>();
    REQUIRE(hex.size() == 32);
    REQUIRE(parse_hex_u64(hex.substr(0, 16), id.high));
    REQUIRE(parse_hex_u64(hex.substr(16), id.low));
  } else {
    // Explicit randomness from the source, placed in the trace id's 7 rightmost bytes; the byte
    // above it is set so that a rule reading more than 56 bits would see a different number.
    std::uint64_t r = 0;
    REQUIRE(parse_hex_u64(c["randomness"].get<std::string>(), r));
    id.high = 0x5a5a5a5a5a5a5a5aULL;
    id.low = (std::uint64_t{0xa5} << 56) | r;
  }
  return id;
}

}  // namespace

TEST_CASE("rejection thresholds match the OpenTelemetry specification's table") {
  const auto fixture = load_fixture("sampling-vectors.json");
  REQUIRE(fixture.is_object());
  int checked = 0;
  for (const auto& c : fixture["thresholds"]["cases"]) {
    const double p = c["probability"].get<double>();
    for (const auto& item : c["th"].items()) {
      const std::string precision = item.key();
      CAPTURE(p);
      CAPTURE(precision);
      CHECK(probability_to_threshold(p, std::stoi(precision)) == threshold_of(item.value().get<std::string>()));
      ++checked;
    }
  }
  CHECK(checked == 41);
}

TEST_CASE("sampling decisions match the OpenTelemetry Collector's consistent sampler vectors") {
  const auto fixture = load_fixture("sampling-vectors.json");
  REQUIRE(fixture.is_object());
  int checked = 0;
  for (const auto& c : fixture["decisions"]["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    const int precision = c.contains("precision") ? c["precision"].get<int>() : kDefaultThresholdPrecision;
    const Sampler sampler(c["probability"].get<double>(), precision);
    const TraceId id = trace_id_of(c);
    CHECK(sampler.sample_root(id) == c["sampled"].get<bool>());
    // A remote parent's flag wins either way (ParentBased).
    CHECK(sampler.sample(id, true));
    CHECK_FALSE(sampler.sample(id, false));
    ++checked;
  }
  CHECK(checked == 11);
}

TEST_CASE("the decision reads only the trace id's 56 rightmost bits") {
  const Sampler quarter(0.25);  // T = 0xc0000000000000
  TraceId id{0, 0x00c0000000000000ULL};
  CHECK(quarter.sample_root(id));
  // Everything above bit 55 is ignored: the old rule's bits (62, 61) do not matter any more.
  for (const std::uint64_t above : {0x0100000000000000ULL, 0x8000000000000000ULL, 0xff00000000000000ULL}) {
    CHECK(quarter.sample_root(TraceId{~std::uint64_t{0}, id.low | above}));
  }
  CHECK_FALSE(quarter.sample_root(TraceId{~std::uint64_t{0}, 0xffbfffffffffffffULL}));  // R = T - 1
}

TEST_CASE("head sampling is a pure function of the trace id, near the configured ratio") {
  const Sampler a(0.25), b(0.25);
  IdGenerator ids({1, 2, 3, 4});
  int sampled = 0;
  for (int i = 0; i < 20000; ++i) {
    const TraceId id = ids.next_trace_id();
    CHECK(a.sample_root(id) == b.sample_root(id));
    sampled += a.sample_root(id) ? 1 : 0;
  }
  // 20000 Bernoulli(0.25) draws: 5000 +/- 5 standard deviations (~306).
  CHECK(sampled > 4694);
  CHECK(sampled < 5306);
}

TEST_CASE("a higher ratio keeps every trace a lower ratio keeps") {
  const double ratios[] = {0.001, 0.01, 0.1, 0.2, 1.0 / 3, 0.5, 0.9};
  IdGenerator ids({5, 6, 7, 8});
  for (int i = 0; i < 5000; ++i) {
    const TraceId id = ids.next_trace_id();
    bool kept_lower = false;
    for (const double r : ratios) {
      const bool kept = Sampler(r).sample_root(id);
      if (kept_lower) CHECK(kept);
      kept_lower = kept;
    }
  }
}

TEST_CASE("ratios 0 and 1 never and always sample; the parent's flag wins") {
  const Sampler never(0.0), always(1.0), nan_ratio(std::nan("")), negative(-3), above_one(7);
  IdGenerator ids({9, 9, 9, 9});
  // R = 2^56 - 1 is the most likely id to be sampled, R = 0 the least.
  CHECK_FALSE(never.sample_root(TraceId{1, 0x00ffffffffffffffULL}));
  CHECK(always.sample_root(TraceId{1, 0}));
  for (int i = 0; i < 1000; ++i) {
    const TraceId id = ids.next_trace_id();
    CHECK_FALSE(never.sample_root(id));
    CHECK_FALSE(nan_ratio.sample_root(id));
    CHECK_FALSE(negative.sample_root(id));
    CHECK(always.sample_root(id));
    CHECK(above_one.sample_root(id));
    CHECK(never.sample(id, true));
    CHECK_FALSE(always.sample(id, false));
  }
}

TEST_CASE("ids are never zero and differ between generators seeded differently") {
  IdGenerator a({1, 0, 0, 0}), b({2, 0, 0, 0}), zero({0, 0, 0, 0});
  for (int i = 0; i < 1000; ++i) {
    CHECK(zero.next_span_id() != 0);
    CHECK(zero.next_trace_id().is_valid());
  }
  CHECK_FALSE(a.next_trace_id() == b.next_trace_id());
}
