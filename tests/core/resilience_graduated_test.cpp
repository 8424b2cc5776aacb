// The graduated breaker (breaker.hpp): the curve's shares, one step down per failure, one back per
// success, decay after quiet periods, the failure-rate mode and the host's draw deciding traffic.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgescope/resilience/breaker.hpp"

using namespace edgescope::resilience;

namespace {

constexpr std::int64_t T0 = 1'700'000'000'000;

CircuitBreaker graduated(const std::string& extra = "") {
  BreakerConfig c;
  std::string error;
  REQUIRE_MESSAGE(parse_breaker_config(R"({"policy":"graduated","quietMs":1000)" + extra + "}", c, error), error);
  return CircuitBreaker(c);
}

}  // namespace

TEST_CASE("graduated: each failure moves one step down the default curve, to OPEN past its end") {
  CircuitBreaker b = graduated();
  std::vector<Transition> t;
  std::vector<double> shares;
  shares.push_back(b.decide(T0, 0, t).primary_share);
  for (int i = 1; i <= 6; ++i) {
    b.record(T0 + i, false, 1, false, t);
    shares.push_back(b.decide(T0 + i, 0, t).primary_share);
  }
  CHECK(shares == std::vector<double>{1.0, 0.9, 0.7, 0.4, 0.1, 0.0, 0.0});
  CHECK(b.data().state == BreakerState::Open);
  REQUIRE(t.size() == 5);
  CHECK(t[0].from == BreakerState::Closed);
  CHECK(t[0].to == BreakerState::Degraded);
  CHECK(t[0].step == 1);
  CHECK(t[3].to == BreakerState::Degraded);
  CHECK(t[4].to == BreakerState::Open);
  CHECK(t[4].step == 5);
}

TEST_CASE("graduated: one step back per success, RECOVERING until CLOSED") {
  CircuitBreaker b = graduated();
  std::vector<Transition> t;
  for (int i = 0; i < 3; ++i) b.record(T0 + i, false, 1, false, t);
  t.clear();
  b.record(T0 + 10, true, 1, false, t);
  CHECK(b.data().state == BreakerState::Recovering);
  CHECK(b.data().step == 2);
  b.record(T0 + 11, true, 1, false, t);
  b.record(T0 + 12, true, 1, false, t);
  CHECK(b.data().state == BreakerState::Closed);
  REQUIRE(t.size() == 3);
  CHECK(t[2].from == BreakerState::Recovering);
  CHECK(t[2].to == BreakerState::Closed);
  b.record(T0 + 13, false, 1, false, t);
  CHECK(b.data().state == BreakerState::Degraded);
}

TEST_CASE("graduated: quiet periods step back on their own, one step per quietMs, at the due times") {
  CircuitBreaker b = graduated();
  std::vector<Transition> t;
  for (int i = 0; i < 5; ++i) b.record(T0, false, 1, false, t);
  CHECK(b.data().state == BreakerState::Open);
  const Decision open = b.decide(T0 + 400, 0, t);
  CHECK(open.retry_after_ms == 600);
  t.clear();
  const Decision d = b.decide(T0 + 2500, 0.05, t);  // two quiet periods: step 5 -> 3
  CHECK(b.data().step == 3);
  CHECK(d.primary_share == doctest::Approx(0.4));
  REQUIRE(t.size() == 2);
  CHECK(t[0].at == T0 + 1000);
  CHECK(t[0].to == BreakerState::Recovering);
  CHECK(t[1].at == T0 + 2000);
  b.decide(T0 + 10000, 0, t);
  CHECK(b.data().state == BreakerState::Closed);
}

TEST_CASE("graduated: the host's draw u decides admission against the step's share") {
  CircuitBreaker b = graduated();
  std::vector<Transition> t;
  b.record(T0, false, 1, false, t);
  b.record(T0, false, 1, false, t);  // share 0.7
  CHECK(b.decide(T0 + 1, 0.69, t).admit);
  CHECK_FALSE(b.decide(T0 + 1, 0.7, t).admit);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += b.decide(T0 + 1, i / 1000.0, t).admit ? 1 : 0;
  CHECK(admitted == 700);
}

TEST_CASE("graduated: with a failure rate, a step is taken per trip of the window, not per failure") {
  CircuitBreaker b = graduated(R"(,"failureRate":0.5,"window":{"size":4},"minimumCalls":4)");
  std::vector<Transition> t;
  b.record(T0, false, 1, false, t);
  b.record(T0 + 1, false, 1, false, t);
  CHECK(b.data().step == 0);
  b.record(T0 + 2, true, 1, false, t);
  b.record(T0 + 3, true, 1, false, t);  // 2/4 trips
  CHECK(b.data().step == 1);
  CHECK(b.data().window.empty());
}

TEST_CASE("graduated: a custom curve sets the steps") {
  CircuitBreaker b = graduated(R"(,"curve":[1,0.5])");
  std::vector<Transition> t;
  b.record(T0, false, 1, false, t);
  CHECK(b.decide(T0, 0, t).primary_share == 0.5);
  b.record(T0, false, 1, false, t);
  CHECK(b.data().state == BreakerState::Open);
  CHECK(b.data().step == 2);
}
