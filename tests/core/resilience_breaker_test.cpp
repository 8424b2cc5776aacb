// The classic circuit breaker (wasm/include/edgescope/resilience/breaker.hpp): every transition,
// the trip rules, the exponential open duration, probes and the half-open maximum wait.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgescope/resilience/breaker.hpp"

using namespace edgescope::resilience;

namespace {

constexpr std::int64_t T0 = 1'700'000'000'000;

BreakerConfig config_of(const std::string& json) {
  BreakerConfig c;
  std::string error;
  REQUIRE_MESSAGE(parse_breaker_config(json, c, error), error);
  return c;
}

struct Harness {
  CircuitBreaker b;
  std::vector<Transition> t;
  explicit Harness(const std::string& json) : b(config_of(json)) {}
  Decision decide(std::int64_t now) { return b.decide(now, 0.5, t); }
  void fail(std::int64_t now, bool probe = false) { b.record(now, false, 10, probe, t); }
  void ok(std::int64_t now, bool probe = false, std::int64_t ms = 10) { b.record(now, true, ms, probe, t); }
  BreakerState state() const { return b.data().state; }
};

}  // namespace

TEST_CASE("breaker: N consecutive failures open it; a success in between restarts the count") {
  Harness h(R"({"failureThreshold":3,"openMs":1000})");
  h.fail(T0);
  h.fail(T0 + 1);
  h.ok(T0 + 2);
  h.fail(T0 + 3);
  h.fail(T0 + 4);
  CHECK(h.state() == BreakerState::Closed);
  CHECK(h.t.empty());
  h.fail(T0 + 5);
  CHECK(h.state() == BreakerState::Open);
  REQUIRE(h.t.size() == 1);
  CHECK(h.t[0].from == BreakerState::Closed);
  CHECK(h.t[0].to == BreakerState::Open);
  CHECK(h.t[0].at == T0 + 5);
  const Decision d = h.decide(T0 + 100);
  CHECK_FALSE(d.admit);
  CHECK(d.retry_after_ms == 905);
  CHECK(d.state == BreakerState::Open);
}

TEST_CASE("breaker: OPEN turns HALF_OPEN at the end of the open duration, reported at that time") {
  Harness h(R"({"failureThreshold":1,"openMs":1000})");
  h.fail(T0);
  h.t.clear();
  CHECK_FALSE(h.decide(T0 + 999).admit);
  const Decision d = h.decide(T0 + 1500);
  CHECK(d.admit);
  CHECK(d.probe);
  CHECK(d.state == BreakerState::HalfOpen);
  REQUIRE(h.t.size() == 1);
  CHECK(h.t[0].from == BreakerState::Open);
  CHECK(h.t[0].to == BreakerState::HalfOpen);
  CHECK(h.t[0].at == T0 + 1000);
}

TEST_CASE("breaker: HALF_OPEN admits exactly halfOpenCalls probes, closes after as many successes") {
  Harness h(R"({"failureThreshold":1,"openMs":1000,"halfOpenCalls":2})");
  h.fail(T0);
  const Decision a = h.decide(T0 + 1000), b = h.decide(T0 + 1001), c = h.decide(T0 + 1002);
  CHECK((a.admit && a.probe && b.admit && b.probe));
  CHECK_FALSE(c.admit);
  CHECK_FALSE(c.probe);
  h.ok(T0 + 1003, false);  // a late answer from before: not a probe, changes nothing
  CHECK(h.state() == BreakerState::HalfOpen);
  h.ok(T0 + 1010, true);
  CHECK(h.state() == BreakerState::HalfOpen);
  h.t.clear();
  h.ok(T0 + 1020, true);
  CHECK(h.state() == BreakerState::Closed);
  REQUIRE(h.t.size() == 1);
  CHECK(h.t[0].from == BreakerState::HalfOpen);
  CHECK(h.t[0].to == BreakerState::Closed);
  CHECK(h.b.data().openings == 0);
  CHECK(h.decide(T0 + 1030).admit);
  CHECK_FALSE(h.decide(T0 + 1031).probe);
}

TEST_CASE("breaker: a failed probe opens it again, for longer with an exponential backoff, capped") {
  Harness h(R"({"failureThreshold":1,"openMs":1000,"openBackoff":{"multiplier":2,"maxMs":5000}})");
  std::int64_t now = T0;
  h.fail(now);
  std::vector<std::int64_t> durations;
  for (int i = 0; i < 5; ++i) {
    durations.push_back(h.b.data().open_until - h.b.data().since);
    now = h.b.data().open_until;
    REQUIRE(h.decide(now).probe);
    h.fail(now + 1, true);
    now += 1;
    CHECK(h.state() == BreakerState::Open);
  }
  CHECK(durations == std::vector<std::int64_t>{1000, 2000, 4000, 5000, 5000});
  // A close resets the backoff.
  now = h.b.data().open_until;
  REQUIRE(h.decide(now).probe);
  h.ok(now, true);
  h.fail(now + 1);
  CHECK(h.b.data().open_until - h.b.data().since == 1000);
}

TEST_CASE("breaker: fixed open duration without a backoff multiplier") {
  Harness h(R"({"failureThreshold":1,"openMs":700})");
  h.fail(T0);
  REQUIRE(h.decide(T0 + 700).probe);
  h.fail(T0 + 701, true);
  CHECK(h.b.data().open_until - h.b.data().since == 700);
}

TEST_CASE("breaker: a probe that never answers releases its slot after halfOpenMaxWaitMs") {
  Harness h(R"({"failureThreshold":1,"openMs":1000,"halfOpenMaxWaitMs":5000})");
  h.fail(T0);
  REQUIRE(h.decide(T0 + 1000).probe);
  const Decision blocked = h.decide(T0 + 3000);
  CHECK_FALSE(blocked.admit);
  CHECK(blocked.retry_after_ms == 3000);
  CHECK_FALSE(h.decide(T0 + 5999).admit);
  const Decision again = h.decide(T0 + 6000);
  CHECK(again.admit);
  CHECK(again.probe);
  CHECK(h.state() == BreakerState::HalfOpen);
}

TEST_CASE("breaker: failure rate over a count window trips only with the minimum number of calls") {
  Harness h(R"({"failureThreshold":0,"failureRate":0.5,"window":{"type":"count","size":10},"minimumCalls":6})");
  std::int64_t now = T0;
  for (int i = 0; i < 4; ++i) h.fail(now++);  // 4 of 4 failed, but fewer than 6 calls
  CHECK(h.state() == BreakerState::Closed);
  h.ok(now++);
  CHECK(h.state() == BreakerState::Closed);  // 4/5
  h.ok(now++);                               // 4/6 >= 0.5
  CHECK(h.state() == BreakerState::Open);
}

TEST_CASE("breaker: a count window smaller than the default minimum judges its rate once full") {
  Harness h(R"({"failureThreshold":0,"failureRate":0.5,"window":{"size":4}})");
  CHECK(h.b.config().minimum_calls == 4);
  h.fail(T0);
  h.fail(T0 + 1);
  h.ok(T0 + 2);
  CHECK(h.state() == BreakerState::Closed);
  h.ok(T0 + 3);
  CHECK(h.state() == BreakerState::Open);
}

TEST_CASE("breaker: the count window keeps only the last size calls") {
  Harness h(R"({"failureThreshold":0,"failureRate":0.5,"window":{"type":"count","size":4},"minimumCalls":4})");
  std::int64_t now = T0;
  h.fail(now++);
  for (int i = 0; i < 3; ++i) h.ok(now++);  // 1/4
  h.fail(now++);                            // window: ok ok ok fail -> 1/4
  CHECK(h.state() == BreakerState::Closed);
  CHECK(h.b.window_calls(now) == 4);
  CHECK(h.b.window_failures(now) == 1);
  h.fail(now++);  // ok ok fail fail -> 2/4
  CHECK(h.state() == BreakerState::Open);
}

TEST_CASE("breaker: a time window forgets outcomes older than its size") {
  Harness h(R"({"failureThreshold":0,"failureRate":0.5,"window":{"type":"time","size":1000},"minimumCalls":4})");
  h.fail(T0);
  h.fail(T0 + 1);
  h.fail(T0 + 2);
  h.ok(T0 + 1500);  // the three failures left the window: 0/1
  CHECK(h.b.window_calls(T0 + 1500) == 1);
  h.ok(T0 + 1501);
  h.fail(T0 + 1502);
  h.ok(T0 + 1503);  // 1/4
  CHECK(h.state() == BreakerState::Closed);
  h.fail(T0 + 1504);  // 2/5
  h.fail(T0 + 1505);  // 3/6
  CHECK(h.state() == BreakerState::Open);
}

TEST_CASE("breaker: slow-call rate trips on successful but slow calls") {
  Harness h(R"({"failureThreshold":0,"slowCallRate":0.5,"slowCallMs":200,"window":{"size":4},"minimumCalls":4})");
  h.ok(T0, false, 10);
  h.ok(T0 + 1, false, 300);
  h.ok(T0 + 2, false, 10);
  CHECK(h.state() == BreakerState::Closed);
  h.ok(T0 + 3, false, 250);
  CHECK(h.state() == BreakerState::Open);
}

TEST_CASE("breaker: answers arriving while OPEN change nothing") {
  Harness h(R"({"failureThreshold":1,"openMs":1000})");
  h.fail(T0);
  const BreakerData before = h.b.data();
  h.ok(T0 + 10);
  h.fail(T0 + 20);
  CHECK(h.b.data().open_until == before.open_until);
  CHECK(h.b.data().openings == 1);
}

TEST_CASE("breaker: forceOpen opens from any state and reset closes with a clean slate") {
  Harness h(R"({"failureThreshold":5,"openMs":1000})");
  h.fail(T0);
  h.b.force_open(T0 + 5, h.t);
  CHECK(h.state() == BreakerState::Open);
  CHECK(h.b.retry_after(T0 + 5) == 1000);
  h.b.force_open(T0 + 500, h.t);  // again: restarts the duration
  CHECK(h.b.retry_after(T0 + 500) == 1000);
  h.t.clear();
  h.b.reset(T0 + 600, h.t);
  CHECK(h.state() == BreakerState::Closed);
  REQUIRE(h.t.size() == 1);
  CHECK(h.t[0].to == BreakerState::Closed);
  CHECK(h.b.data().consecutive_failures == 0);
  CHECK(h.b.data().openings == 0);
  CHECK(h.decide(T0 + 601).admit);
}

TEST_CASE("breaker config: each bad field is named") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"policy":"fancy"})", "config.policy: expected 'classic' or 'graduated'"},
      {R"({"failureRate":1.5})", "config.failureRate: out of range"},
      {R"({"failureThreshold":-1})", "config.failureThreshold: expected a non-negative integer"},
      {R"({"window":{"type":"time","size":0}})", "config.window.size: 0 out of range"},
      {R"({"window":{"kind":"count"}})", "config.window.kind: unknown field"},
      {R"({"minimumCalls":50,"window":{"size":10}})", "config.minimumCalls: exceeds window.size"},
      {R"({"openMs":1.5})", "config.openMs: expected a non-negative integer"},
      {R"({"openBackoff":{"multiplier":0.5}})", "config.openBackoff.multiplier: out of range"},
      {R"({"openMs":5000,"openBackoff":{"maxMs":1000}})", "config.openBackoff.maxMs: is shorter than openMs"},
      {R"({"halfOpenCalls":0})", "config.halfOpenCalls: expected at least 1"},
      {R"({"curve":[1,0.5,0.7]})", "config.curve[2]: a step may not send more traffic"},
      {R"({"curve":[]})", "config.curve: expected at least one step"},
      {R"({"curve":[1,null]})", "config.curve[1]: expected a number"},
      {R"({"slowCallRate":0.5})", "config.slowCallMs: required with slowCallRate"},
      {R"({"failureTreshold":3})", "config.failureTreshold: unknown field"},
      {R"([1])", "config: expected an object"},
      {R"({"openMs":)", "config: JSON offset 10: truncated document"},
  };
  for (const auto& item : cases) {
    const std::string& json = item.first;
    const std::string& want = item.second;
    BreakerConfig c;
    std::string error;
    CHECK_MESSAGE(!parse_breaker_config(json, c, error), json);
    CHECK_MESSAGE(error.rfind(want, 0) == 0, json << " -> " << error);
  }
}
