// Cache-tier attribution (tier_attribution.hpp).
#include "edgescope/tiers/tier_attribution.hpp"

namespace edgescope::tiers {

namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_source_byte(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

// A decimal number of 1..10 digits at `at`, below 2^32, followed by a tab; moves `at` past it.
bool read_decimal(std::string_view text, std::size_t& at, std::uint32_t& value) {
  std::uint64_t v = 0;
  std::size_t digits = 0;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    if (++digits > 10) return false;
    v = v * 10 + static_cast<std::uint64_t>(text[at] - '0');
  }
  if (digits == 0 || v > 0xffffffffULL || at >= text.size() || text[at] != '\t') return false;
  ++at;
  value = static_cast<std::uint32_t>(v);
  return true;
}

// Calls fn(pattern) for each '\n'-separated pattern of `packed` (every '\n' separates two);
// stops and returns false as soon as fn does.
template <typename Fn>
bool each_pattern(std::string_view packed, Fn fn) {
  for (std::size_t start = 0;;) {
    std::size_t end = packed.find('\n', start);
    if (end == std::string_view::npos) end = packed.size();
    if (!fn(packed.substr(start, end - start))) return false;
    if (end == packed.size()) return true;
    start = end + 1;
  }
}

}  // namespace

const char* TierRules::configure(std::string_view packed, int& index) {
  index = -1;
  if (packed.empty()) return "no patterns (at least one is required)";
  const char* why = nullptr;
  int n = 0;
  each_pattern(packed, [&](std::string_view text) {
    index = n++;
    if (text.empty()) why = "empty (write an exact span name, or a prefix like file:*)";
    else if (text.size() > kMaxPatternBytes) why = "longer than 128 bytes";
    else if (n > static_cast<int>(kMaxPatterns)) why = "one more than the 32 patterns allowed";
    for (std::size_t i = 0; !why && i < text.size(); ++i) {
      if (is_control(static_cast<unsigned char>(text[i]))) why = "holds a control character";
      else if (text[i] == '*' && i + 1 != text.size()) why = "'*' is allowed only at the end (a prefix like file:*)";
    }
    return why == nullptr;
  });
  if (why) return why;
  packed_.assign(packed.data(), packed.size());
  count_ = static_cast<std::size_t>(n);
  return nullptr;
}

bool TierRules::matches(std::string_view name) const {
  return !each_pattern(packed_, [name](std::string_view p) {
    if (p.empty()) return true;  // only before configure: no patterns, nothing matches
    const bool prefix = p.back() == '*';
    if (prefix) p.remove_suffix(1);
    return !(prefix ? name.substr(0, p.size()) == p : name == p);  // false: stop, it matched
  });
}

int TierRules::decide(std::string_view entries, const char*& why, int& index) const {
  why = nullptr;
  int best = -1;
  std::uint32_t best_order = 0;
  std::size_t at = 0;
  for (int i = 0; at < entries.size(); ++i) {
    index = i;
    std::uint32_t order = 0;
    std::uint32_t name_len = 0;
    if (i == static_cast<int>(kMaxEntries)) {
      index = -1;
      why = "more than 1024 entries";
      return kMalformed;
    }
    if (!read_decimal(entries, at, order)) {
      why = "order is not a decimal number below 2^32 followed by a tab";
      return kMalformed;
    }
    const std::size_t source_at = at;
    while (at < entries.size() && is_source_byte(entries[at])) ++at;
    const std::string_view source = entries.substr(source_at, at - source_at);
    if (source.empty() || source.size() > kMaxSourceBytes || at >= entries.size() || entries[at] != '\t') {
      why = "source is not 1 to 32 bytes of [a-z0-9_-] followed by a tab";
      return kMalformed;
    }
    ++at;
    if (!read_decimal(entries, at, name_len) || name_len > kMaxNameBytes) {
      why = "name length is not a decimal number up to 4096 followed by a tab";
      return kMalformed;
    }
    if (entries.size() - at < std::size_t{name_len} + 1) {
      why = "name is shorter than its length";
      return kMalformed;
    }
    const std::string_view name = entries.substr(at, name_len);
    at += name_len;
    if (entries[at++] != '\n') {
      why = "name is not followed by a line break (its length is wrong)";
      return kMalformed;
    }
    if ((best < 0 || order < best_order) && source != "miss" && matches(name)) {
      best = i;
      best_order = order;
    }
  }
  return best;
}

}  // namespace edgescope::tiers
