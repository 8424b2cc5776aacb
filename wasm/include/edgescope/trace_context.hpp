// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
// headers. A malformed header is rejected as a whole (section 3.2.2: "the vendor MUST ... start
// a new trace"), never partly used and never a crash.
#pragma once
#include <cstddef>
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

// tracestate (section 3.3), validated as the W3C trace-context test suite (test/test.py) expects:
// a malformed member, a repeated key or more than 32 members discard the whole header (the
// suite's test_tracestate_duplicated_keys and test_tracestate_member_count_limit expect nothing
// of it to be propagated). A valid list is normalised (members joined by ",", optional whitespace
// and empty members dropped, leading spaces of a value kept) and, when it is longer than 512
// characters, shortened by removing whole members only (section 3.3.1.5, "tracestate limits").
enum class TracestateStatus : std::uint8_t {
  Ok = 0,          // valid (possibly empty); `value` is the normalised list
  TooLong,         // the combined header exceeds kMaxTracestateHeaderBytes: not parsed at all
  InvalidMember,   // a member is not key=value by the grammar of section 3.3.1.3
  DuplicateKey,    // a key appears twice
  TooManyMembers,  // more than 32 members
};

// The largest combined header the core parses. A valid list of 32 members of at most 513
// characters each (256-character key, "=", 256-character value) plus separators and some
// optional whitespace fits; anything longer is refused whole, never cut: a cut in the middle
// of a member can leave a shorter member that looks valid and would be forwarded.
constexpr std::size_t kMaxTracestateHeaderBytes = 8192;
// Section 3.3.1.5: vendors SHOULD propagate at least 512 characters; we propagate at most that.
constexpr std::size_t kMaxTracestateLength = 512;
constexpr std::size_t kMaxTracestateMembers = 32;
// Members longer than this are the first to go when the list must be shortened (3.3.1.5).
constexpr std::size_t kLongTracestateMember = 128;

struct TracestateResult {
  TracestateStatus status = TracestateStatus::Ok;
  std::string value;                 // normalised list; empty unless status is Ok
  std::size_t members_removed = 0;   // whole members removed to fit kMaxTracestateLength
};

TracestateResult parse_tracestate(std::string_view header);
const char* tracestate_status_name(TracestateStatus status);

// parse_tracestate(header).value: the normalised list, or "" when the header is discarded.
std::string normalize_tracestate(std::string_view header);

// "00-<trace-id>-<parent-id>-<flags>": we always emit version 00 (section 3.2.4).
std::string format_traceparent(const TraceId& trace_id, SpanId span_id, std::uint8_t flags);

}  // namespace edgescope
