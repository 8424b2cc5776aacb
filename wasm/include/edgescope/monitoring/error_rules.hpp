// Error classification rules: an ordered list, first match wins (issue "Error classification").
//
// Rule syntax (the user's JSON, `errors.rules` in the config; validated, with the path of the first
// problem, by js/monitoring/error-config.js; every key optional except `severity` and `category`):
//   name     pattern(s) on the error's type/name       ("TimeoutError", "D1_*")
//   message  pattern(s) on the raw message             ("rate limit", "*timed out*")
//   status   HTTP status: an integer (429) or a range string ("400-499"), 100..599
//   route    pattern(s) on the route template         ("/api/*")
//   binding  pattern(s) on the binding type           ("d1", "kv")
//   span     pattern(s) on the span name
//   log      log severity name(s): "trace" "debug" "info" "warn" "error" "fatal"
//   severity "CRITICAL" | "WARNING" | "INFO"
//   category a label (1..64 bytes), e.g. "database"
//   repeated { count, windowMs, severity }: escalate to `severity` once the fleet saw the same
//            fingerprint `count` times (2..1e6) within `windowMs` (1 ms..7 days)
// A pattern (a string, or an array of strings meaning "any of"; 1..256 bytes, no control
// characters) is matched ASCII case-insensitively: with `*` (any run) or `?` (one byte) it is a
// glob over the whole value; without either it matches anywhere in the value (a substring). Every
// condition given must hold (AND); a rule with no condition matches everything. No regular
// expressions: std::regex would cost more than the whole classifier in module size, and a glob
// cannot backtrack exponentially.
//
// The core reads the rules in a packed text form the shim writes after validating the JSON
// (js/monitoring/error-config.js packRules): JSON.parse is free in JavaScript, while a JSON reader
// in dist/edgescope.wasm cost 5.5 KB gzipped (scripts/size-budget.mjs). One rule per line ('\n'),
// fields separated by '\t', each a tag byte and its value:
//   s<0|1|2>  severity (0 INFO, 1 WARNING, 2 CRITICAL)      required, once
//   c<text>   category                                      required, once
//   n m r b p l<pattern>   name, message, route, binding, span, log level (repeatable: any of)
//   h<lo>-<hi>             status range                    at most once
//   x<count>,<windowMs>,<0|1|2>  repeated                  at most once
// The core checks it again (never trusting host bytes): a malformed line is refused whole with
// "rule N: ..." and nothing changes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "edgescope/record_array.hpp"

namespace edgescope::monitoring {

enum class Severity : std::uint8_t { Info = 0, Warning = 1, Critical = 2 };
const char* severity_name(Severity s);

// What a pattern is matched against (ErrorInput's fields, in this order).
enum Field : std::uint8_t { kName, kMessage, kRoute, kBinding, kSpan, kLog, kFieldCount };

// The rules are plain records over one text pool (patterns lower-cased, categories): no strings
// or vectors inside them, so a rule list is three allocations and the module carries no per-type
// container code for them (size budget, scripts/size-budget.mjs).
struct Pattern {
  std::uint32_t offset = 0;
  std::uint16_t size = 0;
  std::uint8_t field = kName;
  bool glob = false;
};

struct Repeated {
  std::uint32_t count = 0;  // 0: no escalation
  std::int64_t window_ms = 0;
  Severity severity = Severity::Critical;
};

struct Rule {
  std::uint32_t first = 0, count = 0;  // its patterns: [first, first + count); same field = any of
  std::uint32_t category_offset = 0;
  std::uint8_t category_size = 0;
  Severity severity = Severity::Info;
  std::uint16_t status_min = 0, status_max = 0;  // 0: no condition
  Repeated repeated;
};

struct RuleSet {
  std::string text;
  RecordArray<Pattern> patterns;
  RecordArray<Rule> rules;
  std::string_view pattern(const Pattern& p) const { return std::string_view(text).substr(p.offset, p.size); }
  std::string_view category(const Rule& r) const { return std::string_view(text).substr(r.category_offset, r.category_size); }
};

// `pattern` lower-cased; glob: '*' and '?' over the whole value, else a substring anywhere.
bool match_pattern(std::string_view pattern, bool glob, std::string_view value);

constexpr std::size_t kMaxRules = 256;
constexpr std::size_t kMaxPatternBytes = 256;
constexpr std::size_t kMaxCategoryBytes = 64;

// Reads packed rules (`text`); with `defaults`, the built-in rules (kDefaultRules) follow the
// user's. On failure returns false, sets `error` ("rule 3: bad status range") and leaves `out`
// as it was.
bool parse_rules(std::string_view text, bool defaults, RuleSet& out, std::string& error);

// The built-in rules, packed (read by the same code as the user's).
extern const char* const kDefaultRules;

}  // namespace edgescope::monitoring
