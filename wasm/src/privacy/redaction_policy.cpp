// RedactionPolicy: the configuration check, the key deny list, and the one rewrite that applies
// every scanner's findings (redaction.hpp states the rules; the scanners live next to this file).
#include <algorithm>
#include <initializer_list>
#include <utility>

#include "edgescope/utf8.hpp"
#include "scanners.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope {
namespace {

using privacy::MaskRange;
using privacy::MaskRanges;

// True when `s` and the marker could overlap in some text: one contains the other, or an end of
// one is a start of the other. Such a pattern would find the marker (or a marker next to text)
// again on a second pass, and redaction must be idempotent.
bool overlaps_marker(std::string_view s) {
  const std::string_view m = kRedactedMarker;
  const auto n = static_cast<long>(s.size());
  const auto k = static_cast<long>(m.size());
  for (long shift = -(k - 1); shift < n; ++shift) {  // m[0] is aligned with s[shift]
    const long from = std::max(0L, shift);
    const long to = std::min(n, shift + k);
    bool same = true;
    for (long i = from; i < to && same; ++i) same = s[static_cast<std::size_t>(i)] == m[static_cast<std::size_t>(i - shift)];
    if (same) return true;
  }
  return false;
}

// Error messages (a configuration error, once per build) are assembled by these few out-of-line
// appends rather than chains of std::string operator+ temporaries: the same text in far less wasm.

// Appends `pattern`, each '#' in it replaced by the next of `numbers` in decimal.
void append_with_numbers(std::string& out, const char* pattern, std::initializer_list<std::size_t> numbers = {}) {
  const std::size_t* next = numbers.begin();
  for (; *pattern != 0; ++pattern) {
    if (*pattern == '#') {
      out += edgescope::decimal(*next++);
    } else {
      out += *pattern;
    }
  }
}

// `list[index] "value": rule`, the value quoted, cut to 64 bytes, control bytes shown as '?'.
bool entry_error(std::string& error, const char* list, std::size_t index, std::string_view value, const char* rule,
                 std::initializer_list<std::size_t> numbers = {}) {
  error = list;
  append_with_numbers(error, "[#] \"", {index});
  for (const char c : value.substr(0, 64)) error += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  if (value.size() > 64) error += "...";
  error += "\": ";
  append_with_numbers(error, rule, numbers);
  return false;
}

// Literal values are secrets: their errors never repeat them.
bool literal_error(std::string& error, std::size_t index, const char* rule, std::initializer_list<std::size_t> numbers = {}) {
  error.clear();
  append_with_numbers(error, "literal_values[#] (not shown): ", {index});
  append_with_numbers(error, rule, numbers);
  return false;
}

bool check_extra_key(std::string_view key, std::size_t index, RecordArray<std::string>& words, std::string& error) {
  privacy::split_key_words(key, words);
  if (words.empty()) return entry_error(error, "extra_keys", index, key, "a key needs at least one ASCII letter or digit");
  if (words.size() > RedactionConfigLimits::max_key_segments) {
    return entry_error(error, "extra_keys", index, key, "more than # words", {RedactionConfigLimits::max_key_segments});
  }
  return true;
}

bool check_prefix(std::string_view prefix, std::size_t index, std::string& error) {
  if (prefix.size() < RedactionConfigLimits::min_prefix_bytes || prefix.size() > RedactionConfigLimits::max_prefix_bytes) {
    return entry_error(error, "value_prefixes", index, prefix, "must be # to # bytes",
                       {RedactionConfigLimits::min_prefix_bytes, RedactionConfigLimits::max_prefix_bytes});
  }
  for (const char c : prefix) {
    if (c < 0x21 || c > 0x7E) {
      return entry_error(error, "value_prefixes", index, prefix, "must be printable ASCII without spaces");
    }
  }
  if (overlaps_marker(prefix)) {
    return entry_error(error, "value_prefixes", index, prefix, "must not overlap the marker [REDACTED]");
  }
  return true;
}

bool check_literal(std::string_view literal, std::size_t index, std::string& error) {
  if (literal.size() < RedactionConfigLimits::min_literal_bytes || literal.size() > RedactionConfigLimits::max_literal_bytes) {
    return literal_error(error, index, "must be # to # bytes, is #",
                         {RedactionConfigLimits::min_literal_bytes, RedactionConfigLimits::max_literal_bytes, literal.size()});
  }
  if (!is_valid_utf8(literal)) return literal_error(error, index, "is not valid UTF-8");
  if (overlaps_marker(literal)) return literal_error(error, index, "must not overlap the marker [REDACTED]");
  return true;
}

bool check_count(const char* list, std::size_t count, std::size_t max, std::string& error) {
  if (count <= max) return true;
  error = list;
  append_with_numbers(error, ": # entries, at most #", {count, max});
  return false;
}

// The order redact_text merges in: by start; at equal starts a quoted replacement (a JSON value)
// first. Ties otherwise differ only in their end, which merging takes the maximum of, so any
// correct sort gives the same text.
bool sorts_before(const MaskRange& a, const MaskRange& b) {
  if (a.begin != b.begin) return a.begin < b.begin;
  return (a.quote != 0) > (b.quote != 0);
}

void sift_down(MaskRange* r, std::size_t i, std::size_t n) {
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) return;
    if (child + 1 < n && sorts_before(r[child], r[child + 1])) ++child;
    if (!sorts_before(r[i], r[child])) return;
    std::swap(r[i], r[child]);
    i = child;
  }
}

void heapsort(MaskRange* r, std::size_t n) {
  for (std::size_t i = n / 2; i-- > 0;) sift_down(r, i, n);
  for (std::size_t end = n; end-- > 1;) {
    std::swap(r[0], r[end]);
    sift_down(r, 0, end);
  }
}

// Not std::sort: introsort instantiates about 1.6 KB of wasm for this one comparator. Findings
// are often in order already (one scanner, reading left to right, found them all): one pass
// checks. Otherwise heapsort: in place, O(n log n) whatever the input (hostile text can yield
// thousands of interleaved findings).
void sort_ranges(MaskRanges& ranges) {
  MaskRange* r = ranges.data();
  const std::size_t n = ranges.size();
  for (std::size_t i = 1; i < n; ++i) {
    if (sorts_before(r[i], r[i - 1])) return heapsort(r, n);
  }
}

// Sorted ranges -> disjoint stretches, overlapping or touching ones joined (first one's quote).
void merge_touching(MaskRanges& ranges) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (kept > 0 && ranges[i].begin <= ranges[kept - 1].end) {
      ranges[kept - 1].end = std::max(ranges[kept - 1].end, ranges[i].end);
    } else {
      ranges[kept++] = ranges[i];
    }
  }
  // Shrinking only: resize() would also instantiate vector's grow path (0.4 KB of wasm).
  while (ranges.size() > kept) ranges.pop_back();
}

bool is_number_separator(char c) { return c == '.' || c == ','; }

// Widens a stretch, within [low, high) (its neighbours), so that what is left on either side reads
// next to the marker as it read next to the secret. A second pass sees the text after a marker
// as starting a new word: left inside a word, "1,89pwd: x" with "1,89" masked would become
// "[REDACTED]pwd: x", and "pwd" a denied key that the first pass never saw (likewise a value
// prefix, an auth scheme or a JWT header at the new word start). And a number cut at its decimal
// or grouping separator ("[1234],4111...") would lose the neighbour that made its other part "part
// of a number" and could read as a card on its own. So a stretch never ends inside a word, and one
// that meets a number's separator takes the rest of the number, and the words glued to it, until
// neither applies. Its start only moves for a number: a value prefix's stretch starts inside a
// word by design ("ghp_[REDACTED]"), and the prefix before the marker ends the word as it did.
void widen_to_whole_words(std::string_view text, MaskRange& r, std::size_t low, std::size_t high) {
  using privacy::is_digit;
  using privacy::is_word;
  for (;;) {
    while (r.end < high && is_word(text[r.end - 1]) && is_word(text[r.end])) ++r.end;
    if (r.end >= high || r.end + 1 >= text.size() || !is_digit(text[r.end - 1]) ||
        !is_number_separator(text[r.end]) || !is_digit(text[r.end + 1])) {
      break;
    }
    r.end += 2;
  }
  while (r.begin >= low + 2 && is_digit(text[r.begin]) && is_number_separator(text[r.begin - 1]) &&
         is_digit(text[r.begin - 2])) {
    r.begin -= 2;
    while (r.begin > low && is_word(text[r.begin - 1])) --r.begin;
  }
}

bool is_card_integer(std::int64_t value) {
  const auto magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  return privacy::is_card_number(magnitude);
}

// An array's elements, each as the scalar rule says: strings scanned, integers checked as card
// numbers. A card in an integer array cannot become the marker string in place (an array is
// homogeneous, OpenTelemetry "Attribute"), so the array becomes a string array: every element its
// decimal text, each card the marker, as a card-number integer attribute becomes the marker.
std::size_t redact_elements(const RedactionPolicy& policy, AttributeValue& value) {
  std::size_t redacted = 0;
  if (value.elements.empty()) return 0;
  if (value.elements.front().type == AttributeType::String) {
    for (auto& e : value.elements) redacted += policy.redact_text(e.text);
    return redacted;
  }
  if (value.elements.front().type != AttributeType::Int || !policy.config().card_numbers) return 0;
  for (const auto& e : value.elements) redacted += is_card_integer(e.integer) ? 1 : 0;
  if (redacted == 0) return 0;
  for (auto& e : value.elements) {
    e = AttributeValue::of_string(is_card_integer(e.integer) ? std::string(kRedactedMarker) : edgescope::decimal(e.integer));
  }
  return redacted;
}

}  // namespace

RedactionPolicy::RedactionPolicy() {
  RecordArray<std::string> words;
  for (const auto entry : kDefaultDenyKeys) {
    privacy::split_key_words(entry, words);
    privacy::add_key_entry(keys_, words);
  }
}

bool RedactionPolicy::build(RedactionConfig config, RedactionPolicy& out, std::string& error) {
  if (!check_count("extra_keys", config.extra_keys.size(), RedactionConfigLimits::max_extra_keys, error) ||
      !check_count("value_prefixes", config.value_prefixes.size(), RedactionConfigLimits::max_prefixes, error) ||
      !check_count("literal_values", config.literal_values.size(), RedactionConfigLimits::max_literals, error)) {
    return false;
  }
  RedactionPolicy policy;
  if (!config.default_keys) policy.keys_ = KeyList{};
  RecordArray<std::string> words;
  for (std::size_t i = 0; i < config.extra_keys.size(); ++i) {
    if (!check_extra_key(config.extra_keys[i], i, words, error)) return false;
    privacy::add_key_entry(policy.keys_, words);
  }
  for (std::size_t i = 0; i < config.value_prefixes.size(); ++i) {
    if (!check_prefix(config.value_prefixes[i], i, error)) return false;
  }
  for (std::size_t i = 0; i < config.literal_values.size(); ++i) {
    if (!check_literal(config.literal_values[i], i, error)) return false;
    Literal literal;
    literal.text = config.literal_values[i];
    privacy::build_failure_table(literal);
    policy.literals_.push_back(std::move(literal));
  }
  policy.config_ = std::move(config);  // by value and moved: no copy of the lists
  const RedactionConfig& kept = policy.config_;

  // Turning a built-in category off is allowed, but said out loud once.
  // One loop over a table, not one std::string construction per line.
  const char* const off[] = {
      kept.default_keys ? nullptr
      : kept.extra_keys.empty()
          ? "redaction: the built-in key deny list is off and no extra keys are set; no value is redacted because of its key"
          : "redaction: the built-in key deny list is off; only the configured extra keys are redacted",
      kept.keys_in_text ? nullptr : "redaction: denied keys written inside text (key=value, \"key\": value) are not redacted",
      kept.auth_credentials ? nullptr : "redaction: Bearer and Basic credentials inside text are not redacted",
      kept.jwts ? nullptr : "redaction: JWTs inside text are not redacted",
      kept.card_numbers ? nullptr : "redaction: payment card numbers are not redacted"};
  for (const char* line : off) {
    if (line != nullptr) policy.warnings_.emplace_back(line);
  }
  out = std::move(policy);
  return true;
}

bool RedactionPolicy::active() const {
  return !keys_.empty() || config_.auth_credentials || config_.jwts || config_.card_numbers ||
         !config_.value_prefixes.empty() || !literals_.empty();
}

bool RedactionPolicy::key_denied(std::string_view key) const { return privacy::key_matches(key, keys_); }

std::size_t RedactionPolicy::redact_value(AttributeValue& value, bool key_is_denied) const {
  if (!key_is_denied) {
    if (value.type == AttributeType::String) return redact_text(value.text);
    if (value.type == AttributeType::Array) return redact_elements(*this, value);
    if (value.type != AttributeType::Int || !config_.card_numbers || !is_card_integer(value.integer)) return 0;
  } else if (value.type == AttributeType::String && value.text == kRedactedMarker) {
    return 0;
  }
  // A denied key's value, or a card-number integer: one place builds the marker value.
  value = AttributeValue::of_string(std::string(kRedactedMarker));
  return 1;
}

std::size_t RedactionPolicy::redact_text(std::string& text) const {
  if (text.empty()) return 0;
  MaskRanges ranges;  // no allocation unless something is found
  if (config_.keys_in_text) privacy::scan_key_value_pairs(text, keys_, ranges);
  if (config_.auth_credentials) privacy::scan_auth_credentials(text, ranges);
  if (config_.jwts) privacy::scan_jwts(text, ranges);
  if (config_.card_numbers) privacy::scan_card_numbers(text, ranges);
  privacy::scan_value_prefixes(text, config_.value_prefixes, ranges);
  privacy::scan_literals(text, literals_, ranges);
  if (ranges.empty()) return 0;

  // Overlapping or touching findings become one stretch; at equal starts a quoted replacement
  // (a JSON value) wins so the document stays valid.
  sort_ranges(ranges);
  merge_touching(ranges);
  // Widened to whole words and numbers (see widen_to_whole_words). Each stretch widens only up to
  // its neighbours, so this stays linear; a stretch that reaches its neighbour is joined to it.
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    widen_to_whole_words(text, ranges[k], k > 0 ? ranges[k - 1].end : 0,
                         k + 1 < ranges.size() ? ranges[k + 1].begin : text.size());
  }
  merge_touching(ranges);

  std::string out;
  out.reserve(text.size() + 16);
  std::size_t copied = 0;
  for (const auto& stretch : ranges) {
    out.append(text, copied, stretch.begin - copied);
    const char* q = stretch.quote == '\\' ? "\\\"" : stretch.quote == '"' ? "\"" : stretch.quote == '\'' ? "'" : "";
    out += q;
    out += kRedactedMarker;
    out += q;
    copied = stretch.end;
  }
  out.append(text, copied, std::string::npos);
  text = std::move(out);
  return ranges.size();
}

// Longer than any card number (19 digits, 23 with separators) or a token prefix worth hiding.
constexpr std::size_t kMaxDroppedPartialWord = 64;

bool truncate_redacted(std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return false;
  std::size_t cut = truncate_utf8(text, max_bytes).size();
  // Cut inside a word, or between a word and a character that continues a number or token
  // ("4111111111111111|.5", "dXNlcjpw|-x"): drop the partial word, the head of something longer
  // could read as something else on its own.
  const char next = text[cut];
  const bool continues = privacy::is_word(next) || next == '.' || next == ',' || next == '-' || next == '=' ||
                         next == '+' || next == '/' || next == '~';
  if (continues) {
    // Only a short partial word goes (the head of a card number, a key or a token): a long one
    // cannot read as any of those on its own, and dropping it would empty a long one-word value.
    std::size_t start = cut;
    while (start > 0 && privacy::is_word(text[start - 1])) --start;
    if (cut - start <= kMaxDroppedPartialWord) cut = start;
  }
  // A decimal or digit-grouped number cut after its separator ("4111111111111111,|5"): the
  // digits before it are no longer disqualified by what followed, so they go too.
  if (cut >= 2 && (text[cut - 1] == '.' || text[cut - 1] == ',') && privacy::is_digit(text[cut - 2]) &&
      privacy::is_digit(text[cut])) {
    --cut;
    while (cut > 0 && privacy::is_word(text[cut - 1])) --cut;
  }
  text.resize(cut);
  return true;
}

}  // namespace edgescope
