// The few JSON primitives the encoders need, appending to a std::string. Inputs are already valid
// UTF-8 (sanitize_text ran at the boundary), so escaping is all that is left (RFC 8259 section 7).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace edgescope {

void append_json_string(std::string& out, std::string_view text);
void append_json_uint(std::string& out, std::uint64_t value);
void append_json_int(std::string& out, std::int64_t value);
// Milliseconds since the epoch as a quoted decimal count of nanoseconds (OTLP fixed64 in JSON).
void append_json_unix_nanos(std::string& out, double time_ms);

}  // namespace edgescope
