// Rule 1 of redaction.hpp: a key is a sequence of words, and a deny entry matches a key that ends
// with the entry's words. Splitting at every non-alphanumeric byte makes '.', '-', '_' and spaces
// equivalent (OpenTelemetry dotted names, HTTP header names, snake_case, prose); splitting at
// camelCase boundaries covers JavaScript object keys (accessToken, apiKey, sessionID).
#include <algorithm>
#include <array>
#include <cstdint>

#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

// Whether a word starts at `i`, given that key[i - 1] and key[i] are both letters or digits:
// "apiKey" (lower or digit, then upper) and "APIKey" (the last upper of a run that a lower follows).
bool starts_word(std::string_view key, std::size_t i) {
  const char c = key[i];
  const char before = key[i - 1];
  if (!is_upper(c)) return false;
  if (is_lower(before) || is_digit(before)) return true;
  return is_upper(before) && i + 1 < key.size() && is_lower(key[i + 1]);
}

template <typename Visit>
void for_each_word(std::string_view key, Visit&& visit) {
  std::size_t i = 0;
  while (i < key.size()) {
    if (!is_alnum(key[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i++;
    while (i < key.size() && is_alnum(key[i]) && !starts_word(key, i)) ++i;
    visit(begin, i);
  }
}

bool equals_lowercase(std::string_view text, const std::string& lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (to_lower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

// The filter bit of a word's first character (a letter or digit, either case).
std::uint32_t first_letter_bit(char c) {
  const char lower = to_lower(c);
  return is_lower(lower) ? 1u << (lower - 'a') : 1u << (26 + (c - '0') % 6);
}

}  // namespace

void split_key_words(std::string_view key, RecordArray<std::string>& words) {
  words.clear();
  for_each_word(key, [&](std::size_t begin, std::size_t end) {
    std::string word;
    word.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) word.push_back(to_lower(key[i]));
    words.push_back(std::move(word));
  });
}

void add_key_entry(RedactionPolicy::KeyList& keys, const RecordArray<std::string>& words) {
  auto add = [&](RecordArray<std::string> w) {
    for (const auto& e : keys.entries) {
      if (e == w) return;
    }
    const std::string& last = w.back();
    keys.last_word[std::min<std::size_t>(last.size(), 31)] |= first_letter_bit(last[0]);
    keys.entries.push_back(std::move(w));
  };
  if (words.size() > 1) {
    std::string glued;
    for (const auto& w : words) glued += w;
    add({std::move(glued)});
  }
  add(words);
}

bool key_matches(std::string_view key, const RedactionPolicy::KeyList& keys) {
  // The last word alone rules most keys out: find it from the end, without splitting the rest.
  std::size_t last_end = key.size();
  while (last_end > 0 && !is_alnum(key[last_end - 1])) --last_end;
  if (last_end == 0) return false;
  std::size_t last_begin = last_end - 1;
  while (last_begin > 0 && is_alnum(key[last_begin - 1]) && !starts_word(key, last_begin)) --last_begin;
  if ((keys.last_word[std::min<std::size_t>(last_end - last_begin, 31)] & first_letter_bit(key[last_begin])) == 0) return false;

  // Only the last max_key_segments words can take part in a match: keep them in a ring, so a
  // long key costs one pass and no allocation.
  constexpr std::size_t kRing = RedactionConfigLimits::max_key_segments;
  std::array<std::string_view, kRing> last{};
  std::size_t count = 0;
  for_each_word(key, [&](std::size_t begin, std::size_t end) { last[count++ % kRing] = key.substr(begin, end - begin); });
  if (count == 0) return false;
  const std::size_t kept = count < kRing ? count : kRing;
  for (const auto& words : keys.entries) {
    const std::size_t m = words.size();
    if (m == 0 || m > kept) continue;
    bool all = true;
    for (std::size_t t = 0; t < m && all; ++t) {
      all = equals_lowercase(last[(count - 1 - t) % kRing], words[m - 1 - t]);
    }
    if (all) return true;
  }
  return false;
}

}  // namespace edgescope::privacy
