// Rule 2a of redaction.hpp: a denied key written inside text, with its value. This is how secrets
// usually reach a log line: an object logged as JSON ({"password":"..."}), a URL with
// ?access_token=..., a header dump ("Authorization: ..."), a form body (card_number=...).
// One left-to-right pass: each key phrase is read once and each masked value is skipped as a
// whole, so the work is linear in the text.
#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

bool is_key_char(char c) { return is_word(c) || c == '.' || c == '-'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

// A key phrase: runs of key characters joined by single spaces ("my api key"). Matching looks at
// the last words only (rule 1), so a phrase that starts with unrelated prose still matches.
std::size_t phrase_end(std::string_view text, std::size_t i) {
  const std::size_t n = text.size();
  for (;;) {
    while (i < n && is_key_char(text[i])) ++i;
    if (i + 1 < n && text[i] == ' ' && is_key_char(text[i + 1])) {
      ++i;
      continue;
    }
    return i;
  }
}

// Index of the closing `quote` of a string whose content starts at `i` (backslash escapes as in
// JSON, RFC 8259 section 7, and JavaScript), or the text size when it is not closed.
std::size_t quoted_end(std::string_view text, std::size_t i, char quote) {
  while (i < text.size()) {
    if (text[i] == '\\') {
      i += 2;
    } else if (text[i] == quote) {
      return i;
    } else {
      ++i;
    }
  }
  return text.size();
}

// JSON inside a JSON string: the string is delimited by \" (one backslash); a quote inside it is
// \\\" (three), so only a quote preceded by exactly one backslash closes it. Returns the index of
// that backslash, or the text size.
std::size_t escaped_quoted_end(std::string_view text, std::size_t i) {
  std::size_t backslashes = 0;
  for (; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++backslashes;
      continue;
    }
    if (text[i] == '"' && backslashes == 1) return i - 1;
    backslashes = 0;
  }
  return text.size();
}

// End of one unquoted JSON (or JavaScript object literal) value at `i`: a balanced {...} / [...]
// with strings skipped, or a scalar up to the next delimiter.
std::size_t json_value_end(std::string_view text, std::size_t i, char quote) {
  const std::size_t n = text.size();
  if (text[i] == '{' || text[i] == '[') {
    std::size_t depth = 0;
    while (i < n) {
      const char c = text[i];
      if ((quote == '"' || quote == '\'') && c == quote) {
        i = quoted_end(text, i + 1, quote);
        if (i >= n) return n;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return n;
  }
  while (i < n) {
    const char c = text[i];
    if (c == ',' || c == '}' || c == ']' || c == '\\' || c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
    ++i;
  }
  return i;
}

// `key: value` in a header or YAML-style line: the value is the rest of the line. It also stops
// at '"' and '\' so that a line inside a JSON string ends with that string.
bool ends_line_value(char c) { return c == '\r' || c == '\n' || c == '"' || c == '\\'; }

// `key=value` in a query string, form body, cookie pair or log line.
bool ends_pair_value(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\n': case '&': case ';': case ',': case '"': case '\'':
    case '<': case '>': case ')': case ']': case '}': case '\\':
      return true;
    default:
      return false;
  }
}

// Text glued to the end of a value without a delimiter ("{...}b") is masked with it: a second
// pass reads such text as glued to the marker, and must find nothing new.
std::size_t glued_end(std::string_view text, std::size_t e) {
  while (e < text.size() && !ends_pair_value(text[e])) ++e;
  return e;
}

}  // namespace

void scan_key_value_pairs(std::string_view text, const RedactionPolicy::KeyList& keys, MaskRanges& out) {
  if (keys.empty()) return;
  if (text.find(':') == std::string_view::npos && text.find('=') == std::string_view::npos) return;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    if (!is_key_char(text[i])) {
      ++i;
      continue;
    }
    const std::size_t key_begin = i;
    const std::size_t key_end = phrase_end(text, i);
    // Between key and separator: an optional closing quote, then blanks.
    std::size_t k = key_end;
    char quote = 0;
    if (k + 1 < n && text[k] == '\\' && text[k + 1] == '"') {
      quote = '\\';
      k += 2;
    } else if (k < n && (text[k] == '"' || text[k] == '\'')) {
      quote = text[k];
      ++k;
    }
    while (k < n && is_blank(text[k])) ++k;
    if (k >= n || (text[k] != ':' && text[k] != '=')) {
      i = key_end;
      continue;
    }
    const char separator = text[k];
    i = k + 1;
    if (!key_matches(text.substr(key_begin, key_end - key_begin), keys)) continue;

    std::size_t p = k + 1;
    while (p < n && is_blank(text[p])) ++p;
    MaskRange range;
    std::size_t resume = p;
    // A value that starts with the marker is already redacted (a second pass, or text redacted
    // before) and is left as it is, whatever is glued after the marker: a first pass can leave
    // such text (another scanner's stretch may end right before it), and a second pass must not
    // find anything the first did not.
    if (text.compare(p, kRedactedMarker.size(), kRedactedMarker) == 0) {
      i = p + kRedactedMarker.size();
      continue;
    }
    if (p + 1 < n && text[p] == '\\' && text[p + 1] == '"') {
      range = {p + 2, escaped_quoted_end(text, p + 2), 0};
      resume = range.end;
    } else if (p < n && (text[p] == '"' || text[p] == '\'')) {
      range = {p + 1, quoted_end(text, p + 1, text[p]), 0};
      resume = range.end;
    } else if (p < n && quote != 0) {
      range = {p, glued_end(text, json_value_end(text, p, quote)), quote};
      resume = range.end;
    } else if (p < n && separator == ':' && (text[p] == '{' || text[p] == '[')) {
      // A JavaScript object literal or YAML flow value: `secret: { a: 1 }` (util.inspect style).
      range = {p, glued_end(text, json_value_end(text, p, '\'')), 0};
      resume = range.end;
    } else {
      std::size_t e = p;
      if (separator == ':') {
        while (e < n && !ends_line_value(text[e])) ++e;
      } else {
        while (e < n && !ends_pair_value(text[e])) ++e;
      }
      range = {p, e, 0};
      resume = e;
    }
    if (range.end > n) range.end = n;
    if (range.end > range.begin && text.substr(range.begin, range.end - range.begin) != kRedactedMarker) {
      out.push_back(range);
    }
    if (resume > i) i = resume;
  }
}

}  // namespace edgescope::privacy
