// The few JSON primitives the encoders need, appending to a std::string. Inputs are already valid
// UTF-8 (sanitize_text ran at the boundary), so escaping is all that is left (RFC 8259 section 7).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgescope {

void append_json_string(std::string& out, std::string_view text);
// Shortest decimal that round-trips, as JSON accepts it (finite values only).
void append_double(std::string& out, double value);
void append_json_uint(std::string& out, std::uint64_t value);
void append_json_int(std::string& out, std::int64_t value);
// [a,b,...] of doubles; of unsigned integers, quoted when `as_strings` (OTLP's uint64 in JSON).
void append_json_doubles(std::string& out, const std::vector<double>& values);
void append_json_uints(std::string& out, const std::vector<std::uint64_t>& values, bool as_strings);
// Milliseconds since the epoch as a quoted decimal count of nanoseconds (OTLP fixed64 in JSON).
void append_json_unix_nanos(std::string& out, double time_ms);

}  // namespace edgescope
