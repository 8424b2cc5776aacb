#include "otlp_proto_values.hpp"

#include "edgescope/json_writer.hpp"
#include "edgescope/payload_packer.hpp"
#include "edgescope/utf8.hpp"

namespace edgescope {
namespace otlp_proto {

using proto::ProtoSink;

std::uint64_t unix_nanos(double time_ms) { return unix_micros_from_ms(time_ms) * 1000; }

namespace {

constexpr std::size_t kWhole = static_cast<std::size_t>(-1);

void put_be(char* buf, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) buf[i] = static_cast<char>(static_cast<std::uint8_t>(v));
}

// AnyValue's oneof member (common.proto): present even when zero or empty.
void scalar_value(ProtoSink& s, const AttributeValue& v, std::size_t max_text) {
  switch (v.type) {
    case AttributeType::String: s.string_present(1, truncate_utf8(v.text, max_text)); break;
    case AttributeType::Bool: s.uint_present(2, v.boolean ? 1 : 0); break;
    case AttributeType::Int: s.int_present(3, v.integer); break;
    case AttributeType::Double: s.double_present(4, v.number); break;
    case AttributeType::Array: s.string_present(1, ""); break;  // never an element (attributes.hpp)
  }
}

// AnyValue; an array is ArrayValue (5) { repeated AnyValue values = 1 }, compact as in JSON.
void any_value(ProtoSink& s, const AttributeValue& v, bool compact) {
  if (v.type != AttributeType::Array) {
    scalar_value(s, v, compact ? kCompactValueBytes : kWhole);
    return;
  }
  s.begin(5);
  const std::size_t n = compact && v.elements.size() > kCompactArrayElements ? kCompactArrayElements : v.elements.size();
  for (std::size_t i = 0; i < n; ++i) {
    s.begin(1);
    scalar_value(s, v.elements[i], compact ? kCompactArrayElementBytes : kWhole);
    s.end();
  }
  s.end();
}

}  // namespace

void trace_id_field(ProtoSink& s, std::uint32_t field, const TraceId& id) {
  char buf[16];
  put_be(buf, id.high);
  put_be(buf + 8, id.low);
  s.string_present(field, std::string_view(buf, 16));
}

void span_id_field(ProtoSink& s, std::uint32_t field, SpanId id) {
  char buf[8];
  put_be(buf, id);
  s.string_present(field, std::string_view(buf, 8));
}

void key_value(ProtoSink& s, std::uint32_t field, std::string_view key, const AttributeValue& value, bool compact) {
  s.begin(field);
  s.string(1, key);
  s.begin(2);
  any_value(s, value, compact);
  s.end();
  s.end();
}

// The same selection as otlp_json_encoder.cpp append_key_values.
std::uint32_t key_values(ProtoSink& s, std::uint32_t field, const Attributes& attributes, bool compact) {
  std::size_t written = 0;
  for (const auto& a : attributes) {
    if (compact && (written == kCompactMaxAttributes || a.key == kTruncatedKey)) continue;
    ++written;
    key_value(s, field, a.key, a.value, compact);
  }
  if (compact) {
    s.begin(field);
    s.string(1, kTruncatedKey);
    s.begin(2);
    s.uint_present(2, 1);  // bool_value true
    s.end();
    s.end();
  }
  return static_cast<std::uint32_t>(attributes.size() - written);
}

}  // namespace otlp_proto
}  // namespace edgescope
