// A small strict JSON reader (RFC 8259) for resilience configs and snapshots. Snapshots come back
// from KV or a Durable Object after any number of deploys and isolates, so everything is checked:
// the exact number grammar (section 6: no leading zeros, no "+", no "1.", no NaN/Infinity), valid
// UTF-8 and escapes (section 7, 8.1: a lone surrogate escape is refused), no duplicate keys (section
// 4 leaves them undefined; we refuse them), bounded size, depth and value count. No exceptions and
// no strtod: numbers are converted here (exact for up to 15 significant digits and exponents within
// +/-22, which covers every config value; snapshot fields are integers).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgescope::json {

enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };

struct Value {
  Type type = Type::Null;
  bool boolean = false;
  bool integral = false;     // written as a plain integer (no fraction, no exponent) within +/-2^53
  std::int64_t integer = 0;  // when integral
  double number = 0;
  std::string text;                // String
  std::vector<std::string> keys;   // Object: keys[i] names items[i]
  std::vector<Value> items;        // Array elements or Object member values

  const Value* find(std::string_view key) const;
};

struct ReaderLimits {
  std::size_t max_bytes = 1u << 20;  // the ABI's scratch buffer holds at most 1 MiB
  std::size_t max_depth = 16;
  std::size_t max_values = 20000;    // bounds the tree's memory (about 100 bytes per value)
};

// Parses exactly one JSON value (surrounding whitespace allowed). On failure returns false and
// sets `error` to "JSON offset N: <what>"; `out` is then unspecified.
bool parse(std::string_view text, Value& out, std::string& error, const ReaderLimits& limits = {});

}  // namespace edgescope::json
