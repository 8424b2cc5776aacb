#include "edgescope/accounting.hpp"

namespace edgescope {

std::size_t json_text_bytes(std::string_view text) {
  std::size_t n = 2;  // the quotes
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    // Mirrors append_json_string (json_writer.cpp): two-byte escapes for " \ \n \r \t, \u00XX for
    // the other control characters.
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') n += 2;
    else if (c < 0x20) n += 6;
    else n += 1;
  }
  return n;
}

std::size_t value_bytes(const AttributeValue& value) {
  switch (value.type) {
    case AttributeType::String: return json_text_bytes(value.text);
    case AttributeType::Array: {
      std::size_t n = kArrayValueBytes;
      for (const auto& e : value.elements) n += kArrayElementOverhead + value_bytes(e);
      return n;
    }
    default: return kNumberValueBytes;
  }
}

std::size_t attribute_bytes(const Attribute& attribute) {
  return kAttributeOverhead + json_text_bytes(attribute.key) + value_bytes(attribute.value);
}

PutResult put_attribute(Attributes& attributes, Attribute attribute, std::size_t bytes, std::size_t max_attributes,
                        RecordBytes& record, std::size_t record_cap, BytePool& pool) {
  for (auto& existing : attributes) {
    if (existing.key != attribute.key) continue;
    const std::size_t old_bytes = attribute_bytes(existing);
    if (bytes > old_bytes && !record.grow(bytes - old_bytes, record_cap, pool)) return PutResult::TooLarge;
    if (bytes < old_bytes) record.shrink(old_bytes - bytes, pool);
    existing.value = std::move(attribute.value);
    return PutResult::Stored;
  }
  if (attributes.size() >= max_attributes) return PutResult::TooMany;
  if (!record.grow(bytes, record_cap, pool)) return PutResult::TooLarge;
  attributes.push_back(std::move(attribute));
  return PutResult::Stored;
}

std::uint32_t count_refusal(PutResult result, Stats& stats) {
  switch (result) {
    case PutResult::Stored: return 0;
    case PutResult::TooMany: ++stats.attributes_dropped; return 1;
    case PutResult::TooLarge: ++stats.attributes_dropped_byte_budget; return 1;
  }
  return 0;
}

}  // namespace edgescope
