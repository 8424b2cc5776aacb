// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
// headers. A malformed header is rejected as a whole (section 3.2.2: "the vendor MUST ... start
// a new trace"), never partly used and never a crash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edgescope/ids.hpp"

namespace edgescope {

struct TraceContext {
  TraceId trace_id;
  SpanId span_id = 0;
  std::uint8_t flags = 0;  // bit 0: sampled
  std::string tracestate;  // validated and normalised, or empty
  bool sampled() const { return (flags & 0x01) != 0; }
};

// Parses a traceparent header; nullopt when it is malformed in any way.
std::optional<TraceContext> parse_traceparent(std::string_view header);

// Validates a tracestate header (section 3.3). Returns the normalised list (members joined by
// ","; empty members dropped), or an empty string when any member is malformed, a key repeats,
// or there are more than 32 members: the spec lets a vendor discard an invalid tracestate.
std::string normalize_tracestate(std::string_view header);

// "00-<trace-id>-<parent-id>-<flags>": we always emit version 00 (section 3.2.4).
std::string format_traceparent(const TraceId& trace_id, SpanId span_id, std::uint8_t flags);

}  // namespace edgescope
