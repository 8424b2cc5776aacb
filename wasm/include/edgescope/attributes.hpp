// Typed attributes shared by spans, span events, log records and resources: the OpenTelemetry
// attribute value types (specification, common/README.md "Attribute"): string, int64, double,
// bool, and a homogeneous array of one of those.
//
// Arrays. "The array MUST be homogeneous, i.e., it MUST NOT contain values of different types",
// and an empty array is a meaningful value ("MUST be stored and passed on"). Elements are scalars
// of one type (is_valid_array); the stage refuses anything else. An array carries at most
// kMaxArrayElements elements and, in all its strings together, at most max_attribute_value_bytes
// (limits.hpp, the bound of one string value): a longer one is cut like a long string, to a
// prefix, and counted once in Stats::values_truncated. Null elements are not represented: the spec
// says nulls "SHOULD NOT be allowed in arrays", and a host array holding one keeps its text form
// (js/core/attribute-values.js), which preserves it as the spec requires.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgescope/limits.hpp"
#include "edgescope/record_array.hpp"

namespace edgescope {

// Numbers shared with the ABI (es_stage_array's element type) and js/core/tables.js AttributeType.
enum class AttributeType : std::uint8_t { String = 0, Int = 1, Double = 2, Bool = 3, Array = 4 };

// At most this many elements in one array value (more are cut, counted in values_truncated).
constexpr std::size_t kMaxArrayElements = 128;
// A compact record (wire.hpp: one re-encoded because it did not fit a payload alone) shows an
// array's first kCompactArrayElements elements, each string cut to kCompactArrayElementBytes: no
// more text than one compact string value (payload_packer.hpp kCompactValueBytes, 256).
constexpr std::size_t kCompactArrayElements = 8;
constexpr std::size_t kCompactArrayElementBytes = 32;

struct AttributeValue {
  AttributeType type = AttributeType::String;
  std::string text;
  std::int64_t integer = 0;
  double number = 0.0;
  bool boolean = false;
  RecordArray<AttributeValue> elements;  // Array only

  static AttributeValue of_string(std::string value);
  static AttributeValue of_int(std::int64_t value);
  static AttributeValue of_double(double value);  // stored as given; the stage refuses NaN/Infinity
  static AttributeValue of_bool(bool value);
  // Stored as given; the stage checks is_valid_array, cleans the strings and applies the bounds.
  static AttributeValue of_array(RecordArray<AttributeValue> elements);
  // An Array whose elements are all scalars (not arrays) of one type; an empty one is valid.
  bool is_valid_array() const;
  // Scalars as text; an array as its JSON text (the native encoding, json_writer.hpp), e.g. for a
  // metric series tag (telemetry.cpp).
  std::string to_text() const;
};

bool operator==(const AttributeValue& a, const AttributeValue& b);
inline bool operator!=(const AttributeValue& a, const AttributeValue& b) { return !(a == b); }

struct Attribute {
  std::string key;
  AttributeValue value;
};

using Attributes = RecordArray<Attribute>;

// Brings a host string into the core: invalid UTF-8 repaired, then cut to `max_bytes` on a code
// point boundary. Both are counted.
std::string sanitize_text(std::string_view raw, std::size_t max_bytes, Stats& stats);

}  // namespace edgescope
