// A finished (or recording) span: the OpenTelemetry span model, with times in milliseconds since
// the Unix epoch as the host's clock gives them.
#pragma once
#include <cstdint>
#include <string>

#include "edgescope/attributes.hpp"
#include "edgescope/ids.hpp"
#include "edgescope/record_array.hpp"

namespace edgescope {

// Numbering follows OTLP's Span.SpanKind so encoders can write it through.
enum class SpanKind : std::uint8_t { Internal = 1, Server = 2, Client = 3, Producer = 4, Consumer = 5 };
// Numbering follows OTLP's Status.StatusCode.
enum class StatusCode : std::uint8_t { Unset = 0, Ok = 1, Error = 2 };

struct SpanEvent {
  std::string name;
  double time_ms = 0;
  Attributes attributes;
  std::uint32_t dropped_attributes = 0;  // refused by Limits::max_attributes (OTLP droppedAttributesCount)
};

struct Span {
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;  // 0: a root span
  std::uint8_t flags = 0;
  std::string tracestate;
  std::string name;
  SpanKind kind = SpanKind::Internal;
  double start_ms = 0;
  double end_ms = 0;
  StatusCode status = StatusCode::Unset;
  std::string status_message;
  Attributes attributes;
  RecordArray<SpanEvent> events;
  std::uint32_t dropped_events = 0;
  std::uint32_t dropped_attributes = 0;  // refused by Limits::max_attributes (OTLP droppedAttributesCount)
};

bool is_valid_span_kind(int kind);
bool is_valid_status_code(int code);

}  // namespace edgescope
