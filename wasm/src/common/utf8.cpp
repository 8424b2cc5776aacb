#include "edgescope/utf8.hpp"

namespace edgescope {
namespace {

// Length of the well-formed sequence starting at text[i], or 0 when the bytes there are an
// ill-formed subsequence; `consumed` then holds the length of its maximal subpart (at least 1).
// Follows Unicode 15, table 3-7 (well-formed UTF-8 byte sequences).
std::size_t sequence_length(std::string_view text, std::size_t i, std::size_t& consumed) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  consumed = 1;
  if (lead < 0x80) return 1;
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;  // excludes UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= text.size()) return 0;
    const unsigned char c = byte(i + k);
    const unsigned char min = (k == 1) ? lo : 0x80;
    const unsigned char max = (k == 1) ? hi : 0xBF;
    if (c < min || c > max) return 0;
    consumed = k + 1;
  }
  return need + 1;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  std::size_t consumed = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = sequence_length(text, i, consumed);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool repair_utf8(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  bool repaired = false;
  std::size_t consumed = 0;
  std::size_t run = 0;  // start of the well-formed bytes not yet copied: copied in one append
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = sequence_length(text, i, consumed);
    if (n == 0) {
      out.append(text.data() + run, i - run);
      out.append("\xEF\xBF\xBD");
      repaired = true;
      i += consumed;
      run = i;
    } else {
      i += n;
    }
  }
  out.append(text.data() + run, text.size() - run);
  return repaired;
}

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes so the cut lands on a lead byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace edgescope
