// Error fingerprints: the same error groups together across requests, isolates and deploys.
//
// fingerprint = FNV-1a 64 (16 lowercase hex digits) over
//   type '\0' normalize(message) '\0' top application frame
// normalize() replaces, left to right: URLs' query strings and fragments -> "?<query>",
// quoted values ('..', "..", `..`, not across lines, at most 256 bytes) -> "<str>", e-mail
// addresses -> "<email>", UUIDs -> "<uuid>", 0x-prefixed hex and runs of >= 6 hex digits holding
// a digit and a letter (deploy hashes, ids) -> "<hex>", runs of digits (with a decimal fraction)
// -> "<num>" (a lone digit glued to a letter, "D1_ERROR", "v8", stays: it names a thing, not an
// instance). The message is read up to kMaxMessageBytes.
// The top application frame is the first V8 stack line ("    at fn (file:line:col)") whose file
// is not edgescope's own, Node's or the runtime's; it is kept as "fn@file" with line and column
// dropped (they move with every edit above them, which would split one error into a group per
// deploy) and the file normalized like a message (a content hash in a bundle name stays stable).
// An HTTP error response (Classifier, status set) appends " HTTP <status> <route>" to the frame:
// a 404 on /users/:id and one on /files/:key are different problems.
// FNV-1a: tiny, byte-order independent, the same on every platform; not for security (a
// fingerprint groups errors; it does not authenticate them).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace edgescope::monitoring {

constexpr std::size_t kMaxMessageBytes = 4096;

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ull);
std::string normalize_message(std::string_view message);
// "fn@file" of the first application frame, "" when there is none.
std::string top_frame(std::string_view stack);
// 16 lowercase hex digits.
std::string fingerprint(std::string_view type, std::string_view normalized, std::string_view frame);

}  // namespace edgescope::monitoring
