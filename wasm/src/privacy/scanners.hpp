// Internal to src/privacy: the value scanners behind RedactionPolicy::redact_text. Each one reads
// the text once, left to right, and appends the byte ranges to mask; redaction_policy.cpp merges
// the ranges of all scanners and rewrites the text once. Every range starts right after an ASCII
// byte (or at 0) and ends right before an ASCII byte (or at the end), except a literal value's,
// which is itself valid UTF-8 (checked when the policy is built); so masking never splits a UTF-8
// sequence.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edgescope/grow_array.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/redaction.hpp"

namespace edgescope::privacy {

struct MaskRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  // How the marker is written: 0 bare, '"' or '\'' quoted with that character, '\\' quoted with
  // \" (JSON inside a JSON string). Quoting keeps a JSON document valid when an unquoted value
  // (a number, an object) is replaced by the string marker.
  char quote = 0;
};
// GrowArray: no std::vector growth path of its own (grow_array.hpp).
using MaskRanges = GrowArray<MaskRange>;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alpha(char c) { return is_lower(c) || is_upper(c); }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline bool is_word(char c) { return is_alnum(c) || c == '_'; }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Key segmentation and deny-list matching (rule 1 in redaction.hpp).
void split_key_words(std::string_view key, RecordArray<std::string>& words);
// Adds an entry, and its glued form ("api_key" also as "apikey"), unless already present.
void add_key_entry(RedactionPolicy::KeyList& keys, const RecordArray<std::string>& words);
bool key_matches(std::string_view key, const RedactionPolicy::KeyList& keys);

// Rule 2a: denied keys written inside text.
void scan_key_value_pairs(std::string_view text, const RedactionPolicy::KeyList& keys, MaskRanges& out);
// Rule 2b: Bearer and Basic credentials.
void scan_auth_credentials(std::string_view text, MaskRanges& out);
// Rule 2c: JWS/JWE compact serialisations.
void scan_jwts(std::string_view text, MaskRanges& out);
// Rule 2d: payment card numbers.
void scan_card_numbers(std::string_view text, MaskRanges& out);
bool is_card_number(std::uint64_t value);  // the same rule for an integer value
// Rule 2e and 2f: user prefixes and literal values.
void scan_value_prefixes(std::string_view text, const RecordArray<std::string>& prefixes, MaskRanges& out);
void build_failure_table(RedactionPolicy::Literal& literal);
void scan_literals(std::string_view text, const RecordArray<RedactionPolicy::Literal>& literals, MaskRanges& out);

}  // namespace edgescope::privacy
