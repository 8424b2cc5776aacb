// Snapshots and merges of the resilience objects: round trips, a half-open restore without a burst
// of probes, every malformed document refused with its field named and the state untouched, and
// merges that are commutative and idempotent.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgescope/resilience/breaker.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "edgescope/resilience/ledger.hpp"

using namespace edgescope::resilience;

namespace {

constexpr std::int64_t T0 = 1'796'083'200'000;  // 2026-12-01T00:00Z

BreakerConfig config_of(const std::string& json) {
  BreakerConfig c;
  std::string error;
  REQUIRE_MESSAGE(parse_breaker_config(json, c, error), error);
  return c;
}

const char* kClassic = R"({"failureThreshold":3,"failureRate":0.5,"minimumCalls":4,"window":{"size":20},"openMs":1000,"halfOpenCalls":2})";

// A small deterministic generator (the tests' only randomness).
struct Lcg {
  std::uint64_t s;
  std::uint32_t next() { return static_cast<std::uint32_t>((s = s * 6364136223846793005ULL + 1442695040888963407ULL) >> 33); }
};

// Drives a breaker through `steps` random outcomes and decisions from `start`.
void drive(CircuitBreaker& b, std::uint64_t seed, int steps, std::int64_t start) {
  Lcg rng{seed};
  std::vector<Transition> t;
  std::int64_t now = start;
  for (int i = 0; i < steps; ++i) {
    now += rng.next() % 400;
    const Decision d = b.decide(now, (rng.next() % 1000) / 1000.0, t);
    if (d.admit) b.record(now + rng.next() % 50, rng.next() % 3 != 0, rng.next() % 100, d.probe, t);
  }
}

}  // namespace

TEST_CASE("breaker snapshot: round trip in every state, classic and graduated") {
  for (const char* json : {kClassic, R"({"policy":"graduated","quietMs":700})"}) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      CircuitBreaker a(config_of(json));
      drive(a, seed, static_cast<int>(seed * 3), T0);
      const std::int64_t now = T0 + 100'000;
      const std::string saved = a.serialize(now);
      CircuitBreaker b(config_of(json));
      std::string error;
      REQUIRE_MESSAGE(b.deserialize(saved, now, error), error << " in " << saved);
      CHECK(b.serialize(now) == saved);
    }
  }
}

TEST_CASE("breaker snapshot: saved HALF_OPEN with a probe in flight restores without a burst") {
  CircuitBreaker a(config_of(R"({"failureThreshold":1,"openMs":1000,"halfOpenCalls":1,"halfOpenMaxWaitMs":5000})"));
  std::vector<Transition> t;
  a.record(T0, false, 1, false, t);
  REQUIRE(a.decide(T0 + 1000, 0, t).probe);
  const std::string saved = a.serialize(T0 + 1001);
  // Many isolates restore the same snapshot: none of them admits another probe until the slot
  // is answered or released.
  for (int isolate = 0; isolate < 5; ++isolate) {
    CircuitBreaker b(config_of(R"({"failureThreshold":1,"openMs":1000,"halfOpenCalls":1,"halfOpenMaxWaitMs":5000})"));
    std::string error;
    REQUIRE(b.deserialize(saved, T0 + 1002, error));
    CHECK(b.data().state == BreakerState::HalfOpen);
    const Decision d = b.decide(T0 + 1002, 0, t);
    CHECK_FALSE(d.admit);
    CHECK(d.retry_after_ms == 4998);  // the slot taken at +1000 is released at +6000
    CHECK(b.decide(T0 + 6000, 0, t).probe);  // the slot is released after the maximum wait
  }
}

TEST_CASE("breaker snapshot: a restored OPEN breaker keeps its retry-after") {
  CircuitBreaker a(config_of(R"({"failureThreshold":5,"openMs":30000})"));
  std::vector<Transition> t;
  for (int i = 0; i < 5; ++i) a.record(T0 + i, false, 1, false, t);
  CircuitBreaker b(config_of(R"({"failureThreshold":5,"openMs":30000})"));
  std::string error;
  REQUIRE(b.deserialize(a.serialize(T0 + 10), T0 + 10'000, error));
  const Decision d = b.decide(T0 + 10'000, 0, t);
  CHECK(d.state == BreakerState::Open);
  CHECK(d.retry_after_ms == 20'004);
}

TEST_CASE("breaker snapshot: every malformed document is refused with its field named, state untouched") {
  CircuitBreaker b(config_of(kClassic));
  drive(b, 7, 30, T0);
  const std::int64_t now = T0 + 50'000;
  const std::string good = b.serialize(now);
  const std::string valid =
      R"({"version":1,"kind":"breaker","policy":"classic","state":"CLOSED","since":10,"openUntil":0,"openings":0,)"
      R"("consecutiveFailures":1,"lastFailureAt":20,"probes":[],"probeSuccesses":0,"step":0,"window":[)"
      R"({"at":10,"failed":false,"slow":false},{"at":11,"failed":false,"slow":false},{"at":12,"failed":false,"slow":false},)"
      R"({"at":20,"failed":true,"slow":false}]})";
  {
    CircuitBreaker probe(config_of(kClassic));
    std::string error;
    REQUIRE_MESSAGE(probe.deserialize(valid, now, error), error);
  }
  auto with = [&](const std::string& from, const std::string& to) {
    const auto at = valid.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    return valid.substr(0, at) + to + valid.substr(at + from.size());
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with(R"("version":1)", R"("version":2)"), "breaker.version: unknown version 2"},
      {with(R"("version":1)", R"("version":"1")"), "breaker.version: expected a non-negative integer"},
      {with(R"("kind":"breaker")", R"("kind":"ledger")"), "breaker.kind: expected 'breaker'"},
      {with(R"("policy":"classic")", R"("policy":"graduated")"), "breaker.policy: expected 'classic'"},
      {with(R"("state":"CLOSED")", R"("state":"closed")"), "breaker.state: expected 'CLOSED', 'OPEN' or 'HALF_OPEN'"},
      {with(R"("state":"CLOSED")", R"("state":"DEGRADED")"), "breaker.state: expected 'CLOSED', 'OPEN' or 'HALF_OPEN'"},
      {with(R"("openings":0)", R"("openings":-1)"), "breaker.openings: expected a non-negative integer"},
      {with(R"("openings":0)", R"("openings":1.5)"), "breaker.openings: expected a non-negative integer"},
      {with(R"("openings":0)", R"("openings":NaN)"), "breaker: JSON offset"},
      {with(R"("openings":0)", R"("openings":Infinity)"), "breaker: JSON offset"},
      {with(R"("openings":0)", R"("openings":1e400)"), "breaker: JSON offset"},
      {with(R"("since":10)", R"("since":9007199254740993)"), "breaker.since: expected a non-negative integer"},
      {with(R"("consecutiveFailures":1)", R"("consecutiveFailures":true)"), "breaker.consecutiveFailures: expected a non-negative integer"},
      {with(R"("lastFailureAt":20)", R"("lastFailureAt":5)"), "breaker.consecutiveFailures: must be 0"},
      {with(R"("probes":[])", R"("probes":[5])"), "breaker.probes: probes in flight outside HALF_OPEN"},
      {with(R"("probes":[])", R"("probes":{})"), "breaker.probes: expected an array"},
      {with(R"("probeSuccesses":0)", R"("probeSuccesses":2)"), "breaker.probeSuccesses: out of range"},
      {with(R"("step":0)", R"("step":1)"), "breaker.step: 1 out of range"},
      {with(R"({"at":20,)", R"({"at":-20,)"), "breaker.window[3].at: expected a non-negative integer"},
      {with(R"({"at":12,)", R"({"at":2,)"), "breaker.window[2].at: before since"},
      {with(R"("failed":true)", R"("failed":1)"), "breaker.window[3].failed: expected true or false"},
      {with(R"("slow":false}])", R"("slow":false,"x":1}])"), "breaker.window[3].x: unknown field"},
      {with(R"("slow":false}])", R"("slow":false},7])"), "breaker.window[4]: expected an object"},
      {with(R"("window":[)", R"("window":[[],)"), "breaker.window[0]: expected an object"},
      {with(R"("openUntil":0,)", ""), "breaker.openUntil: missing"},
      {with(R"("step":0,)", R"("step":0,"extra":0,)"), "breaker.extra: unknown field"},
      {valid.substr(0, valid.size() / 2), "breaker: JSON offset"},
      {valid + "x", "breaker: JSON offset"},
      {"", "breaker: JSON offset 0: truncated document"},
      {"[]", "breaker: expected an object"},
      {with(R"("kind":"breaker")", "\"kind\":\"br\xC3\x28ker\""), "breaker: JSON offset"},
      {with(R"("kind":"breaker")", R"("kind":"\ud800")"), "breaker: JSON offset"},
      {std::string(2u << 20, ' '), "breaker: JSON document of 2097152 bytes exceeds the limit"},
      {std::string(100, '[') + std::string(100, ']'), "breaker: JSON offset 16: nesting too deep"},
  };
  for (const auto& item : cases) {
    const std::string& doc = item.first;
    const std::string& want = item.second;
    std::string error;
    CHECK_FALSE_MESSAGE(b.deserialize(doc, now, error), doc.substr(0, 300));
    CHECK_MESSAGE(error.rfind(want, 0) == 0, doc.substr(0, 300) << " -> " << error);
    CHECK(b.serialize(now) == good);
    CHECK_FALSE(b.merge(doc, now, error));
    CHECK(b.serialize(now) == good);
  }
}

TEST_CASE("breaker snapshot: more window entries than the limit, or probes than halfOpenCalls, are refused") {
  CircuitBreaker b(config_of(R"({"window":{"type":"time","size":60000}})"));
  std::string doc = R"({"version":1,"kind":"breaker","policy":"classic","state":"CLOSED","since":0,"openUntil":0,"openings":0,)"
                    R"("consecutiveFailures":0,"lastFailureAt":0,"probes":[],"probeSuccesses":0,"step":0,"window":[)";
  for (int i = 0; i < 1001; ++i) doc += std::string(i ? "," : "") + R"({"at":1,"failed":false,"slow":false})";
  doc += "]}";
  std::string error;
  CHECK_FALSE(b.deserialize(doc, T0, error));
  CHECK(error == "breaker.window: 1001 items exceed the limit of 1000");
  const std::string half = R"({"version":1,"kind":"breaker","policy":"classic","state":"HALF_OPEN","since":0,"openUntil":0,)"
                           R"("openings":1,"consecutiveFailures":0,"lastFailureAt":0,"probes":[1,2],"probeSuccesses":0,"step":0,"window":[]})";
  CHECK_FALSE(b.deserialize(half, T0, error));
  CHECK(error == "breaker.probes: 2 items exceed the limit of 1");
}

TEST_CASE("breaker merge: commutative and idempotent over random histories") {
  for (const char* json : {kClassic, R"({"policy":"graduated","quietMs":700})",
                           R"({"failureRate":0.5,"window":{"type":"time","size":5000},"minimumCalls":2,"halfOpenCalls":3})"}) {
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
      // Two isolates start from the same saved state and diverge.
      CircuitBreaker base(config_of(json));
      drive(base, seed, 10, T0);
      const std::string shared = base.serialize(T0 + 5000);
      CircuitBreaker a(config_of(json)), b(config_of(json));
      std::string error;
      REQUIRE(a.deserialize(shared, T0 + 5000, error));
      REQUIRE(b.deserialize(shared, T0 + 5000, error));
      drive(a, seed * 7 + 1, 8, T0 + 5000);
      drive(b, seed * 13 + 2, 8, T0 + 5000);
      const std::int64_t now = T0 + 9000;
      const std::string sa = a.serialize(now), sb = b.serialize(now);
      BreakerData da, db;
      REQUIRE(CircuitBreaker::parse_snapshot(sa, a.config(), da, error));
      REQUIRE(CircuitBreaker::parse_snapshot(sb, b.config(), db, error));
      CircuitBreaker ab(config_of(json)), ba(config_of(json));
      REQUIRE(ab.deserialize(sa, now, error));
      REQUIRE_MESSAGE(ab.merge(sb, now, error), error);
      REQUIRE(ba.deserialize(sb, now, error));
      REQUIRE(ba.merge(sa, now, error));
      const std::string merged = ab.serialize(now);
      CHECK_MESSAGE(merged == ba.serialize(now), sa << "\n" << sb);
      // Idempotent: merging either side (or the result) again changes nothing.
      REQUIRE(ab.merge(sa, now, error));
      REQUIRE(ab.merge(sb, now, error));
      REQUIRE(ab.merge(merged, now, error));
      CHECK(ab.serialize(now) == merged);
      CircuitBreaker self(config_of(json));
      REQUIRE(self.deserialize(sa, now, error));
      REQUIRE(self.merge(sa, now, error));
      CHECK(self.serialize(now) == sa);
      // The more recent state record wins.
      BreakerData dm;
      REQUIRE(CircuitBreaker::parse_snapshot(merged, a.config(), dm, error));
      CHECK(dm.since == std::max(da.since, db.since));
    }
  }
}

TEST_CASE("breaker merge: an isolate that saw the breaker open wins over a stale CLOSED copy; a later close wins back") {
  const char* json = R"({"failureThreshold":2,"openMs":1000})";
  CircuitBreaker a(config_of(json)), stale(config_of(json));
  std::vector<Transition> t;
  std::string error;
  a.record(T0 + 10, false, 1, false, t);
  a.record(T0 + 11, false, 1, false, t);
  const std::string open = a.serialize(T0 + 20);
  REQUIRE(stale.merge(open, T0 + 20, error));
  CHECK(stale.data().state == BreakerState::Open);
  REQUIRE(a.decide(T0 + 1011, 0, t).probe);
  a.record(T0 + 1012, true, 1, true, t);
  REQUIRE(a.data().state == BreakerState::Closed);
  REQUIRE(stale.merge(a.serialize(T0 + 1013), T0 + 1013, error));
  CHECK(stale.data().state == BreakerState::Closed);
}

TEST_CASE("breaker merge: windows are unioned by timestamp, and concurrent failures add up to a trip") {
  const char* json = R"({"failureThreshold":0,"failureRate":0.5,"minimumCalls":4,"window":{"size":10}})";
  CircuitBreaker a(config_of(json)), b(config_of(json));
  std::vector<Transition> t;
  std::string error;
  a.record(T0 + 1, false, 1, false, t);
  a.record(T0 + 2, true, 1, false, t);
  b.record(T0 + 3, false, 1, false, t);
  b.record(T0 + 4, true, 1, false, t);
  REQUIRE(a.merge(b.serialize(T0 + 5), T0 + 5, error));
  CHECK(a.window_calls(T0 + 5) == 4);
  CHECK(a.window_failures(T0 + 5) == 2);
  a.record(T0 + 6, true, 1, false, t);
  CHECK(a.data().state == BreakerState::Closed);  // 2/5
  a.record(T0 + 7, false, 1, false, t);           // 3/6
  CHECK(a.data().state == BreakerState::Open);
}

TEST_CASE("ledger snapshot: round trip, and malformed documents refused with the field named") {
  LedgerConfig config;
  std::string error;
  REQUIRE(parse_ledger_config(R"({"budgets":[{"monthly":100}],"limits":[{"perMinute":{"requests":10}}]})", config, error));
  CreditLedger l(config);
  std::vector<LedgerAlert> alerts;
  LedgerEntry e;
  e.provider = "openai";
  e.model = "gpt";
  e.spend_micros = 85'000'000;
  REQUIRE(l.record(T0 + 1000, e, alerts, error));
  const std::string good = l.serialize(T0 + 2000);
  CreditLedger r(config);
  REQUIRE(r.deserialize(good, T0 + 2000, error));
  CHECK(r.serialize(T0 + 2000) == good);
  auto with = [&](const std::string& from, const std::string& to) {
    const auto at = good.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    return good.substr(0, at) + to + good.substr(at + from.size());
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with(R"("version":1)", R"("version":0)"), "ledger.version: unknown version 0"},
      {with(R"("periodStart":1796083200000)", R"("periodStart":1796083200001)"), "ledger.periodStart: not the first millisecond"},
      {with(R"("spendMicros":85000000,"input)", R"("spendMicros":-5,"input)"), "ledger.usage[0].spendMicros: expected a non-negative integer"},
      {with(R"("model":"gpt")", R"("model":"")"), "ledger.usage[0].model: expected a non-empty string"},
      {with(R"("usage":[)", R"("usage":[{"provider":"openai","model":"gpt","spendMicros":1,"inputTokens":0,"outputTokens":0,"requests":1},)"),
       "ledger.usage[1]: duplicate"},
      {with(R"("hours":[{"provider":"openai","at":1796083200000)", R"("hours":[{"provider":"openai","at":1796083200007)"),
       "ledger.hours[0].at: not the start of an hour"},
      {with(R"("hours":[{"provider":"openai")", R"("hours":[{"provider":"*")"), "ledger.hours[0].provider: '*' is not a provider here"},
      {with(R"("budget":1)", R"("budget":4)"), "ledger.fired[0].budget: 4 out of range (from 0 to 3)"},
      {with(R"("depletion":3)", R"("depletion":0.5)"), "ledger.fired[0].depletion: expected a non-negative integer"},
      {with(R"("minute":1796083200000)", R"("minute":"x")"), "ledger.rates[0].minute: expected a non-negative integer"},
      {with(R"("kind":"ledger")", R"("kind":"registry")"), "ledger.kind: expected 'ledger'"},
      {with(R"("day":1796083200000)", R"("day":1795996800000)"), "ledger.rates[0].minute: not within day"},
      {good.substr(0, good.size() - 3), "ledger: JSON offset"},
  };
  for (const auto& item : cases) {
    const std::string& doc = item.first;
    const std::string& want = item.second;
    CHECK_FALSE_MESSAGE(l.deserialize(doc, T0 + 2000, error), doc);
    CHECK_MESSAGE(error.rfind(want, 0) == 0, doc << " -> " << error);
    CHECK_FALSE(l.merge(doc, T0 + 2000, error));
    CHECK(l.serialize(T0 + 2000) == good);
  }
}

TEST_CASE("ledger merge: max per key per month, later month wins, fired tiers unioned; commutative and idempotent") {
  LedgerConfig config;
  std::string error;
  REQUIRE(parse_ledger_config(R"({"budgets":[{"monthly":100},{"provider":"a","monthly":10}]})", config, error));
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CreditLedger x(config), y(config);
    Lcg rng{seed};
    std::vector<LedgerAlert> alerts;
    for (int i = 0; i < 30; ++i) {
      LedgerEntry e;
      e.provider = std::string(1, static_cast<char>('a' + rng.next() % 3));
      e.model = rng.next() % 2 ? "m1" : "m2";
      e.spend_micros = rng.next() % 2'000'000;
      e.input_tokens = rng.next() % 100;
      // Mostly the same month; some entries cross into January.
      const std::int64_t now = T0 + 29 * 86'400'000LL + (rng.next() % (3 * 86'400)) * 1000LL;
      REQUIRE((rng.next() % 2 ? x : y).record(now, e, alerts, error));
    }
    const std::int64_t now = T0 + 33 * 86'400'000LL;
    const std::string sx = x.serialize(now), sy = y.serialize(now);
    CreditLedger xy(config), yx(config);
    REQUIRE(xy.deserialize(sx, now, error));
    REQUIRE(xy.merge(sy, now, error));
    REQUIRE(yx.deserialize(sy, now, error));
    REQUIRE(yx.merge(sx, now, error));
    const std::string merged = xy.serialize(now);
    CHECK(merged == yx.serialize(now));
    REQUIRE(xy.merge(sx, now, error));
    REQUIRE(xy.merge(merged, now, error));
    CHECK(xy.serialize(now) == merged);
    // Spend never goes backwards: every key's spend is at least what either side had.
    for (const LedgerData* side : {&x.data(), &y.data()}) {
      if (side->period_start != xy.data().period_start) continue;
      for (const Usage& u : side->usage) {
        bool found = false;
        for (const Usage& m : xy.data().usage) {
          if (m.provider == u.provider && m.model == u.model) found = m.spend_micros >= u.spend_micros;
        }
        CHECK(found);
      }
    }
  }
}

TEST_CASE("ledger merge: fired tiers from another isolate stop this one from firing again") {
  LedgerConfig config;
  std::string error;
  REQUIRE(parse_ledger_config(R"({"budgets":[{"monthly":10}],"depletionDays":[]})", config, error));
  CreditLedger a(config), b(config);
  std::vector<LedgerAlert> alerts;
  LedgerEntry e;
  e.provider = "p";
  e.model = "m";
  e.spend_micros = 8'500'000;
  REQUIRE(a.record(T0, e, alerts, error));
  REQUIRE(alerts.size() == 1);
  REQUIRE_MESSAGE(b.merge(a.serialize(T0), T0, error), error);
  alerts.clear();
  e.spend_micros = 1;
  REQUIRE(b.record(T0 + 1, e, alerts, error));
  CHECK(alerts.empty());
}
