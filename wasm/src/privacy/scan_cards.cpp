// Rule 2d of redaction.hpp: payment card numbers (PANs). ISO/IEC 7812-1 numbers end with a Luhn
// check digit; Luhn alone accepts one digit run in ten (millisecond timestamps, order ids), so a
// candidate must also start with a prefix that a major network issues at that length. Ranges
// follow the networks' published IIN tables (Visa, Mastercard incl. the 2-series, American
// Express, Diners Club, JCB, Discover, UnionPay, Maestro).
//
// Digit groups are read once, left to right; for each group, the windows that end with it (a
// single group of 13-19 digits, or up to 6 groups of 3-6 digits joined by the same single
// separator) are checked, each in at most 19 digit steps: linear in the text.
#include <array>

#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

constexpr std::size_t kMinDigits = 13;
constexpr std::size_t kMaxDigits = 19;
constexpr std::size_t kMinGroup = 3;
constexpr std::size_t kMaxGroup = 6;
constexpr std::size_t kMaxGroups = kMaxDigits / kMinGroup;  // 6

bool issuer_accepts(const char* d, std::size_t length) {
  const int p2 = (d[0] - '0') * 10 + (d[1] - '0');
  const int p3 = p2 * 10 + (d[2] - '0');
  const int p4 = p3 * 10 + (d[3] - '0');
  switch (d[0]) {
    case '2': return length == 16 && p4 >= 2221 && p4 <= 2720;                  // Mastercard
    case '3':
      return (length == 15 && (p2 == 34 || p2 == 37))                            // Amex
             || (length >= 14 && ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39))  // Diners
             || (length >= 16 && p4 >= 3528 && p4 <= 3589);                      // JCB
    case '4': return length == 13 || length == 16 || length == 19;               // Visa
    case '5':
      return (length == 16 && p2 >= 51 && p2 <= 55)                              // Mastercard
             || p2 == 50 || (p2 >= 56 && p2 <= 59);                              // Maestro
    case '6': return true;                                                       // Discover, UnionPay, Maestro
    default: return false;
  }
}

// Luhn (ISO/IEC 7812-1 annex B) over the digits of [begin, end), skipping separators.
bool luhn_and_issuer(std::string_view text, std::size_t begin, std::size_t end) {
  std::array<char, kMaxDigits> digits{};
  std::size_t count = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (is_digit(text[i])) digits[count++] = text[i];
  }
  int sum = 0;
  for (std::size_t k = 0; k < count; ++k) {
    int v = digits[count - 1 - k] - '0';
    if (k % 2 == 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 == 0 && issuer_accepts(digits.data(), count);
}

// A number may not continue into a word ("x4111...", "4111...ms") or be part of a decimal or
// digit-grouped number ("0.4532...", "1,4111...").
bool clean_before(std::string_view text, std::size_t begin) {
  if (begin == 0) return true;
  const char c = text[begin - 1];
  if (is_word(c)) return false;
  if ((c == '.' || c == ',') && begin >= 2 && is_digit(text[begin - 2])) return false;
  return true;
}

bool clean_after(std::string_view text, std::size_t end) {
  if (end >= text.size()) return true;
  const char c = text[end];
  if (is_word(c)) return false;
  if ((c == '.' || c == ',') && end + 1 < text.size() && is_digit(text[end + 1])) return false;
  return true;
}

struct Group {
  std::size_t begin;
  std::size_t end;
  char separator_before;  // ' ' or '-' when joined to the previous group, else 0
};

}  // namespace

bool is_card_number(std::uint64_t value) {
  char buffer[24];
  std::size_t length = 0;
  do {
    buffer[length++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (length < kMinDigits || length > kMaxDigits) return false;
  char digits[24];
  for (std::size_t i = 0; i < length; ++i) digits[i] = buffer[length - 1 - i];
  return luhn_and_issuer(std::string_view(digits, length), 0, length);
}

void scan_card_numbers(std::string_view text, MaskRanges& out) {
  const std::size_t n = text.size();
  std::array<Group, kMaxGroups> chain{};  // the last groups of the current chain, newest last
  std::size_t chain_size = 0;
  std::size_t i = 0;
  while (i < n) {
    if (!is_digit(text[i])) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && is_digit(text[i])) ++i;
    Group group{begin, i, 0};
    const bool joined = chain_size > 0 && begin >= 1 && chain[chain_size - 1].end + 1 == begin &&
                        (text[begin - 1] == ' ' || text[begin - 1] == '-');
    if (joined) {
      group.separator_before = text[begin - 1];
      if (chain_size == kMaxGroups) {
        for (std::size_t k = 1; k < kMaxGroups; ++k) chain[k - 1] = chain[k];
        --chain_size;
      }
    } else {
      chain_size = 0;
    }
    chain[chain_size++] = group;
    if (!clean_after(text, group.end)) continue;

    // Windows ending with this group; the widest card wins, overlapping windows are merged by the caller.
    std::size_t best_begin = group.end;
    const std::size_t length = group.end - group.begin;
    if (length >= kMinDigits && length <= kMaxDigits && clean_before(text, group.begin) &&
        luhn_and_issuer(text, group.begin, group.end)) {
      best_begin = group.begin;
    }
    if (length >= kMinGroup && length <= kMaxGroup) {
      std::size_t digits = length;
      for (std::size_t k = chain_size - 1; k > 0; --k) {
        const Group& right = chain[k];
        const Group& left = chain[k - 1];
        const std::size_t left_length = left.end - left.begin;
        if (left_length < kMinGroup || left_length > kMaxGroup) break;
        if (right.separator_before != group.separator_before) break;
        digits += left_length;
        if (digits > kMaxDigits) break;
        if (digits >= kMinDigits && clean_before(text, left.begin) && luhn_and_issuer(text, left.begin, group.end)) {
          best_begin = left.begin;
        }
      }
    }
    if (best_begin < group.end) out.push_back({best_begin, group.end, 0});
  }
}

}  // namespace edgescope::privacy
