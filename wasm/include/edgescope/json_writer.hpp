// The few JSON primitives the encoders need, appending to a std::string (through a JsonBuffer on
// the hot path). Inputs are already valid UTF-8 (sanitize_text ran at the boundary), so escaping
// is all that is left (RFC 8259 section 7).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/grow_array.hpp"
#include "edgescope/ids.hpp"

namespace edgescope {

// Appends to a std::string through a small buffer of its own, handed to the string a chunk at a
// time. Under -Oz libc++'s append and push_back are out-of-line calls several levels deep (its
// members are extern templates), which made them most of the module's encoding time; these
// members cost one call at most (forcing them inline made the module 9 KB larger for 6% less
// encoding time). The chunk avoids growing the string ahead of the writes, whose zero-filling
// cost a fifth of encoding time in the module. Everything is in the string once the buffer goes
// out of scope; nothing else may append to the string meanwhile.
class JsonBuffer {
 public:
  explicit JsonBuffer(std::string& target) : target_(target) {}
  ~JsonBuffer() { flush(); }
  JsonBuffer(const JsonBuffer&) = delete;
  JsonBuffer& operator=(const JsonBuffer&) = delete;

  std::size_t size() const { return target_.size() + static_cast<std::size_t>(cursor_ - chunk_); }
  void push_back(char c) {
    if (cursor_ == chunk_ + kChunkBytes) flush();
    *cursor_++ = c;
  }
  void append(const char* data, std::size_t n) {
    if (n > static_cast<std::size_t>(chunk_ + kChunkBytes - cursor_)) {
      append_long(data, n);
      return;
    }
    std::memcpy(cursor_, data, n);
    cursor_ += n;
  }
  // A literal's length is known at compile time (no strlen); other text goes as a string_view.
  template <std::size_t N>
  void append(const char (&literal)[N]) {
    append(literal, N - 1);
  }
  void append(std::string_view text) { append(text.data(), text.size()); }

 private:
  static constexpr std::size_t kChunkBytes = 512;
  void flush();
  void append_long(const char* data, std::size_t n);
  std::string& target_;
  char chunk_[kChunkBytes];
  char* cursor_ = chunk_;
};

void append_json_string(JsonBuffer& out, std::string_view text);
void append_double(JsonBuffer& out, double value);
void append_json_uint(JsonBuffer& out, std::uint64_t value);
void append_json_int(JsonBuffer& out, std::int64_t value);
void append_json_doubles(JsonBuffer& out, const GrowArray<double>& values);
void append_json_uints(JsonBuffer& out, const GrowArray<std::uint64_t>& values, bool as_strings);
void append_json_unix_nanos(JsonBuffer& out, double time_ms);
// Ids as lowercase hex (W3C Trace Context; OTLP JSON writes ids as hex, not base64): 32 digits for
// a trace id, 16 for a span id, in one append (ids.hpp's append_hex goes a digit at a time).
void append_hex_id(JsonBuffer& out, const TraceId& id);
void append_hex_id(JsonBuffer& out, SpanId id);

// The same, straight onto a std::string.
void append_json_string(std::string& out, std::string_view text);
// Shortest decimal that round-trips, as JSON accepts it (finite values only).
void append_double(std::string& out, double value);
void append_json_uint(std::string& out, std::uint64_t value);
void append_json_int(std::string& out, std::int64_t value);
// Decimal text of an integer, exactly as std::to_string writes it, from the digits above: one
// integer formatter in the module instead of libc++'s to_chars as well (size budget:
// scripts/size-budget.mjs). Out of line, so an error message costs a call, not the formatting.
std::string decimal_signed(std::int64_t value);
std::string decimal_unsigned(std::uint64_t value);
inline std::string decimal(int value) { return decimal_signed(value); }
inline std::string decimal(long value) { return decimal_signed(value); }
inline std::string decimal(long long value) { return decimal_signed(value); }
inline std::string decimal(unsigned value) { return decimal_unsigned(value); }
inline std::string decimal(unsigned long value) { return decimal_unsigned(value); }
inline std::string decimal(unsigned long long value) { return decimal_unsigned(value); }
// [a,b,...] of doubles; of unsigned integers, quoted when `as_strings` (OTLP's uint64 in JSON).
void append_json_doubles(std::string& out, const GrowArray<double>& values);
void append_json_uints(std::string& out, const GrowArray<std::uint64_t>& values, bool as_strings);
// Host times are milliseconds since the epoch in a double (Date.now(), possibly with a fraction).
// OTLP wants integer nanoseconds; multiplying the double by 1e6 would round to the double grid
// (1700000000123 ms would become 1700000000123000064 ns). Instead the whole milliseconds are taken
// exactly and only the fraction is rounded, to the nearest whole microsecond of the double's
// exact value, halves up (a double near 1.7e12 ms resolves about 0.24 us, so finer digits would
// be noise); the result is scaled in uint64. Zero, negative and NaN times give 0 (OTLP: "unknown
// or missing"); times past the uint64 nanosecond range (year 2554) and +Infinity saturate at its
// last whole microsecond.
std::uint64_t unix_micros_from_ms(double time_ms);
// The same instant as a quoted decimal count of nanoseconds (OTLP fixed64 in JSON).
void append_json_unix_nanos(std::string& out, double time_ms);

}  // namespace edgescope
