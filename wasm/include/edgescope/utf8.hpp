// UTF-8 validation and repair. Every string that enters the core passes through here once, so
// the encoders can assume valid UTF-8 and never emit a broken payload (JSON requires it:
// RFC 8259 section 8.1).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace edgescope {

bool is_valid_utf8(std::string_view text);

// Replaces each maximal ill-formed subsequence with U+FFFD, the same policy as the WHATWG
// TextDecoder ("replacement" error mode), so the core and the browser repair identically.
// Returns true when anything was replaced.
bool repair_utf8(std::string_view text, std::string& out);

// The longest prefix of valid UTF-8 `text` that is at most `max_bytes` long and ends on a
// code point boundary.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace edgescope
