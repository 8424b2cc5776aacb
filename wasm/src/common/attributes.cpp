#include "edgescope/attributes.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "edgescope/utf8.hpp"

namespace edgescope {

AttributeValue AttributeValue::of_string(std::string value) {
  AttributeValue v;
  v.type = AttributeType::String;
  v.text = std::move(value);
  return v;
}

AttributeValue AttributeValue::of_int(std::int64_t value) {
  AttributeValue v;
  v.type = AttributeType::Int;
  v.integer = value;
  return v;
}

AttributeValue AttributeValue::of_double(double value) {
  if (std::isnan(value)) return of_string("NaN");
  if (std::isinf(value)) return of_string(value > 0 ? "Infinity" : "-Infinity");
  AttributeValue v;
  v.type = AttributeType::Double;
  v.number = value;
  return v;
}

AttributeValue AttributeValue::of_bool(bool value) {
  AttributeValue v;
  v.type = AttributeType::Bool;
  v.boolean = value;
  return v;
}

std::string AttributeValue::to_text() const {
  switch (type) {
    case AttributeType::String: return text;
    case AttributeType::Int: return std::to_string(integer);
    case AttributeType::Double: {
      std::string out;
      append_double(out, number);
      return out;
    }
    case AttributeType::Bool: return boolean ? "true" : "false";
  }
  return {};
}

void set_attribute(Attributes& attributes, Attribute attribute, std::size_t max_attributes, Stats& stats) {
  for (auto& existing : attributes) {
    if (existing.key == attribute.key) {
      existing.value = std::move(attribute.value);
      return;
    }
  }
  if (attributes.size() >= max_attributes) {
    ++stats.attributes_dropped;
    return;
  }
  attributes.push_back(std::move(attribute));
}

std::string sanitize_text(std::string_view raw, std::size_t max_bytes, Stats& stats) {
  std::string repaired;
  if (repair_utf8(raw, repaired)) ++stats.strings_repaired;
  if (repaired.size() > max_bytes) {
    ++stats.values_truncated;
    repaired.resize(truncate_utf8(repaired, max_bytes).size());
  }
  return repaired;
}

void append_double(std::string& out, double value) {
  if (!std::isfinite(value)) {  // never reached for sanitised values; keeps JSON valid anyway
    out.append("0");
    return;
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.0f", value);
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    const int n = std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (precision == 17 || std::strtod(buf, nullptr) == value) {
      out.append(buf, static_cast<std::size_t>(n));
      return;
    }
  }
}

}  // namespace edgescope
