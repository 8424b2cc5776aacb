// Rule 2c of redaction.hpp: JSON Web Tokens in compact serialisation. A JWS is
// header.payload.signature (RFC 7515 section 7.1), a JWE has five parts (RFC 7516 section 7.1),
// an unsecured JWT ends with an empty signature (RFC 7519 section 6.1). Every header is base64url
// (RFC 4648 section 5, no padding) of a JSON object, so it starts with "eyJ" ('{"'). The payload
// is the sensitive part (claims: user ids, emails), so the whole token is masked, not only the
// signature.
#include "scanners.hpp"

namespace edgescope::privacy {
namespace {

bool is_base64url_char(char c) { return is_alnum(c) || c == '-' || c == '_'; }

bool starts_header(std::string_view segment) {
  return segment.size() >= 4 && segment[0] == 'e' && segment[1] == 'y' && segment[2] == 'J';
}

// One run of base64url characters and dots, [begin, end).
void scan_run(std::string_view text, std::size_t begin, std::size_t end, MaskRanges& out) {
  std::size_t header = end;
  std::size_t segments = 0;        // from the header on
  bool later_nonempty = false;     // some segment after the header has content
  bool last_empty = false;
  std::size_t s = begin;
  while (s <= end) {
    std::size_t e = s;
    while (e < end && text[e] != '.') ++e;
    const std::string_view segment = text.substr(s, e - s);
    if (header == end) {
      if (starts_header(segment)) {
        header = s;
        segments = 1;
      }
    } else {
      ++segments;
      if (!segment.empty()) later_nonempty = true;
      last_empty = segment.empty();
    }
    s = e + 1;
  }
  if (header == end || segments < 3 || !later_nonempty) return;
  std::size_t mask_end = end;
  // "... eyJ..eyJ...sig." : the final dot ends the sentence, unless it is the unsecured JWT's
  // empty third part.
  if (last_empty && segments > 3) --mask_end;
  out.push_back({header, mask_end, 0});
}

}  // namespace

void scan_jwts(std::string_view text, MaskRanges& out) {
  if (text.find("eyJ") == std::string_view::npos) return;  // memchr-speed exit for most text
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    if (!is_base64url_char(text[i]) && text[i] != '.') {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < n && (is_base64url_char(text[i]) || text[i] == '.')) ++i;
    if (i - begin >= 7) scan_run(text, begin, i, out);  // the shortest: "eyJx..y"
  }
}

}  // namespace edgescope::privacy
