// Spend, tokens and requests per provider and model for the current calendar month (UTC), with
// monthly budgets, budget and depletion alerts that fire once per tier, and rate limits per minute
// and per day. Pure: `now` is wall-clock ms from the host. Money is integer micro-dollars in
// state and snapshots (no rounding drift when isolates add and merge).
//
// - Budget alerts: at each threshold of the monthly budget (default 80/90/95 %), fired only when
//   the tier rises. Depletion alerts: the last 24 hours of spend (hourly buckets, the current one
//   included) projected forward; tiers at 7/3/1 days left, fired only when the tier rises and only
//   when the projected depletion comes before the month ends. Fired tiers are state: a restored
//   ledger never fires an alert again in the same month.
// - Rate limits count per UTC minute and per UTC day (fixed windows); a limit without a provider
//   counts every provider together. check() does not count: record() does.
// - At the first call in a later month the month's counters and fired tiers start again.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgescope::resilience {

constexpr std::size_t kMaxLedgerProviders = 64;
constexpr std::size_t kMaxLedgerKeys = 256;  // (provider, model) pairs
constexpr std::size_t kMaxTiers = 8;
constexpr std::size_t kMaxRules = 64;       // budgets, limits

struct Budget {
  std::string provider;  // "*": every provider together
  std::int64_t monthly_micros = 0;
};

struct RateLimit {
  std::string provider;  // "*": every provider together
  std::int64_t minute_requests = 0, minute_tokens = 0, day_requests = 0, day_tokens = 0;  // 0: no limit
};

struct LedgerConfig {
  std::vector<Budget> budgets;
  std::vector<double> thresholds{0.8, 0.9, 0.95};  // ascending, in (0, 1]
  std::vector<double> depletion_days{7, 3, 1};     // descending, > 0
  std::vector<RateLimit> limits;
};

// { budgets: [{ provider?, monthly (dollars) }], thresholds, depletionDays,
//   limits: [{ provider?, perMinute: { requests?, tokens? }, perDay: { ... } }] }
bool parse_ledger_config(std::string_view json, LedgerConfig& out, std::string& error);

struct Usage {
  std::string provider, model;
  std::int64_t spend_micros = 0, input_tokens = 0, output_tokens = 0, requests = 0;
};
struct HourSpend {
  std::string provider;
  std::int64_t at = 0;  // hour start
  std::int64_t spend_micros = 0;
};
struct RateCount {
  std::string provider;  // "*" counts all
  std::int64_t minute = 0, minute_requests = 0, minute_tokens = 0;  // minute start
  std::int64_t day = 0, day_requests = 0, day_tokens = 0;           // UTC day start
};
struct Fired {
  std::string provider;  // the budget's
  std::uint32_t budget = 0;     // thresholds fired this month (a count: 2 = 80 % and 90 %)
  std::uint32_t depletion = 0;  // depletion tiers fired this month
};

struct LedgerData {
  std::int64_t period_start = 0;  // first ms of the UTC month
  std::vector<Usage> usage;       // sorted by (provider, model)
  std::vector<HourSpend> hours;   // sorted by (provider, at); the last 24 hours
  std::vector<RateCount> rates;   // sorted by provider
  std::vector<Fired> fired;       // sorted by provider
};

struct LedgerEntry {
  std::string provider, model;
  std::int64_t spend_micros = 0, input_tokens = 0, output_tokens = 0, requests = 1;
};
// { provider, model?, spendMicros?, inputTokens?, outputTokens?, requests? (default 1) }
bool parse_ledger_entry(std::string_view json, LedgerEntry& out, std::string& error);

// { provider, model?, requests? (default 1), tokens? (default 0) } for check().
bool parse_ledger_check(std::string_view json, std::string& provider, std::int64_t& requests, std::int64_t& tokens,
                        std::string& error);

struct LedgerAlert {
  bool depletion = false;  // false: budget
  std::string provider;
  double tier = 0;         // the threshold (0.8) or the days (7)
  std::int64_t spend_micros = 0, budget_micros = 0, last24h_micros = 0;
  double days_left = 0;
};

struct LedgerVerdict {
  bool allowed = true;
  std::string reason;    // "perMinute.requests", "perMinute.tokens", "perDay.requests", "perDay.tokens", "budget"
  std::string provider;  // the rule's provider ("*" for a global one)
  std::int64_t retry_after_ms = 0;
};

// UTC calendar helpers (days-from-civil arithmetic, proleptic Gregorian).
std::int64_t month_start(std::int64_t ms);
std::int64_t next_month_start(std::int64_t ms);

class CreditLedger {
 public:
  explicit CreditLedger(LedgerConfig config) : config_(std::move(config)) {}

  const LedgerConfig& config() const { return config_; }
  const LedgerData& data() const { return data_; }

  // Adds one entry; appends the alerts it fires. False (state unchanged) when the entry is refused
  // (a bad field, or more providers/models than the ledger holds).
  bool record(std::int64_t now, const LedgerEntry& entry, std::vector<LedgerAlert>& alerts, std::string& error);
  // Whether `requests` more requests using `tokens` more tokens fit every limit and budget now;
  // when not, the rule that keeps them out longest.
  LedgerVerdict check(std::int64_t now, std::string_view provider, std::int64_t requests, std::int64_t tokens);
  std::string status_json(std::int64_t now);

  // {"version":1,"kind":"ledger","periodStart":T,"usage":[...],"hours":[...],"rates":[...],"fired":[...]}
  std::string serialize(std::int64_t now);
  bool deserialize(std::string_view json, std::int64_t now, std::string& error);
  // Counters: the max per key for the same month (a later month replaces an earlier one); hours
  // and fired tiers likewise; rate counts per window. Spend never goes backwards.
  bool merge(std::string_view json, std::int64_t now, std::string& error);

  static bool parse_snapshot(std::string_view json, const LedgerConfig& config, LedgerData& out, std::string& error);
  static LedgerData merged(const LedgerData& a, const LedgerData& b, std::int64_t now);
  // Starts a new month and drops spend hours older than 24 h.
  static void advance(LedgerData& data, std::int64_t now);

 private:
  LedgerConfig config_;
  LedgerData data_;

  std::int64_t spend_of(const std::string& provider) const;
  std::int64_t last24h_of(const std::string& provider) const;
};

}  // namespace edgescope::resilience
