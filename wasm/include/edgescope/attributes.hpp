// Typed attributes shared by spans, span events, log records and resources (the OpenTelemetry
// AnyValue subset that Workers code actually produces: string, int, double, bool).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/limits.hpp"

namespace edgescope {

enum class AttributeType : std::uint8_t { String = 0, Int = 1, Double = 2, Bool = 3 };

struct AttributeValue {
  AttributeType type = AttributeType::String;
  std::string text;
  std::int64_t integer = 0;
  double number = 0.0;
  bool boolean = false;

  static AttributeValue of_string(std::string value);
  static AttributeValue of_int(std::int64_t value);
  static AttributeValue of_double(double value);  // stored as given; the stage refuses NaN/Infinity
  static AttributeValue of_bool(bool value);
  std::string to_text() const;
};

bool operator==(const AttributeValue& a, const AttributeValue& b);
inline bool operator!=(const AttributeValue& a, const AttributeValue& b) { return !(a == b); }

struct Attribute {
  std::string key;
  AttributeValue value;
};

using Attributes = std::vector<Attribute>;

// Brings a host string into the core: invalid UTF-8 repaired, then cut to `max_bytes` on a code
// point boundary. Both are counted.
std::string sanitize_text(std::string_view raw, std::size_t max_bytes, Stats& stats);

}  // namespace edgescope
