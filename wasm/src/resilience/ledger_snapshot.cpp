// Ledger snapshots and merges (ledger.hpp).
//
// Snapshot (version 1), times in wall-clock ms, money in integer micro-dollars:
//   {"version":1,"kind":"ledger","periodStart":T,
//    "usage":[{"provider":P,"model":M,"spendMicros":N,"inputTokens":N,"outputTokens":N,"requests":N}],
//    "hours":[{"provider":P,"at":T,"spendMicros":N}],
//    "rates":[{"provider":P,"minute":T,"minuteRequests":N,"minuteTokens":N,"day":T,"dayRequests":N,"dayTokens":N}],
//    "fired":[{"provider":P,"budget":N,"depletion":N}]}
// Merge: the later month replaces an earlier one (usage and fired tiers); within the same month
// each counter is the max of the two sides, per key. Under KV's concurrent writers this can lose
// the smaller of two concurrent increments, never count one twice and never go backwards; the
// Durable Object, a single writer, is exact.
#include <algorithm>
#include <type_traits>

#include "edgescope/json_writer.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "edgescope/resilience/ledger.hpp"
#include "fields.hpp"

namespace edgescope::resilience {

namespace {

constexpr std::int64_t kMinuteMs = 60000;
constexpr std::int64_t kHourMs = 3600000;
constexpr std::int64_t kDayMs = 86400000;

bool usage_less(const Usage& a, const Usage& b) { return a.provider != b.provider ? a.provider < b.provider : a.model < b.model; }
bool hour_less(const HourSpend& a, const HourSpend& b) { return a.provider != b.provider ? a.provider < b.provider : a.at < b.at; }
template <typename T>
bool provider_less(const T& a, const T& b) { return a.provider < b.provider; }

void field(std::string& out, const char* name, std::int64_t value) {
  out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":");
  append_json_int(out, value);
}

// Sorted union of two sorted vectors; `both` combines the two values of a key present on each side.
template <typename T, typename Less, typename Both>
std::vector<T> union_by(const std::vector<T>& a, const std::vector<T>& b, Less less, Both both) {
  std::vector<T> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && less(a[i], b[j]))) out.push_back(a[i++]);
    else if (i == a.size() || less(b[j], a[i])) out.push_back(b[j++]);
    else out.push_back(both(a[i++], b[j++]));
  }
  return out;
}

}  // namespace

std::string CreditLedger::serialize(std::int64_t now) {
  advance(data_, now);
  std::string out = "{\"version\":1,\"kind\":\"ledger\",\"periodStart\":";
  append_json_int(out, data_.period_start);
  out.append(",\"usage\":[");
  for (std::size_t i = 0; i < data_.usage.size(); ++i) {
    const Usage& u = data_.usage[i];
    out.append(i > 0 ? ",{\"provider\":" : "{\"provider\":");
    append_json_string(out, u.provider);
    out.append(",\"model\":");
    append_json_string(out, u.model);
    field(out, "spendMicros", u.spend_micros);
    field(out, "inputTokens", u.input_tokens);
    field(out, "outputTokens", u.output_tokens);
    field(out, "requests", u.requests);
    out.push_back('}');
  }
  out.append("],\"hours\":[");
  for (std::size_t i = 0; i < data_.hours.size(); ++i) {
    const HourSpend& h = data_.hours[i];
    out.append(i > 0 ? ",{\"provider\":" : "{\"provider\":");
    append_json_string(out, h.provider);
    field(out, "at", h.at);
    field(out, "spendMicros", h.spend_micros);
    out.push_back('}');
  }
  out.append("],\"rates\":[");
  for (std::size_t i = 0; i < data_.rates.size(); ++i) {
    const RateCount& r = data_.rates[i];
    out.append(i > 0 ? ",{\"provider\":" : "{\"provider\":");
    append_json_string(out, r.provider);
    field(out, "minute", r.minute);
    field(out, "minuteRequests", r.minute_requests);
    field(out, "minuteTokens", r.minute_tokens);
    field(out, "day", r.day);
    field(out, "dayRequests", r.day_requests);
    field(out, "dayTokens", r.day_tokens);
    out.push_back('}');
  }
  out.append("],\"fired\":[");
  for (std::size_t i = 0; i < data_.fired.size(); ++i) {
    const Fired& x = data_.fired[i];
    out.append(i > 0 ? ",{\"provider\":" : "{\"provider\":");
    append_json_string(out, x.provider);
    field(out, "budget", x.budget);
    field(out, "depletion", x.depletion);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

namespace {

// Reads one list of the snapshot: each element through `read` (which returns false on error),
// inserted in order; a key seen twice is an error.
template <typename T, typename Read, typename Less>
void read_list(Fields& f, const char* key, std::size_t max, std::vector<T>& out, Read read, Less less) {
  const json::Value* list = f.get(f.doc(), key, true);
  Fields::Scope s(f, key);
  if (!f.array(list, max)) return;
  for (std::size_t i = 0; i < list->items.size() && f.ok(); ++i) {
    Fields::Scope e(f, i);
    T item;
    if (!read(list->items[i], item)) return;
    auto it = std::lower_bound(out.begin(), out.end(), item, less);
    if (it != out.end() && !less(item, *it)) {
      f.fail("duplicate of an earlier entry (same provider" + std::string(std::is_same<T, Usage>::value ? " and model" : "") +
             (std::is_same<T, HourSpend>::value ? " and hour" : "") + ")");
      return;
    }
    out.insert(it, std::move(item));
  }
}

// The first element with the smallest key (vectors are sorted, so ties resolve the same way on
// both sides of a merge).
template <typename T, typename Key>
typename std::vector<T>::iterator least(std::vector<T>& items, Key key) {
  auto best = items.begin();
  for (auto it = items.begin(); it != items.end(); ++it) {
    if (key(*it) < key(*best)) best = it;
  }
  return best;
}

bool read_name(Fields& f, const json::Value& item, std::string& out, bool star_allowed) {
  if (!f.text(item, "provider", true, kMaxProviderBytes, out)) return false;
  if (!star_allowed && out == "*") return f.fail("'*' is not a provider here", "provider");
  return true;
}

bool aligned(Fields& f, const json::Value& item, const char* key, std::int64_t unit, const char* what, std::int64_t& out) {
  if (f.time(item, key, out) && out % unit != 0) return f.fail(std::string("not the start of ") + what, key);
  return f.ok();
}

}  // namespace

bool CreditLedger::parse_snapshot(std::string_view text, const LedgerConfig& config, LedgerData& out, std::string& error) {
  Fields f(text, "ledger");
  LedgerData d;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"version", "kind", "periodStart", "usage", "hours", "rates", "fired"}) && f.version_and_kind("ledger")) {
    if (f.time(doc, "periodStart", d.period_start) && month_start(d.period_start) != d.period_start) {
      f.fail("not the first millisecond of a UTC month", "periodStart");
    }
    read_list(f, "usage", kMaxLedgerKeys, d.usage, [&](const json::Value& item, Usage& u) {
      return f.object(&item, {"provider", "model", "spendMicros", "inputTokens", "outputTokens", "requests"}) &&
             read_name(f, item, u.provider, false) && f.text(item, "model", true, kMaxProviderBytes, u.model) &&
             f.integer(item, "spendMicros", true, 0, kMaxSafeInt, u.spend_micros) &&
             f.integer(item, "inputTokens", true, 0, kMaxSafeInt, u.input_tokens) &&
             f.integer(item, "outputTokens", true, 0, kMaxSafeInt, u.output_tokens) &&
             f.integer(item, "requests", true, 0, kMaxSafeInt, u.requests);
    }, usage_less);
    std::size_t providers = 0;
    for (std::size_t i = 0; i < d.usage.size(); ++i) providers += i == 0 || d.usage[i].provider != d.usage[i - 1].provider;
    if (f.ok() && providers > kMaxLedgerProviders) f.fail("more than " + edgescope::decimal(kMaxLedgerProviders) + " providers", "usage");
    read_list(f, "hours", kMaxLedgerProviders * 24, d.hours, [&](const json::Value& item, HourSpend& h) {
      return f.object(&item, {"provider", "at", "spendMicros"}) && read_name(f, item, h.provider, false) &&
             aligned(f, item, "at", kHourMs, "an hour", h.at) && f.integer(item, "spendMicros", true, 0, kMaxSafeInt, h.spend_micros);
    }, hour_less);
    read_list(f, "rates", kMaxLedgerProviders + 1, d.rates, [&](const json::Value& item, RateCount& r) {
      return f.object(&item, {"provider", "minute", "minuteRequests", "minuteTokens", "day", "dayRequests", "dayTokens"}) &&
             read_name(f, item, r.provider, true) && aligned(f, item, "minute", kMinuteMs, "a minute", r.minute) &&
             f.integer(item, "minuteRequests", true, 0, kMaxSafeInt, r.minute_requests) &&
             f.integer(item, "minuteTokens", true, 0, kMaxSafeInt, r.minute_tokens) &&
             aligned(f, item, "day", kDayMs, "a UTC day", r.day) &&
             // Both windows come from the same latest record, so the minute lies in the day; merges
             // rely on it (the later minute is then always in the later day).
             (r.minute - r.day >= 0 && r.minute - r.day < kDayMs ? true : f.fail("not within day", "minute")) &&
             f.integer(item, "dayRequests", true, 0, kMaxSafeInt, r.day_requests) &&
             f.integer(item, "dayTokens", true, 0, kMaxSafeInt, r.day_tokens);
    }, provider_less<RateCount>);
    read_list(f, "fired", kMaxRules, d.fired, [&](const json::Value& item, Fired& x) {
      return f.object(&item, {"provider", "budget", "depletion"}) && read_name(f, item, x.provider, true) &&
             f.count(item, "budget", true, static_cast<std::uint32_t>(config.thresholds.size()), x.budget) &&
             f.count(item, "depletion", true, static_cast<std::uint32_t>(config.depletion_days.size()), x.depletion);
    }, provider_less<Fired>);
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(d);
  return true;
}

bool CreditLedger::deserialize(std::string_view json, std::int64_t now, std::string& error) {
  LedgerData parsed;
  if (!parse_snapshot(json, config_, parsed, error)) return false;
  advance(parsed, now);
  data_ = std::move(parsed);
  return true;
}

LedgerData CreditLedger::merged(const LedgerData& a, const LedgerData& b, std::int64_t now) {
  LedgerData r;
  r.period_start = std::max(a.period_start, b.period_start);
  static const LedgerData kEmpty;
  const LedgerData& ma = a.period_start == r.period_start ? a : kEmpty;
  const LedgerData& mb = b.period_start == r.period_start ? b : kEmpty;
  r.usage = union_by(ma.usage, mb.usage, usage_less, [](Usage x, const Usage& y) {
    x.spend_micros = std::max(x.spend_micros, y.spend_micros);
    x.input_tokens = std::max(x.input_tokens, y.input_tokens);
    x.output_tokens = std::max(x.output_tokens, y.output_tokens);
    x.requests = std::max(x.requests, y.requests);
    return x;
  });
  r.fired = union_by(ma.fired, mb.fired, provider_less<Fired>, [](Fired x, const Fired& y) {
    x.budget = std::max(x.budget, y.budget);
    x.depletion = std::max(x.depletion, y.depletion);
    return x;
  });
  r.hours = union_by(a.hours, b.hours, hour_less, [](HourSpend x, const HourSpend& y) {
    x.spend_micros = std::max(x.spend_micros, y.spend_micros);
    return x;
  });
  r.rates = union_by(a.rates, b.rates, provider_less<RateCount>, [](RateCount x, const RateCount& y) {
    if (y.minute > x.minute) x.minute = y.minute, x.minute_requests = y.minute_requests, x.minute_tokens = y.minute_tokens;
    else if (y.minute == x.minute) x.minute_requests = std::max(x.minute_requests, y.minute_requests), x.minute_tokens = std::max(x.minute_tokens, y.minute_tokens);
    if (y.day > x.day) x.day = y.day, x.day_requests = y.day_requests, x.day_tokens = y.day_tokens;
    else if (y.day == x.day) x.day_requests = std::max(x.day_requests, y.day_requests), x.day_tokens = std::max(x.day_tokens, y.day_tokens);
    return x;
  });
  // Two valid sides can together exceed the bounds: drop what matters least, by an order both
  // sides share (so the merge stays commutative): the keys with the least spend, the oldest hours.
  while (r.usage.size() > kMaxLedgerKeys) r.usage.erase(least(r.usage, [](const Usage& u) { return u.spend_micros; }));
  for (;;) {
    std::vector<Usage> totals;  // spend per provider, in provider order
    for (const Usage& u : r.usage) {
      if (totals.empty() || totals.back().provider != u.provider) totals.push_back(u), totals.back().spend_micros = 0;
      totals.back().spend_micros += u.spend_micros;
    }
    if (totals.size() <= kMaxLedgerProviders) break;
    const std::string gone = least(totals, [](const Usage& u) { return u.spend_micros; })->provider;
    r.usage.erase(std::remove_if(r.usage.begin(), r.usage.end(), [&](const Usage& u) { return u.provider == gone; }), r.usage.end());
    r.hours.erase(std::remove_if(r.hours.begin(), r.hours.end(), [&](const HourSpend& h) { return h.provider == gone; }), r.hours.end());
    r.rates.erase(std::remove_if(r.rates.begin(), r.rates.end(), [&](const RateCount& x) { return x.provider == gone; }), r.rates.end());
  }
  while (r.hours.size() > kMaxLedgerProviders * 24) r.hours.erase(least(r.hours, [](const HourSpend& h) { return h.at; }));
  while (r.rates.size() > kMaxLedgerProviders + 1) r.rates.erase(least(r.rates, [](const RateCount& x) { return x.day; }));
  if (r.fired.size() > kMaxRules) r.fired.resize(kMaxRules);
  advance(r, now);
  return r;
}

bool CreditLedger::merge(std::string_view json, std::int64_t now, std::string& error) {
  LedgerData other;
  if (!parse_snapshot(json, config_, other, error)) return false;
  advance(data_, now);
  data_ = merged(data_, other, now);
  return true;
}

}  // namespace edgescope::resilience
