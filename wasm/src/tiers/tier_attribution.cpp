// Cache-tier attribution (tier_attribution.hpp).
#include "edgescope/tiers/tier_attribution.hpp"

#include "edgescope/sampling.hpp"

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

}  // namespace

const char* TierRules::configure(std::string_view packed, int& index) {
  index = -1;
  if (packed.empty()) return "no patterns";
  RecordArray<std::string> next;
  for (std::size_t start = 0;;) {
    std::size_t end = packed.find('\n', start);
    if (end == std::string_view::npos) end = packed.size();
    const std::string_view text = packed.substr(start, end - start);
    index = static_cast<int>(next.size());
    if (text.empty()) return "empty";
    if (text.size() > kMaxPatternBytes) return "over 128 bytes";
    if (next.size() == kMaxPatterns) return "over 32 patterns";
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (is_control(static_cast<unsigned char>(text[i]))) return "a control character";
      if (text[i] == '*' && i + 1 != text.size()) return "'*' only at the end";
    }
    next.emplace_back(text);
    if (end == packed.size()) break;
    start = end + 1;
  }
  patterns_ = std::move(next);
  return nullptr;
}

bool TierRules::matches(std::string_view name) const { return any_pattern_matches(patterns_, name); }

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
      why = "over 1024 entries";
      return kMalformed;
    }
    if (!read_decimal(entries, at, order)) {
      why = "bad order";
      return kMalformed;
    }
    const std::size_t source_at = at;
    while (at < entries.size() && is_source_byte(entries[at])) ++at;
    const std::string_view source = entries.substr(source_at, at - source_at);
    if (source.empty() || source.size() > kMaxSourceBytes || at >= entries.size() || entries[at] != '\t') {
      why = "bad source";
      return kMalformed;
    }
    ++at;
    if (!read_decimal(entries, at, name_len) || name_len > kMaxNameBytes) {
      why = "bad name length";
      return kMalformed;
    }
    if (entries.size() - at < std::size_t{name_len} + 1) {
      why = "name cut short";
      return kMalformed;
    }
    const std::string_view name = entries.substr(at, name_len);
    at += name_len;
    if (entries[at++] != '\n') {
      why = "no line break after the name";
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
