// libFuzzer target for error classification (wasm/include/edgescope/monitoring/): hostile packed
// rules and hostile error inputs. Checks invariants, not only "no crash":
//   - a refused rule list leaves the rules in force untouched (all or nothing);
//   - classification is deterministic, the fingerprint is 16 lowercase hex digits, the category is
//     the matching rule's (or "other"), the normalized message is bounded;
//   - match_pattern agrees with a separate dynamic-programming glob/substring oracle.
// Input: byte 0 flags (bit 0 defaults), bytes 1-2 status; then '\0'-separated: packed rules, type,
// message, stack, route, binding, span, log, and a pattern/value pair for the oracle.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/monitoring/classifier.hpp"
#include "edgescope/monitoring/fingerprint.hpp"

using namespace edgescope::monitoring;

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Whole-value glob by dynamic programming (dp[i][j]: pattern[0,i) matches value[0,j)).
bool oracle_glob(std::string_view p, std::string_view v) {
  std::vector<std::vector<char>> dp(p.size() + 1, std::vector<char>(v.size() + 1, 0));
  dp[0][0] = 1;
  for (std::size_t i = 1; i <= p.size(); ++i) {
    for (std::size_t j = 0; j <= v.size(); ++j) {
      if (p[i - 1] == '*') dp[i][j] = dp[i - 1][j] || (j > 0 && dp[i][j - 1]);
      else if (j > 0) dp[i][j] = dp[i - 1][j - 1] && (p[i - 1] == '?' || p[i - 1] == lower(v[j - 1]));
    }
  }
  return dp[p.size()][v.size()];
}

bool oracle(std::string_view p, bool glob, std::string_view v) {
  if (glob) return oracle_glob(p, v);
  for (std::size_t i = 0; i + p.size() <= v.size(); ++i) {
    bool all = true;
    for (std::size_t k = 0; k < p.size() && all; ++k) all = p[k] == lower(v[i + k]);
    if (all) return true;
  }
  return false;
}

void check_at(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    __builtin_trap();
  }
}
#define check(x) check_at((x), #x)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool defaults = (data[0] & 1) != 0;
  const int status_raw = data[1] | (data[2] << 8);
  const int status = status_raw % 700 < 100 ? 0 : status_raw % 700 > 599 ? 0 : status_raw % 700;
  std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  std::vector<std::string_view> parts;
  while (parts.size() < 10) {
    const std::size_t zero = rest.find('\0');
    parts.push_back(rest.substr(0, zero));
    if (zero == std::string_view::npos) break;
    rest.remove_prefix(zero + 1);
  }
  parts.resize(10);

  Classifier classifier;
  std::string error;
  check(classifier.configure("s1\tcbaseline", false, error));
  const bool accepted = classifier.configure(parts[0], defaults, error);
  if (!accepted) {
    check(!error.empty());
    check(classifier.rules().rules.size() == 1 && classifier.rules().category(classifier.rules().rules[0]) == "baseline");
  }

  ErrorInput in;
  in.type = parts[1];
  in.message = parts[2];
  in.stack = parts[3];
  in.route = parts[4];
  in.binding = parts[5];
  in.span = parts[6];
  in.log = parts[7];
  in.status = status;
  const Classification a = classifier.classify(in);
  const Classification b = classifier.classify(in);
  check(a.fingerprint == b.fingerprint && a.category == b.category && a.severity == b.severity && a.normalized == b.normalized);
  check(a.fingerprint.size() == 16);
  for (const char c : a.fingerprint) check((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (a.rule < 0) check(a.category == "other" && a.severity == Severity::Info && a.repeated.count == 0);
  else check(a.category == classifier.rules().category(classifier.rules().rules[static_cast<std::size_t>(a.rule)]));
  check(a.normalized.size() <= 8 * kMaxMessageBytes);

  // The matcher against the oracle, on short strings (the oracle is quadratic).
  if (!parts[8].empty() && parts[8].size() <= 64 && parts[9].size() <= 256) {
    std::string p;
    bool glob = false;
    for (const char c : parts[8]) {
      p.push_back(lower(c));
      glob = glob || c == '*' || c == '?';
    }
    check(match_pattern(p, glob, parts[9]) == oracle(p, glob, parts[9]));
  }
  return 0;
}
