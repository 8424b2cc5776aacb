// Redaction of secrets and personal data, applied once when a record enters the core, so nothing
// downstream (buffers, encoders, exporters, the collector) ever holds them.
//
// A RedactionPolicy is built once from a RedactionConfig and then applied per value. Every scanner
// is hand-written, single pass and linear in the input (no std::regex: too large for the wasm
// bundle, and backtracking engines can be driven quadratic by hostile input). Masked text is
// replaced with kRedactedMarker; each masked stretch counts 1 (see "Counting").
//
// 1. Key deny list (attribute keys, and keys written inside text: see 2a)
//    A key is split into segments at every character that is not an ASCII letter or digit
//    ('.', '-', '_', space, ...) and at camelCase boundaries ("apiKey" -> api|key,
//    "APIKey" -> api|key, "oauth2Token" -> oauth2|token); segments compare case-insensitively.
//    An entry matches when the key ENDS with the entry's segments, so any namespace prefix is
//    allowed but a qualifier after the secret word is not:
//      redacted:  authorization, http.request.header.authorization, X-Api-Key, user.password,
//                 db_password, accessToken, session.id, sessionId, http.request.header.cookie
//      kept:      tokens.count, gen_ai.usage.input_tokens, session.duration, cookie_consent,
//                 password_length, api_key_id
//    Words are exact: plurals ("tokens", "cookies") and glued words ("mypassword") do not match,
//    except that every multi-word entry also matches its words written together
//    ("api_key" -> "apikey", "session_id" -> "sessionid").
//    Built-in entries (kDefaultDenyKeys): authorization, proxy-authorization, cookie, set-cookie,
//    password, passwd, pwd, passphrase, secret, client_secret, secret_key, secret_access_key,
//    token, access_token, refresh_token, id_token, api_key, x-api-key, session, session_id,
//    credit_card, card_number, cc_number, cvv, cvc, private_key, email, e-mail (personal data:
//    OpenTelemetry's user.email, enduser.email).
//    A matching attribute loses its whole value: it becomes the string "[REDACTED]" whatever its
//    type was.
//
// 2. Value scanners, applied to every string value and message (attribute values, log messages,
//    exception messages and stack traces, status messages, event attributes):
//    a. Keys in text ("keys_in_text"): `key=value`, `key: value`, `"key": value` and `'key': value`
//       (also JSON inside a JSON string: `\"key\":\"value\"`) whose key is denied by 1. The key is
//       the run of letters, digits, '_', '.', '-' and single spaces before the separator ("my api
//       key: x" matches api key). The value masked is:
//         quoted ("...", '...', \"...\")        the text inside the quotes (escapes honoured)
//         after a quoted key, unquoted          one JSON value (scalar, or a balanced {...} or
//                                               [...]), replaced with a quoted marker so the
//                                               JSON stays valid
//         `key: {...}` / `key: [...]`            the balanced structure (JS object literal)
//         `key: value` (header, YAML style)     the rest of the line (stops at CR, LF, '"', '\')
//         `key=value` (query, form, cookie)     up to whitespace, a backslash or one of & ; , " ' < > ) ] }
//       A value that already starts with the marker is left as it is (idempotence).
//       So "Cookie: a=1; b=2" loses "a=1; b=2", "?token=abc&page=2" loses "abc". A denied word
//       followed by ':' in prose ("Invalid token: ...") masks the rest of that line: deliberate,
//       what follows is often the credential itself.
//    b. Authorization credentials ("auth_credentials"; RFC 7235 section 2.1: the scheme is
//       case-insensitive, the credential is a token68 after one or more spaces). The scheme word
//       stays, the credential is masked:
//         Bearer (RFC 6750 section 2.1) when the token68 has 8+ characters and has a digit, one of
//           - . _ ~ + / =, a lower-to-upper case change, or 24+ characters (so "the bearer token
//           expired" and "Bearer authentication" stay);
//         Basic (RFC 7617 section 2) when the credential is base64 (RFC 4648 section 4) whose
//           decoded bytes contain ':' (user-id ":" password), so "basic usage" stays.
//    c. JWTs ("jwts"; RFC 7519 section 3, RFC 7515 section 7.1, RFC 7516 section 7.1): in a run
//       of base64url characters and dots, the first dot-separated segment that starts with "eyJ"
//       (base64url of '{"') and has at least one more character, followed by at least two more
//       segments of which at least one is non-empty; masked from there to the end of the run (the
//       JWS signature or all five JWE parts), except a trailing sentence dot.
//    d. Payment card numbers ("card_numbers"; ISO/IEC 7812-1): a single run of 13-19 digits, or
//       2+ groups of 3-6 digits joined by single spaces or by single dashes (one kind per number)
//       totalling 13-19 digits, that passes the Luhn check AND starts with a prefix of a major
//       network for that length (2221-2720/16 Mastercard; 34,37/15 Amex; 300-305,36,38,39/14-19
//       Diners; 3528-3589/16-19 JCB; 4/13,16,19 Visa; 51-55/16 Mastercard; 50,56-59/13-19 Maestro;
//       6/13-19 Discover, UnionPay, Maestro). Not adjacent to a letter, digit or '_', and not part
//       of a decimal or grouped number ("0.4532015112830366", "1,4111...": a '.' or ',' between
//       digits). The prefix rule is what keeps millisecond timestamps (13 digits starting "1"),
//       micro/nanosecond timestamps and most order ids out: Luhn alone passes one run in ten.
//       The whole number is masked, last four digits included: kept digits could join
//       neighbouring digit groups into a new card-shaped run, and a reference should be a payment
//       processor's token id rather than part of the PAN. An integer attribute value that is such
//       a number is replaced too (JavaScript numbers up to 2^53 reach the core as integers).
//    e. User value prefixes (config): a literal such as "sk_live_" at a word start, followed by
//       at least one of [A-Za-z0-9_-]: the prefix stays, the token after it is masked.
//    f. User literal values (config): every occurrence of an exact string (say a secret the
//       Worker holds in env), widened to the whole word ([A-Za-z0-9_]) around it.
//
// Categories are switched independently in RedactionConfig; turning a built-in category off is
// reported by warnings() (never silent), and user extensions always apply.
//
// Counting: each call returns how many redactions it made: a denied key's value counts 1, and in
// text each maximal masked stretch counts 1 (overlapping findings of several scanners are one
// stretch). The core adds the return values to Stats::values_redacted. Text already redacted
// yields 0 on a second pass (the marker is never matched again). For that, what is left beside a
// marker must read as it did beside the secret: a masked stretch never ends inside a word
// ([A-Za-z0-9_]), and one that meets a number's '.' or ',' takes the rest of that number and the
// words glued to it ("ghp_1,89pwd: x" -> "ghp_[REDACTED]: x", not "ghp_[REDACTED]pwd: x", whose
// "pwd" a second pass would read as a denied key).
//
// Order with truncation: redact the full (repaired) text FIRST, then cut it with
// truncate_redacted(). Cutting before redaction can break a secret into a shape no scanner
// recognises (a 16-digit PAN cut to 14 digits, a JWT cut to two segments), and a plain cut can
// turn a longer digit run into a card-shaped one.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgescope/attributes.hpp"
#include "edgescope/grow_array.hpp"
#include "edgescope/record_array.hpp"

namespace edgescope {

inline constexpr std::string_view kRedactedMarker = "[REDACTED]";

// The built-in deny list, as written in the rule above (see 1 for how entries match).
inline constexpr std::array<std::string_view, 28> kDefaultDenyKeys = {
    "authorization", "proxy-authorization", "cookie", "set-cookie", "password", "passwd", "pwd",
    "passphrase", "secret", "client_secret", "secret_key", "secret_access_key", "token",
    "access_token", "refresh_token", "id_token", "api_key", "x-api-key", "session", "session_id",
    "credit_card", "card_number", "cc_number", "cvv", "cvc", "private_key", "email", "e-mail"};

// Limits on user extensions, so the cost of a scan stays bounded by configuration that is checked
// once (the prefix scan does at most value_bytes x total prefix bytes comparisons).
struct RedactionConfigLimits {
  static constexpr std::size_t max_extra_keys = 64;
  static constexpr std::size_t max_key_segments = 8;
  static constexpr std::size_t max_prefixes = 32;
  static constexpr std::size_t min_prefix_bytes = 3;
  static constexpr std::size_t max_prefix_bytes = 64;
  static constexpr std::size_t max_literals = 32;
  static constexpr std::size_t min_literal_bytes = 8;
  static constexpr std::size_t max_literal_bytes = 256;
};

struct RedactionConfig {
  // Built-in categories (all on by default).
  bool default_keys = true;      // 1: kDefaultDenyKeys
  bool keys_in_text = true;      // 2a: key=value pairs inside strings (uses default + extra keys)
  bool auth_credentials = true;  // 2b: Bearer / Basic credentials
  bool jwts = true;              // 2c
  bool card_numbers = true;      // 2d
  // User extensions (always applied when given).
  RecordArray<std::string> extra_keys;      // matched like built-in entries, e.g. "x-session-ticket"
  RecordArray<std::string> value_prefixes;  // 2e, e.g. "sk_live_", "ghp_", "xoxb-"
  RecordArray<std::string> literal_values;  // 2f, exact strings to mask wherever they appear
};

class RedactionPolicy {
 public:
  // All built-in categories on, no extensions.
  RedactionPolicy();

  // Checks `config` and builds `out`. On a bad entry returns false, leaves `out` untouched and
  // sets `error` to a message naming the list, the index and the rule broken.
  static bool build(RedactionConfig config, RedactionPolicy& out, std::string& error);

  // True when the key matches the deny list (built-in if enabled, plus extra keys). Pure function
  // of the key, so the core can compute it once per interned key.
  bool key_denied(std::string_view key) const;

  // A value under a denied key becomes the string marker (1). Otherwise a string is scanned
  // (redact_text) and an integer is checked as a card number. Returns redactions made.
  std::size_t redact_value(AttributeValue& value, bool key_is_denied) const;
  std::size_t redact_attribute(Attribute& attribute) const {
    return redact_value(attribute.value, key_denied(attribute.key));
  }

  // Masks every finding of the value scanners in place. Valid UTF-8 in gives valid UTF-8 out.
  // Returns the number of masked stretches. Does not allocate when nothing is found.
  std::size_t redact_text(std::string& text) const;

  // One line per built-in category that the config turned off, for the shim to print once.
  const RecordArray<std::string>& warnings() const { return warnings_; }

  // False when no category and no extension is active (redaction is then a no-op).
  bool active() const;

  const RedactionConfig& config() const { return config_; }

  // The deny entries, pre-split into lowercase words; public for the scanners in src/privacy.
  struct KeyList {
    RecordArray<RecordArray<std::string>> entries;
    // Quick rejection before comparing words: bit first_letter_bit(w[0]) of last_word[min(size, 31)]
    // is set for the last word w of some entry. Most keys in text ("id", "user", "status") stop here.
    std::array<std::uint32_t, 32> last_word{};
    bool empty() const { return entries.empty(); }
  };
  // KMP failure table per literal (literal_values), built once.
  struct Literal {
    std::string text;
    GrowArray<std::uint16_t> failure;
  };

 private:
  RedactionConfig config_;
  KeyList keys_;  // built-in (when on) + extra, each also in glued form
  RecordArray<Literal> literals_;
  RecordArray<std::string> warnings_;
};

// Cuts redacted text to at most `max_bytes` on a code point boundary and, when the cut falls
// inside a word ([A-Za-z0-9_]), drops that partial word too, so a cut cannot leave the head of a
// longer digit run as a card-shaped number or half a marker. Returns true when it cut (the caller
// counts Stats::values_truncated).
bool truncate_redacted(std::string& text, std::size_t max_bytes);

}  // namespace edgescope
