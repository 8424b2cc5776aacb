// The credit ledger (wasm/include/edgescope/resilience/ledger.hpp): accounting per provider and
// model, budget thresholds and depletion tiers that fire once, rate limits, the month reset, and
// that a restored ledger does not fire again.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgescope/resilience/ledger.hpp"

using namespace edgescope::resilience;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;
// 2026-12-01T00:00:00Z and 2027-01-01T00:00:00Z.
constexpr std::int64_t DEC1 = 1'796'083'200'000;
constexpr std::int64_t JAN1 = 1'798'761'600'000;

CreditLedger ledger(const std::string& json) {
  LedgerConfig c;
  std::string error;
  REQUIRE_MESSAGE(parse_ledger_config(json, c, error), error);
  return CreditLedger(c);
}

LedgerEntry entry(const std::string& provider, std::int64_t spend, const std::string& model = "m") {
  LedgerEntry e;
  e.provider = provider;
  e.model = model;
  e.spend_micros = spend;
  e.input_tokens = 100;
  e.output_tokens = 50;
  return e;
}

std::vector<LedgerAlert> add(CreditLedger& l, std::int64_t now, const LedgerEntry& e) {
  std::vector<LedgerAlert> alerts;
  std::string error;
  REQUIRE_MESSAGE(l.record(now, e, alerts, error), error);
  return alerts;
}

}  // namespace

TEST_CASE("ledger calendar: month starts in UTC, leap years included") {
  CHECK(month_start(DEC1 + 15 * kDay + 123) == DEC1);
  CHECK(next_month_start(DEC1) == JAN1);
  CHECK(month_start(JAN1 - 1) == DEC1);
  // 2028-02-29T12:00Z is in February 2028, which starts 2028-02-01 and ends 2028-03-01.
  const std::int64_t feb1_2028 = 1'832'976'000'000;
  CHECK(month_start(feb1_2028 + 28 * kDay + 12 * kHour) == feb1_2028);
  CHECK(next_month_start(feb1_2028) == feb1_2028 + 29 * kDay);
  CHECK(month_start(0) == 0);
}

TEST_CASE("ledger: spend, tokens and requests add up per provider and model") {
  CreditLedger l = ledger("{}");
  add(l, DEC1 + 1, entry("openai", 1000, "gpt"));
  add(l, DEC1 + 2, entry("openai", 500, "gpt"));
  add(l, DEC1 + 3, entry("openai", 7, "mini"));
  add(l, DEC1 + 4, entry("anthropic", 10));
  const auto& usage = l.data().usage;
  REQUIRE(usage.size() == 3);
  CHECK(usage[0].provider == "anthropic");
  CHECK(usage[1].model == "gpt");
  CHECK(usage[1].spend_micros == 1500);
  CHECK(usage[1].input_tokens == 200);
  CHECK(usage[1].output_tokens == 100);
  CHECK(usage[1].requests == 2);
}

TEST_CASE("ledger: budget thresholds fire once each, only when the tier rises") {
  CreditLedger l = ledger(R"({"budgets":[{"provider":"openai","monthly":10}],"depletionDays":[]})");
  std::vector<double> fired;
  std::int64_t now = DEC1;
  for (int i = 0; i < 20; ++i) {
    for (const LedgerAlert& a : add(l, now += kDay / 40, entry("openai", 500'000))) {
      CHECK_FALSE(a.depletion);
      CHECK(a.provider == "openai");
      fired.push_back(a.tier);
    }
  }
  CHECK(fired == std::vector<double>{0.8, 0.9, 0.95});
  CHECK(add(l, now + 1, entry("anthropic", 100'000'000)).empty());  // another provider's budget
}

TEST_CASE("ledger: a jump over several thresholds fires the highest once") {
  CreditLedger l = ledger(R"({"budgets":[{"monthly":1}],"depletionDays":[]})");
  const auto alerts = add(l, DEC1, entry("x", 960'000));
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].tier == 0.95);
  CHECK(alerts[0].provider == "*");
  CHECK(add(l, DEC1 + 1, entry("x", 10)).empty());
}

TEST_CASE("ledger: depletion tiers from the last 24 h of spend fire once each as days left shrink") {
  // $300 budget; $20 a day in the first days: 14 days left -> nothing; then faster.
  CreditLedger l = ledger(R"({"budgets":[{"monthly":300}],"thresholds":[]})");
  std::int64_t now = DEC1 + kHour;
  CHECK(add(l, now, entry("x", 20'000'000)).empty());  // 280 / 20 = 14 days
  std::vector<double> tiers;
  std::vector<double> days;
  for (int i = 0; i < 12; ++i) {
    now += kHour;
    for (const LedgerAlert& a : add(l, now, entry("x", 20'000'000))) {
      CHECK(a.depletion);
      tiers.push_back(a.tier);
      days.push_back(a.days_left);
    }
  }
  CHECK(tiers == std::vector<double>{7, 3, 1});
  REQUIRE(days.size() == 3);
  CHECK(days[0] <= 7);
  CHECK(days[2] <= 1);
}

TEST_CASE("ledger: no depletion alert when the budget outlasts the month") {
  CreditLedger l = ledger(R"({"budgets":[{"monthly":300}],"thresholds":[]})");
  // On Dec 30, 12:00: $60 in 24 h leaves 4 days of budget, but the month ends in 1.5 days.
  const std::int64_t now = DEC1 + 29 * kDay + 12 * kHour;
  CHECK(add(l, now, entry("x", 60'000'000)).empty());
}

TEST_CASE("ledger: fired tiers survive a snapshot, so a restored ledger does not fire again") {
  const std::string config = R"({"budgets":[{"monthly":10}]})";
  CreditLedger a = ledger(config);
  add(a, DEC1 + kHour, entry("x", 9'600'000));
  CreditLedger b = ledger(config);
  std::string error;
  REQUIRE(b.deserialize(a.serialize(DEC1 + kHour), DEC1 + kHour, error));
  CHECK(add(b, DEC1 + kHour + 1, entry("x", 1)).empty());
}

TEST_CASE("ledger: the month boundary (UTC) resets spend and fired tiers") {
  CreditLedger l = ledger(R"({"budgets":[{"monthly":1}],"depletionDays":[]})");
  CHECK(add(l, JAN1 - 1, entry("x", 900'000)).size() == 1);
  const auto alerts = add(l, JAN1, entry("x", 900'000));
  REQUIRE(alerts.size() == 1);  // a new month: fires again
  CHECK(l.data().period_start == JAN1);
  REQUIRE(l.data().usage.size() == 1);
  CHECK(l.data().usage[0].spend_micros == 900'000);
}

TEST_CASE("ledger: per-minute and per-day limits deny with the time until the window ends") {
  CreditLedger l = ledger(R"({"limits":[{"provider":"x","perMinute":{"requests":2,"tokens":1000}},{"perDay":{"requests":3}}]})");
  const std::int64_t now = DEC1 + 10 * kHour + 15'000;  // 15 s into a minute
  CHECK(l.check(now, "x", 1, 0).allowed);
  add(l, now, entry("x", 0));
  add(l, now, entry("x", 0));
  LedgerVerdict v = l.check(now + 1000, "x", 1, 0);
  CHECK_FALSE(v.allowed);
  CHECK(v.reason == "perMinute.requests");
  CHECK(v.provider == "x");
  CHECK(v.retry_after_ms == 44'000);
  v = l.check(now, "y", 1, 0);
  CHECK(v.allowed);  // y has no per-minute limit; the global day has 1 left
  CHECK(l.check(now, "x", 0, 701).reason == "perMinute.tokens");
  add(l, now, entry("y", 0));
  v = l.check(now + 60'000, "y", 1, 0);  // next minute: the day limit (3, global) is reached
  CHECK_FALSE(v.allowed);
  CHECK(v.reason == "perDay.requests");
  CHECK(v.provider == "*");
  CHECK(v.retry_after_ms == 14 * kHour - 75'000);
  CHECK(l.check(DEC1 + kDay, "y", 1, 0).allowed);  // a new UTC day
}

TEST_CASE("ledger: a spent budget denies until the month ends") {
  CreditLedger l = ledger(R"({"budgets":[{"provider":"x","monthly":1}]})");
  add(l, DEC1, entry("x", 1'000'000));
  const LedgerVerdict v = l.check(DEC1 + kDay, "x", 1, 0);
  CHECK_FALSE(v.allowed);
  CHECK(v.reason == "budget");
  CHECK(v.retry_after_ms == JAN1 - DEC1 - kDay);
  CHECK(l.check(DEC1, "y", 1, 0).allowed);
}

TEST_CASE("ledger: refuses more providers than it holds, leaving its state as it was") {
  CreditLedger l = ledger("{}");
  for (std::size_t i = 0; i < kMaxLedgerProviders; ++i) add(l, DEC1, entry("p" + std::to_string(i), 1));
  const std::string before = l.serialize(DEC1);
  std::vector<LedgerAlert> alerts;
  std::string error;
  CHECK_FALSE(l.record(DEC1, entry("one-more", 1), alerts, error));
  CHECK(error.find("ledger full") == 0);
  CHECK(l.serialize(DEC1) == before);
}

TEST_CASE("ledger config and entries: each bad field is named") {
  const std::vector<std::pair<std::string, std::string>> configs = {
      {R"({"budgets":[{"monthly":0}]})", "config.budgets[0].monthly: out of range"},
      {R"({"budgets":[{"provider":"*","monthly":1}]})", "config.budgets[0].provider: '*' is reserved"},
      {R"({"budgets":[{"monthly":1},{"monthly":2}]})", "config.budgets[1].provider: a second budget"},
      {R"({"thresholds":[0.9,0.8]})", "config.thresholds[1]: thresholds must ascend"},
      {R"({"depletionDays":[1,3]})", "config.depletionDays[1]: days must descend"},
      {R"({"limits":[{"perMinute":{"requests":0}}]})", "config.limits[0].perMinute.requests: 0 out of range"},
      {R"({"limits":[{"perHour":{}}]})", "config.limits[0].perHour: unknown field"},
  };
  for (const auto& item : configs) {
    const std::string& json = item.first;
    const std::string& want = item.second;
    LedgerConfig c;
    std::string error;
    CHECK_MESSAGE(!parse_ledger_config(json, c, error), json);
    CHECK_MESSAGE(error.rfind(want, 0) == 0, json << " -> " << error);
  }
  LedgerEntry e;
  std::string error;
  CHECK_FALSE(parse_ledger_entry(R"({"provider":"x","spendMicros":1.5})", e, error));
  CHECK(error == "entry.spendMicros: expected a non-negative integer");
  CHECK_FALSE(parse_ledger_entry(R"({"spendMicros":1})", e, error));
  CHECK(error == "entry.provider: missing");
  REQUIRE(parse_ledger_entry(R"({"provider":"x"})", e, error));
  CHECK(e.requests == 1);
}
