// The pieces every OTLP protobuf message shares (common.proto AnyValue, KeyValue; ids; times),
// written as otlp_json_encoder.cpp writes their JSON twins, value for value.
#pragma once
#include <cstdint>
#include <string_view>

#include "edgescope/attributes.hpp"
#include "edgescope/ids.hpp"
#include "edgescope/proto_writer.hpp"

namespace edgescope {
namespace otlp_proto {

// fixed64 nanoseconds since the epoch, exact to the microsecond (json_writer.hpp unix_micros_from_ms).
std::uint64_t unix_nanos(double time_ms);
// trace_id / span_id: bytes in the order their hex digits are written (W3C Trace Context).
void trace_id_field(proto::ProtoSink& s, std::uint32_t field, const TraceId& id);
void span_id_field(proto::ProtoSink& s, std::uint32_t field, SpanId id);
// One KeyValue { key = 1, value = 2 } as field `field` of the enclosing message; compact values
// are cut as in a compact JSON record (attributes.hpp, payload_packer.hpp).
void key_value(proto::ProtoSink& s, std::uint32_t field, std::string_view key, const AttributeValue& value,
               bool compact);
// Every attribute as field `field`; in compact mode the first kCompactMaxAttributes and then
// edgescope.truncated = true. Returns how many were left out (they join dropped_attributes_count).
std::uint32_t key_values(proto::ProtoSink& s, std::uint32_t field, const Attributes& attributes, bool compact);
// sint32 as its ZigZag varint (protobuf.dev, "Encoding": "Signed Integers").
inline std::uint64_t zigzag(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(-(static_cast<std::uint32_t>(v) >> 31));
}
// uint32 counts saturate rather than wrap.
inline std::uint32_t clamp32(std::uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(v); }

}  // namespace otlp_proto
}  // namespace edgescope
