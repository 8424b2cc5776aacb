// Providers marked exhausted (quota spent, 429 with a long Retry-After) until a wall-clock time.
// Expiry is lazy: every read at `now` drops the marks that ended. Pure; `now` comes from the host.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgescope::resilience {

constexpr std::size_t kMaxProviders = 256;       // registry marks, ledger providers
constexpr std::size_t kMaxProviderBytes = 128;   // provider and model names

struct ExhaustionConfig {
  std::int64_t default_ms = 300000;  // 5 minutes
};

// { defaultMs } ; an unknown or out-of-range field is an error naming it.
bool parse_exhaustion_config(std::string_view json, ExhaustionConfig& out, std::string& error);

class ExhaustionRegistry {
 public:
  explicit ExhaustionRegistry(ExhaustionConfig config) : config_(config) {}

  const ExhaustionConfig& config() const { return config_; }
  // Marks `provider` until now + duration_ms (duration_ms < 0: the default). A live mark that ends
  // later is kept. False (with `error`) for a bad name or a full registry.
  bool mark(std::string_view provider, std::int64_t now, std::int64_t duration_ms, std::string& error);
  // When the mark ends, or 0 when there is none at `now`.
  std::int64_t until(std::string_view provider, std::int64_t now);
  // Live marks at `now`, by provider name.
  const std::vector<std::pair<std::string, std::int64_t>>& list(std::int64_t now);

  // {"version":1,"kind":"registry","marks":[{"provider":"p","until":T},...]}
  std::string serialize(std::int64_t now);
  bool deserialize(std::string_view json, std::int64_t now, std::string& error);
  // Union of the marks, each keeping the later expiry.
  bool merge(std::string_view json, std::int64_t now, std::string& error);

  using Marks = std::vector<std::pair<std::string, std::int64_t>>;  // sorted by provider
  static bool parse_snapshot(std::string_view json, Marks& out, std::string& error);

 private:
  ExhaustionConfig config_;
  Marks marks_;
  void expire(std::int64_t now);
};

}  // namespace edgescope::resilience
