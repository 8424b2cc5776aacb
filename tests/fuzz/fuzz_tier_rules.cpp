// libFuzzer target for cache-tier attribution (wasm/include/edgescope/tiers/): hostile packed
// patterns and hostile packed entries. Checks invariants, not only "no crash":
//   - a refused pattern list leaves the patterns in force untouched (all or nothing), with a reason;
//   - a decision is deterministic, in range, and agrees with an oracle over a separate strict
//     parse: the smallest start order among entries whose source is not "miss" and whose name
//     matches (exact, or a prefix ending in '*'), the first listed on equal orders;
//   - a malformed entry list is refused with a reason and, when it names an entry, a valid index.
// Input: '\0'-separated: packed patterns, packed entries.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/tiers/tier_attribution.hpp"

using namespace edgescope::tiers;

namespace {

void check_at(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant failed: %s\n", what);
    __builtin_trap();
  }
}
#define check(x) check_at((x), #x)

struct Entry {
  std::uint64_t order;
  std::string source, name;
};

// An independent reading of the entry format: false when malformed.
bool oracle_parse(std::string_view text, std::vector<Entry>& out) {
  std::size_t at = 0;
  auto number = [&](std::uint64_t& v) {
    std::size_t digits = 0;
    v = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9' && digits < 11) {
      v = v * 10 + static_cast<std::uint64_t>(text[at++] - '0');
      ++digits;
    }
    if (digits == 0 || digits > 10 || at >= text.size() || text[at] != '\t') return false;
    ++at;
    return true;
  };
  while (at < text.size()) {
    if (out.size() == kMaxEntries) return false;
    Entry e;
    std::uint64_t len = 0;
    if (!number(e.order) || e.order > 0xffffffffULL) return false;
    const std::size_t tab = text.find('\t', at);
    if (tab == std::string_view::npos) return false;
    e.source = std::string(text.substr(at, tab - at));
    if (e.source.empty() || e.source.size() > kMaxSourceBytes) return false;
    for (char c : e.source) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    at = tab + 1;
    if (!number(len) || len > kMaxNameBytes || text.size() - at < len + 1) return false;
    e.name = std::string(text.substr(at, len));
    at += len;
    if (text[at++] != '\n') return false;
    out.push_back(std::move(e));
  }
  return true;
}

bool oracle_match(const std::vector<std::string>& patterns, const std::string& name) {
  for (const std::string& p : patterns) {
    if (!p.empty() && p.back() == '*' ? name.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0 && name.size() >= p.size() - 1 : name == p) return true;
  }
  return false;
}

std::vector<std::string> split(std::string_view packed) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const std::size_t end = packed.find('\n', start);
    out.emplace_back(packed.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t zero = input.find('\0');
  const std::string_view patterns = input.substr(0, zero);
  const std::string_view entries = zero == std::string_view::npos ? std::string_view() : input.substr(zero + 1);

  TierRules rules;
  int index = 0;
  check(rules.configure("baseline", index) == nullptr);
  std::vector<std::string> in_force{"baseline"};
  if (const char* why = rules.configure(patterns, index)) {
    check(*why != '\0');
    check(index >= -1 && index <= static_cast<int>(kMaxPatterns));
    check(rules.size() == 1 && rules.matches("baseline") && !rules.matches("baselinex"));
  } else {
    in_force = split(patterns);
    check(rules.size() == in_force.size() && rules.size() >= 1 && rules.size() <= kMaxPatterns);
  }

  const char* why = nullptr;
  const int decided = rules.decide(entries, why, index);
  const char* why_again = nullptr;
  int index_again = 0;
  check(rules.decide(entries, why_again, index_again) == decided);
  std::vector<Entry> parsed;
  const bool well_formed = oracle_parse(entries, parsed);
  check(well_formed == (decided != kMalformed));
  if (decided == kMalformed) {
    check(why != nullptr && *why != '\0');
    check(index >= -1 && index <= static_cast<int>(kMaxEntries));
    return 0;
  }
  int expected = -1;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].source == "miss" || !oracle_match(in_force, parsed[i].name)) continue;
    if (expected < 0 || parsed[i].order < parsed[static_cast<std::size_t>(expected)].order) expected = static_cast<int>(i);
  }
  check(decided == expected);
  return 0;
}
