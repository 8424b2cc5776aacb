// The credit ledger's accounting, alerts and limits (ledger.hpp).
#include "edgescope/resilience/ledger.hpp"

#include <algorithm>

#include "edgescope/json_writer.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "fields.hpp"

namespace edgescope::resilience {

namespace {

constexpr std::int64_t kMinuteMs = 60000;
constexpr std::int64_t kHourMs = 3600000;
constexpr std::int64_t kDayMs = 86400000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 from a proleptic Gregorian date, and back: the 400-year era arithmetic
// (each era has 146097 days; a year counted from March puts the leap day last).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t& y, std::int64_t& m) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) { return a > kMaxSafeInt - b ? kMaxSafeInt : a + b; }

// The rates entry for `provider`, inserted (zeroed) when absent.
RateCount& rate_slot(std::vector<RateCount>& rates, const std::string& provider) {
  auto it = std::lower_bound(rates.begin(), rates.end(), provider,
                             [](const RateCount& r, const std::string& p) { return r.provider < p; });
  if (it == rates.end() || it->provider != provider) {
    RateCount r;
    r.provider = provider;
    it = rates.insert(it, r);
  }
  return *it;
}

void count_rate(RateCount& r, std::int64_t now, std::int64_t requests, std::int64_t tokens) {
  const std::int64_t minute = floor_div(now, kMinuteMs) * kMinuteMs;
  const std::int64_t day = floor_div(now, kDayMs) * kDayMs;
  if (minute > r.minute) r.minute = minute, r.minute_requests = 0, r.minute_tokens = 0;
  if (day > r.day) r.day = day, r.day_requests = 0, r.day_tokens = 0;
  r.minute_requests = sat_add(r.minute_requests, requests);
  r.minute_tokens = sat_add(r.minute_tokens, tokens);
  r.day_requests = sat_add(r.day_requests, requests);
  r.day_tokens = sat_add(r.day_tokens, tokens);
}

Fired& fired_slot(std::vector<Fired>& fired, const std::string& provider) {
  auto it = std::lower_bound(fired.begin(), fired.end(), provider,
                             [](const Fired& x, const std::string& p) { return x.provider < p; });
  if (it == fired.end() || it->provider != provider) {
    Fired x;
    x.provider = provider;
    it = fired.insert(it, x);
  }
  return *it;
}

// A rule's provider: absent means every provider together ("*").
bool read_provider(Fields& f, const json::Value& obj, std::string& out) {
  out = "*";
  if (!f.get(obj, "provider", false)) return f.ok();
  if (!f.text(obj, "provider", true, kMaxProviderBytes, out)) return false;
  if (out == "*") return f.fail("'*' is reserved (omit provider for every provider together)", "provider");
  return true;
}

}  // namespace

std::int64_t month_start(std::int64_t ms) {
  std::int64_t y = 0, m = 0;
  civil_from_days(floor_div(ms, kDayMs), y, m);
  return days_from_civil(y, m, 1) * kDayMs;
}

std::int64_t next_month_start(std::int64_t ms) {
  std::int64_t y = 0, m = 0;
  civil_from_days(floor_div(ms, kDayMs), y, m);
  return (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) * kDayMs;
}

bool parse_ledger_config(std::string_view text, LedgerConfig& out, std::string& error) {
  Fields f(text, "config");
  LedgerConfig c;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"budgets", "thresholds", "depletionDays", "limits"})) {
    if (const json::Value* list = f.get(doc, "budgets", false)) {
      Fields::Scope s(f, "budgets");
      for (std::size_t i = 0; f.array(list, kMaxRules) && i < list->items.size(); ++i) {
        Fields::Scope e(f, i);
        Budget b;
        double monthly = 0;
        if (!f.object(&list->items[i], {"provider", "monthly"}) || !read_provider(f, list->items[i], b.provider) ||
            !f.number(list->items[i], "monthly", true, 0.000001, 1e9, "of dollars from 0.000001 to 1e9", monthly)) {
          break;
        }
        b.monthly_micros = static_cast<std::int64_t>(monthly * 1e6 + 0.5);
        for (const Budget& other : c.budgets) {
          if (other.provider == b.provider) f.fail("a second budget for the same provider", "provider");
        }
        c.budgets.push_back(b);
      }
    }
    // thresholds ascend in (0, 1]; depletionDays descend in (0, 366].
    for (int which = 0; which < 2; ++which) {
      const char* key = which == 0 ? "thresholds" : "depletionDays";
      std::vector<double>& tiers = which == 0 ? c.thresholds : c.depletion_days;
      const json::Value* list = f.get(doc, key, false);
      if (!list) continue;
      Fields::Scope s(f, key);
      if (!f.array(list, kMaxTiers)) break;
      tiers.clear();
      for (std::size_t i = 0; i < list->items.size() && f.ok(); ++i) {
        Fields::Scope e(f, i);
        double t = 0;
        if (which == 0 ? f.number_value(list->items[i], 0.000001, 1, "in (0, 1]", t)
                       : f.number_value(list->items[i], 0.000001, 366, "of days in (0, 366]", t)) {
          if (!tiers.empty() && (which == 0 ? t <= tiers.back() : t >= tiers.back())) {
            f.fail(which == 0 ? "thresholds must ascend" : "days must descend");
          }
        }
        tiers.push_back(t);
      }
    }
    if (const json::Value* list = f.get(doc, "limits", false)) {
      Fields::Scope s(f, "limits");
      for (std::size_t i = 0; f.array(list, kMaxRules) && i < list->items.size(); ++i) {
        Fields::Scope e(f, i);
        const json::Value& item = list->items[i];
        RateLimit l;
        if (!f.object(&item, {"provider", "perMinute", "perDay"}) || !read_provider(f, item, l.provider)) break;
        for (int w = 0; w < 2; ++w) {
          const char* name = w == 0 ? "perMinute" : "perDay";
          const json::Value* window = f.get(item, name, false);
          if (!window) continue;
          Fields::Scope ws(f, name);
          if (!f.object(window, {"requests", "tokens"})) break;
          f.integer(*window, "requests", false, 1, kMaxSafeInt, w == 0 ? l.minute_requests : l.day_requests);
          f.integer(*window, "tokens", false, 1, kMaxSafeInt, w == 0 ? l.minute_tokens : l.day_tokens);
        }
        for (const RateLimit& other : c.limits) {
          if (other.provider == l.provider) f.fail("a second limit for the same provider", "provider");
        }
        c.limits.push_back(l);
      }
    }
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(c);
  return true;
}

bool parse_ledger_entry(std::string_view text, LedgerEntry& out, std::string& error) {
  Fields f(text, "entry");
  LedgerEntry e;
  e.model = "*";
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"provider", "model", "spendMicros", "inputTokens", "outputTokens", "requests"}) &&
      f.text(doc, "provider", true, kMaxProviderBytes, e.provider)) {
    if (e.provider == "*") f.fail("'*' is reserved", "provider");
    f.text(doc, "model", false, kMaxProviderBytes, e.model);
    f.integer(doc, "spendMicros", false, 0, kMaxSafeInt, e.spend_micros);
    f.integer(doc, "inputTokens", false, 0, kMaxSafeInt, e.input_tokens);
    f.integer(doc, "outputTokens", false, 0, kMaxSafeInt, e.output_tokens);
    f.integer(doc, "requests", false, 0, kMaxSafeInt, e.requests);
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(e);
  return true;
}

bool parse_ledger_check(std::string_view text, std::string& provider, std::int64_t& requests, std::int64_t& tokens,
                        std::string& error) {
  Fields f(text, "check");
  std::string name, model;
  std::int64_t n_requests = 1, n_tokens = 0;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"provider", "model", "requests", "tokens"})) {
    f.text(doc, "provider", true, kMaxProviderBytes, name);
    f.text(doc, "model", false, kMaxProviderBytes, model);
    f.integer(doc, "requests", false, 0, kMaxSafeInt, n_requests);
    f.integer(doc, "tokens", false, 0, kMaxSafeInt, n_tokens);
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  provider = std::move(name);
  requests = n_requests;
  tokens = n_tokens;
  return true;
}

void CreditLedger::advance(LedgerData& data, std::int64_t now) {
  const std::int64_t start = month_start(now);
  if (start > data.period_start) {
    data.period_start = start;
    data.usage.clear();
    data.fired.clear();
  }
  const std::int64_t hour = floor_div(now, kHourMs) * kHourMs;
  data.hours.erase(std::remove_if(data.hours.begin(), data.hours.end(), [&](const HourSpend& h) { return h.at <= hour - 24 * kHourMs; }),
                   data.hours.end());
  // Rate counts older than today limit nothing any more.
  const std::int64_t day = floor_div(now, kDayMs) * kDayMs;
  data.rates.erase(std::remove_if(data.rates.begin(), data.rates.end(), [&](const RateCount& r) { return r.day < day; }),
                   data.rates.end());
}

std::int64_t CreditLedger::spend_of(const std::string& provider) const {
  std::int64_t sum = 0;
  for (const Usage& u : data_.usage) {
    if (provider == "*" || u.provider == provider) sum = sat_add(sum, u.spend_micros);
  }
  return sum;
}

std::int64_t CreditLedger::last24h_of(const std::string& provider) const {
  std::int64_t sum = 0;
  for (const HourSpend& h : data_.hours) {
    if (provider == "*" || h.provider == provider) sum = sat_add(sum, h.spend_micros);
  }
  return sum;
}

bool CreditLedger::record(std::int64_t now, const LedgerEntry& entry, std::vector<LedgerAlert>& alerts, std::string& error) {
  // The same rules parse_ledger_entry applies, for callers that build entries themselves.
  const auto bad_name = [](const std::string& name) { return name.empty() || name.size() > kMaxProviderBytes; };
  if (bad_name(entry.provider) || entry.provider == "*" || bad_name(entry.model)) {
    error = "entry: provider and model must be non-empty names of at most " + edgescope::decimal(kMaxProviderBytes) + " bytes";
    return false;
  }
  for (const std::int64_t n : {entry.spend_micros, entry.input_tokens, entry.output_tokens, entry.requests}) {
    if (n < 0 || n > kMaxSafeInt) {
      error = "entry: counts must be integers from 0 to 2^53 - 1";
      return false;
    }
  }
  // Every refusal below happens before anything is added, so the ledger can be changed in place
  // (a month reset by advance() is what any read at `now` would do anyway).
  advance(data_, now);
  LedgerData& next = data_;
  auto it = std::lower_bound(next.usage.begin(), next.usage.end(), entry, [](const Usage& u, const LedgerEntry& e) {
    return u.provider != e.provider ? u.provider < e.provider : u.model < e.model;
  });
  if (it == next.usage.end() || it->provider != entry.provider || it->model != entry.model) {
    if (next.usage.size() >= kMaxLedgerKeys) {
      error = "ledger full: " + edgescope::decimal(kMaxLedgerKeys) + " provider/model pairs this month";
      return false;
    }
    std::size_t providers = 0;
    bool known = false;
    for (std::size_t i = 0; i < next.usage.size(); ++i) {
      if (i == 0 || next.usage[i].provider != next.usage[i - 1].provider) ++providers;
      known = known || next.usage[i].provider == entry.provider;
    }
    if (!known && providers >= kMaxLedgerProviders) {
      error = "ledger full: " + edgescope::decimal(kMaxLedgerProviders) + " providers this month";
      return false;
    }
    Usage u;
    u.provider = entry.provider;
    u.model = entry.model;
    it = next.usage.insert(it, u);
  }
  it->spend_micros = sat_add(it->spend_micros, entry.spend_micros);
  it->input_tokens = sat_add(it->input_tokens, entry.input_tokens);
  it->output_tokens = sat_add(it->output_tokens, entry.output_tokens);
  it->requests = sat_add(it->requests, entry.requests);
  if (entry.spend_micros > 0) {
    HourSpend h;
    h.provider = entry.provider;
    h.at = floor_div(now, kHourMs) * kHourMs;
    auto hit = std::lower_bound(next.hours.begin(), next.hours.end(), h, [](const HourSpend& a, const HourSpend& b) {
      return a.provider != b.provider ? a.provider < b.provider : a.at < b.at;
    });
    if (hit == next.hours.end() || hit->provider != h.provider || hit->at != h.at) hit = next.hours.insert(hit, h);
    hit->spend_micros = sat_add(hit->spend_micros, entry.spend_micros);
  }
  const std::int64_t tokens = sat_add(entry.input_tokens, entry.output_tokens);
  count_rate(rate_slot(next.rates, entry.provider), now, entry.requests, tokens);
  count_rate(rate_slot(next.rates, "*"), now, entry.requests, tokens);

  const std::int64_t month_end = next_month_start(now);
  for (const Budget& b : config_.budgets) {
    if (b.provider != "*" && b.provider != entry.provider) continue;
    const std::int64_t spend = spend_of(b.provider);
    const double used = static_cast<double>(spend) / static_cast<double>(b.monthly_micros);
    std::uint32_t tier = 0;
    while (tier < config_.thresholds.size() && used >= config_.thresholds[tier]) ++tier;
    Fired& fired = fired_slot(data_.fired, b.provider);
    LedgerAlert alert;
    alert.provider = b.provider;
    alert.spend_micros = spend;
    alert.budget_micros = b.monthly_micros;
    alert.last24h_micros = last24h_of(b.provider);
    if (tier > fired.budget) {
      fired.budget = tier;
      alert.tier = config_.thresholds[tier - 1];
      alerts.push_back(alert);
    }
    if (alert.last24h_micros <= 0) continue;
    const double days_left = std::max(0.0, static_cast<double>(b.monthly_micros - spend) / static_cast<double>(alert.last24h_micros));
    // A budget that outlasts the month is not being depleted, however low its days left.
    if (days_left * static_cast<double>(kDayMs) >= static_cast<double>(month_end - now)) continue;
    std::uint32_t dtier = 0;
    while (dtier < config_.depletion_days.size() && days_left <= config_.depletion_days[dtier]) ++dtier;
    if (dtier > fired.depletion) {
      fired.depletion = dtier;
      alert.depletion = true;
      alert.tier = config_.depletion_days[dtier - 1];
      alert.days_left = days_left;
      alerts.push_back(alert);
    }
  }
  return true;
}

LedgerVerdict CreditLedger::check(std::int64_t now, std::string_view provider, std::int64_t requests, std::int64_t tokens) {
  advance(data_, now);
  LedgerVerdict v;
  auto deny = [&](const char* reason, const std::string& rule, std::int64_t retry) {
    if (v.allowed || retry > v.retry_after_ms) {
      v.allowed = false;
      v.reason = reason;
      v.provider = rule;
      v.retry_after_ms = retry;
    }
  };
  const std::int64_t minute = floor_div(now, kMinuteMs) * kMinuteMs;
  const std::int64_t day = floor_div(now, kDayMs) * kDayMs;
  for (const RateLimit& l : config_.limits) {
    if (l.provider != "*" && l.provider != provider) continue;
    RateCount r;
    for (const RateCount& x : data_.rates) {
      if (x.provider == l.provider) r = x;
    }
    const std::int64_t mr = r.minute == minute ? r.minute_requests : 0, mt = r.minute == minute ? r.minute_tokens : 0;
    const std::int64_t dr = r.day == day ? r.day_requests : 0, dt = r.day == day ? r.day_tokens : 0;
    if (l.minute_requests > 0 && mr + requests > l.minute_requests) deny("perMinute.requests", l.provider, minute + kMinuteMs - now);
    if (l.minute_tokens > 0 && mt + tokens > l.minute_tokens) deny("perMinute.tokens", l.provider, minute + kMinuteMs - now);
    if (l.day_requests > 0 && dr + requests > l.day_requests) deny("perDay.requests", l.provider, day + kDayMs - now);
    if (l.day_tokens > 0 && dt + tokens > l.day_tokens) deny("perDay.tokens", l.provider, day + kDayMs - now);
  }
  for (const Budget& b : config_.budgets) {
    if (b.provider != "*" && b.provider != provider) continue;
    if (spend_of(b.provider) >= b.monthly_micros) deny("budget", b.provider, next_month_start(now) - now);
  }
  return v;
}

std::string CreditLedger::status_json(std::int64_t now) {
  advance(data_, now);
  std::string out = "{\"periodStart\":";
  append_json_int(out, data_.period_start);
  out.append(",\"periodEnd\":");
  append_json_int(out, next_month_start(now));
  out.append(",\"usage\":[");
  for (std::size_t i = 0; i < data_.usage.size(); ++i) {
    const Usage& u = data_.usage[i];
    if (i > 0) out.push_back(',');
    out.append("{\"provider\":");
    append_json_string(out, u.provider);
    out.append(",\"model\":");
    append_json_string(out, u.model);
    out.append(",\"spendMicros\":");
    append_json_int(out, u.spend_micros);
    out.append(",\"inputTokens\":");
    append_json_int(out, u.input_tokens);
    out.append(",\"outputTokens\":");
    append_json_int(out, u.output_tokens);
    out.append(",\"requests\":");
    append_json_int(out, u.requests);
    out.push_back('}');
  }
  out.append("],\"budgets\":[");
  for (std::size_t i = 0; i < config_.budgets.size(); ++i) {
    const Budget& b = config_.budgets[i];
    if (i > 0) out.push_back(',');
    std::uint32_t budget_tier = 0, depletion_tier = 0;
    for (const Fired& x : data_.fired) {
      if (x.provider == b.provider) budget_tier = x.budget, depletion_tier = x.depletion;
    }
    out.append("{\"provider\":");
    append_json_string(out, b.provider);
    out.append(",\"monthlyMicros\":");
    append_json_int(out, b.monthly_micros);
    out.append(",\"spendMicros\":");
    append_json_int(out, spend_of(b.provider));
    out.append(",\"last24hMicros\":");
    append_json_int(out, last24h_of(b.provider));
    out.append(",\"budgetTiersFired\":");
    append_json_uint(out, budget_tier);
    out.append(",\"depletionTiersFired\":");
    append_json_uint(out, depletion_tier);
    out.push_back('}');
  }
  out.append("],\"rates\":[");
  for (std::size_t i = 0; i < data_.rates.size(); ++i) {
    const RateCount& r = data_.rates[i];
    if (i > 0) out.push_back(',');
    const std::int64_t minute = floor_div(now, kMinuteMs) * kMinuteMs, day = floor_div(now, kDayMs) * kDayMs;
    out.append("{\"provider\":");
    append_json_string(out, r.provider);
    out.append(",\"minuteRequests\":");
    append_json_int(out, r.minute == minute ? r.minute_requests : 0);
    out.append(",\"minuteTokens\":");
    append_json_int(out, r.minute == minute ? r.minute_tokens : 0);
    out.append(",\"dayRequests\":");
    append_json_int(out, r.day == day ? r.day_requests : 0);
    out.append(",\"dayTokens\":");
    append_json_int(out, r.day == day ? r.day_tokens : 0);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

}  // namespace edgescope::resilience
