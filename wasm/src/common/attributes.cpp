#include "edgescope/attributes.hpp"

#include "edgescope/json_writer.hpp"
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

AttributeValue AttributeValue::of_array(RecordArray<AttributeValue> values) {
  AttributeValue v;
  v.type = AttributeType::Array;
  v.elements = std::move(values);
  return v;
}

bool AttributeValue::is_valid_array() const {
  if (type != AttributeType::Array) return false;
  for (const auto& e : elements) {
    if (e.type == AttributeType::Array || e.type != elements.front().type) return false;
  }
  return true;
}

namespace {

void append_json_element(std::string& out, const AttributeValue& v) {
  switch (v.type) {
    case AttributeType::String: append_json_string(out, v.text); return;
    case AttributeType::Int: append_json_int(out, v.integer); return;
    case AttributeType::Double: append_double(out, v.number); return;
    case AttributeType::Bool: out.append(v.boolean ? "true" : "false"); return;
    case AttributeType::Array: out.append("null"); return;  // never stored: not a valid array
  }
}

}  // namespace

std::string AttributeValue::to_text() const {
  switch (type) {
    case AttributeType::String: return text;
    case AttributeType::Int: return edgescope::decimal(integer);
    case AttributeType::Double: {
      std::string out;
      append_double(out, number);
      return out;
    }
    case AttributeType::Bool: return boolean ? "true" : "false";
    case AttributeType::Array: {
      std::string out = "[";
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out.push_back(',');
        append_json_element(out, elements[i]);
      }
      out.push_back(']');
      return out;
    }
  }
  return {};
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case AttributeType::String: return a.text == b.text;
    case AttributeType::Int: return a.integer == b.integer;
    case AttributeType::Double: return a.number == b.number;
    case AttributeType::Bool: return a.boolean == b.boolean;
    case AttributeType::Array: return a.elements == b.elements;
  }
  return false;
}

std::string sanitize_text(std::string_view raw, std::size_t max_bytes, Stats& stats) {
  // Only the prefix that can survive the cut is repaired: repair never shortens text (a maximal
  // ill-formed subpart of 1 to 3 bytes becomes the 3 bytes of U+FFFD), so the first max_bytes of
  // output come from at most max_bytes of input, and a sequence cut short at the end of the
  // prefix is repaired past the cut. A host string of megabytes costs only what is kept.
  const std::size_t keep = max_bytes + 4;
  const bool cut = raw.size() > keep;
  std::string repaired;
  if (repair_utf8(cut ? raw.substr(0, keep) : raw, repaired)) ++stats.strings_repaired;
  if (cut || repaired.size() > max_bytes) {
    ++stats.values_truncated;
    repaired.resize(truncate_utf8(repaired, max_bytes).size());
  }
  return repaired;
}

}  // namespace edgescope
