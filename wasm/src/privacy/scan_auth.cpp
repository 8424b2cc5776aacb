// Rule 2b of redaction.hpp: credentials after an HTTP authentication scheme, wherever they
// appear (a copied header, an error message, a curl command line). RFC 7235 section 2.1:
// credentials = auth-scheme [ 1*SP token68 ], the scheme is case-insensitive. The scheme word
// stays so the record still says which scheme was used.
#include <cstdint>

#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

bool is_token68_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool matches_word(std::string_view text, std::size_t i, std::string_view lower_word) {
  if (text.size() - i < lower_word.size()) return false;
  for (std::size_t k = 0; k < lower_word.size(); ++k) {
    if (to_lower(text[i + k]) != lower_word[k]) return false;
  }
  return true;
}

// A Bearer token (RFC 6750 section 2.1, b64token) as opposed to an English word after "bearer":
// real tokens are long random strings, so they carry a digit, a symbol or mixed case.
bool looks_like_bearer_token(std::string_view token) {
  if (token.size() < 8) return false;
  if (token.size() >= 24) return true;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (is_digit(c) || !is_alpha(c)) return true;
    if (i > 0 && is_upper(c) && is_lower(token[i - 1])) return true;
  }
  return false;
}

int base64_value(char c) {
  if (is_upper(c)) return c - 'A';
  if (is_lower(c)) return c - 'a' + 26;
  if (is_digit(c)) return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 7617 section 2: the credential is base64(user-id ":" password). Decodes (RFC 4648
// section 4, padding optional) and looks for the ':'; "basic usage" is not base64 of anything
// with a colon.
bool is_basic_credential(std::string_view b64) {
  std::size_t data = b64.size();
  while (data > 0 && b64[data - 1] == '=') --data;
  const std::size_t padding = b64.size() - data;
  if (data < 2 || padding > 2 || data % 4 == 1) return false;
  if (padding > 0 && (data + padding) % 4 != 0) return false;
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < data; ++i) {
    const int v = base64_value(b64[i]);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      if (((bits >> count) & 0xFF) == ':') return true;
    }
  }
  return false;
}

}  // namespace

void scan_auth_credentials(std::string_view text, MaskRanges& out) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if ((c != 'b' && c != 'B') || (i > 0 && is_alnum(text[i - 1]))) {
      ++i;
      continue;
    }
    const bool bearer = matches_word(text, i, "bearer");
    const bool basic = !bearer && matches_word(text, i, "basic");
    if (!bearer && !basic) {
      ++i;
      continue;
    }
    std::size_t p = i + (bearer ? 6 : 5);
    if (p >= n || (text[p] != ' ' && text[p] != '\t')) {
      i = p;
      continue;
    }
    while (p < n && (text[p] == ' ' || text[p] == '\t')) ++p;
    std::size_t e = p;
    if (bearer) {
      while (e < n && is_token68_char(text[e])) ++e;
      while (e < n && text[e] == '=') ++e;
      while (e > p && text[e - 1] == '.') --e;  // a sentence's full stop is not part of it
      if (looks_like_bearer_token(text.substr(p, e - p))) out.push_back({p, e, 0});
    } else {
      while (e < n && base64_value(text[e]) >= 0) ++e;
      while (e < n && text[e] == '=') ++e;
      // Followed by a token68 character that base64 does not use: not a base64 credential. '['
      // counts as glued too: it is how a marker starts, and a marker placed right after the run
      // by another scanner must not turn a rejected run into an accepted one on a second pass.
      const bool clean_end = e >= n || ((!is_token68_char(text[e]) || text[e] == '.') && text[e] != '[');
      if (clean_end && is_basic_credential(text.substr(p, e - p))) out.push_back({p, e, 0});
    }
    i = e > p ? e : p;
  }
}

}  // namespace edgescope::privacy
