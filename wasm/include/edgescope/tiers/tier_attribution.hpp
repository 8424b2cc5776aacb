// Cache-tier attribution: which tier served a request. Spans carry a source tier (memory, cache,
// kv, r2, d1, origin, build, miss, or a user's own); the request's tier is the source of the first
// span, by start order, whose name matches an attribution pattern and whose source is not `miss`.
// A `miss` never decides (a `file-r2:*` lookup that missed), and a later matching span still can;
// nothing matched is "none" (the caller's word for -1).
//
// Pure: no clock, no I/O. Both inputs cross the ABI in a packed text form (bindings/tier_api.cpp)
// read here strictly and with bounds; a malformed one is refused whole, with the item and a
// message saying what was wrong. Written for size (scripts/size-budget.mjs): the patterns stay
// in a vector of strings matched by the sampling rules' matcher (sampling.hpp), and the entries are scanned once, without a copy or a sort.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgescope/record_array.hpp"

namespace edgescope::tiers {

// Bounds of the packed forms (the shim validates the same; js/tiers/tier-config.js).
constexpr std::size_t kMaxPatterns = 32;
constexpr std::size_t kMaxPatternBytes = 128;
constexpr std::size_t kMaxEntries = 1024;
constexpr std::size_t kMaxSourceBytes = 32;
constexpr std::size_t kMaxNameBytes = 4096;
constexpr int kMalformed = -2;

class TierRules {
 public:
  // Patterns separated by '\n': an exact name, or a prefix written
  // `x:*` ('*' only at the end). Returns nullptr, or why the list is refused (short: the messages
  // are module bytes; the shim's config errors say more) with `index` the pattern (-1: the list as
  // a whole): empty, over kMaxPatternBytes, a control character or a '*' before the end, none at
  // all or over kMaxPatterns. All or nothing: on failure the
  // patterns in force stay.
  const char* configure(std::string_view packed, int& index);

  bool matches(std::string_view name) const;

  // Packed entries, each `<order>\t<source>\t<name length in bytes>\t<name>\n`: the span's start
  // order (decimal, < 2^32), its source (1..kMaxSourceBytes bytes of [a-z0-9_-]) and its name
  // (exactly that many bytes of anything: tabs and line breaks too), at most kMaxEntries.
  // Returns the index of the deciding entry (the smallest start order among matching entries
  // whose source is not "miss"; on equal orders the one listed first), -1 when none decides, or
  // kMalformed with `why` (bad order, bad source, bad name length, name cut short, no line break
  // after the name, over 1024 entries) and `index` (the entry; -1: the list).
  int decide(std::string_view entries, const char*& why, int& index) const;

  std::size_t size() const { return patterns_.size(); }

 private:
  RecordArray<std::string> patterns_;  // as validated (sampling.hpp pattern_matches reads them)
};

}  // namespace edgescope::tiers
