#include "edgescope/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "edgescope/number_format.hpp"

namespace edgescope {

void JsonBuffer::flush() {
  target_.append(chunk_, static_cast<std::size_t>(cursor_ - chunk_));
  cursor_ = chunk_;
}

void JsonBuffer::append_long(const char* data, std::size_t n) {
  flush();
  if (n >= kChunkBytes) {
    target_.append(data, n);
  } else {
    std::memcpy(cursor_, data, n);
    cursor_ += n;
  }
}

// Appends go by runs, never byte by byte: std::string::push_back is an out-of-line call under
// -Oz (libc++ declares its members extern templates), and was a quarter of encoding time.
void append_json_string(JsonBuffer& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const char* const data = text.data();
  const std::size_t size = text.size();
  std::size_t run = 0;  // start of the characters not yet appended; none of them needs escaping
  for (std::size_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(data + run, i - run);
    run = i + 1;
    char escape[6] = {'\\', static_cast<char>(c), 0, 0, 0, 0};
    std::size_t n = 2;
    switch (c) {
      case '"': case '\\': break;
      case '\n': escape[1] = 'n'; break;
      case '\r': escape[1] = 'r'; break;
      case '\t': escape[1] = 't'; break;
      default:  // other control characters: \u00XX (RFC 8259 section 7)
        escape[1] = 'u';
        escape[2] = '0';
        escape[3] = '0';
        escape[4] = kHex[c >> 4];
        escape[5] = kHex[c & 0xF];
        n = 6;
    }
    out.append(escape, n);
  }
  out.append(data + run, size - run);
  out.push_back('"');
}

namespace {

// Digits of `value` written backwards ending at `end`; returns where they start.
char* put_uint(char* end, std::uint64_t value) {
  do {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return end;
}

}  // namespace

void append_json_uint(JsonBuffer& out, std::uint64_t value) {
  char buf[20];
  char* const end = buf + sizeof buf;
  const char* const start = put_uint(end, value);
  out.append(start, static_cast<std::size_t>(end - start));
}

namespace {

void put_hex(char* at, std::uint64_t word) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, word >>= 4) at[i] = kHex[word & 0xF];
}

}  // namespace

void append_hex_id(JsonBuffer& out, const TraceId& id) {
  char buf[32];
  put_hex(buf, id.high);
  put_hex(buf + 16, id.low);
  out.append(buf, sizeof buf);
}

void append_hex_id(JsonBuffer& out, SpanId id) {
  char buf[16];
  put_hex(buf, id);
  out.append(buf, sizeof buf);
}

void append_json_int(JsonBuffer& out, std::int64_t value) {
  char buf[21];
  char* const end = buf + sizeof buf;
  // The magnitude in uint64: -INT64_MIN does not fit an int64.
  const std::uint64_t magnitude = value < 0 ? static_cast<std::uint64_t>(-(value + 1)) + 1 : static_cast<std::uint64_t>(value);
  char* start = put_uint(end, magnitude);
  if (value < 0) *--start = '-';
  out.append(start, static_cast<std::size_t>(end - start));
}

void append_double(JsonBuffer& out, double value) {
  char buf[kMaxNumberChars];
  out.append(buf, format_double(value, buf));
}

void append_json_doubles(JsonBuffer& out, const GrowArray<double>& values) {
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_double(out, values[i]);
  }
  out.push_back(']');
}

void append_json_uints(JsonBuffer& out, const GrowArray<std::uint64_t>& values, bool as_strings) {
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    char buf[24];
    char* const end = buf + sizeof buf;
    char* start = end;
    if (as_strings) *--start = '"';
    start = put_uint(start, values[i]);
    if (as_strings) *--start = '"';
    if (i > 0) *--start = ',';
    out.append(start, static_cast<std::size_t>(end - start));
  }
  out.push_back(']');
}

std::uint64_t unix_micros_from_ms(double time_ms) {
  constexpr std::uint64_t kMaxMicros = UINT64_MAX / 1000;  // the last count whose x1000 fits
  constexpr double kPastMaxMs = static_cast<double>(kMaxMicros / 1000 + 1);  // exact: below 2^53
  if (!(time_ms > 0)) return 0;  // also NaN
  // Compared as a double first: converting an out-of-range double to an integer is undefined.
  if (time_ms >= kPastMaxMs) return kMaxMicros;
  // floor() and the subtraction are exact in binary floating point, so the whole milliseconds
  // survive untouched and only the fraction (in [0, 1)) is rounded.
  const double whole = std::floor(time_ms);
  const double fraction = time_ms - whole;
  // The fraction is f x 2^-shift exactly (f its 53-bit significand); f x 1000 fits in 64 bits,
  // so the exact product is rounded in integers, half up (no fma: WebAssembly has none, and
  // the C library's pulls in frexp and scalbn).
  std::uint64_t micros = 0;
  if (fraction > 0) {
    std::uint64_t bits;
    std::memcpy(&bits, &fraction, sizeof bits);
    const int biased = static_cast<int>(bits >> 52);  // positive; a subnormal gives shift >= 64
    const std::uint64_t f = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
    const int shift = 1075 - biased;  // >= 53, since the fraction is below 1
    if (shift < 64) micros = (f * 1000 + (std::uint64_t{1} << (shift - 1))) >> shift;
    // shift >= 64: the product is below 2^63 / 2^64, under half a microsecond.
  }
  const std::uint64_t total = static_cast<std::uint64_t>(whole) * 1000 + micros;
  return total < kMaxMicros ? total : kMaxMicros;
}

void append_json_unix_nanos(JsonBuffer& out, double time_ms) {
  char buf[24];
  char* const end = buf + sizeof buf;
  char* start = end;
  *--start = '"';
  start = put_uint(start, unix_micros_from_ms(time_ms) * 1000);
  *--start = '"';
  out.append(start, static_cast<std::size_t>(end - start));
}

// Straight onto a std::string: numbers and ids are formatted on the stack and appended once;
// strings and arrays go through a JsonBuffer.
void append_json_string(std::string& out, std::string_view text) {
  JsonBuffer buffer(out);
  append_json_string(buffer, text);
}
void append_double(std::string& out, double value) {
  char buf[kMaxNumberChars];
  out.append(buf, format_double(value, buf));
}
void append_json_uint(std::string& out, std::uint64_t value) {
  char buf[20];
  char* const end = buf + sizeof buf;
  const char* const start = put_uint(end, value);
  out.append(start, static_cast<std::size_t>(end - start));
}
void append_json_int(std::string& out, std::int64_t value) {
  JsonBuffer buffer(out);
  append_json_int(buffer, value);
}
std::string decimal_signed(std::int64_t value) {
  std::string out;
  append_json_int(out, value);
  return out;
}
std::string decimal_unsigned(std::uint64_t value) {
  std::string out;
  append_json_uint(out, value);
  return out;
}
void append_json_doubles(std::string& out, const GrowArray<double>& values) {
  JsonBuffer buffer(out);
  append_json_doubles(buffer, values);
}
void append_json_uints(std::string& out, const GrowArray<std::uint64_t>& values, bool as_strings) {
  JsonBuffer buffer(out);
  append_json_uints(buffer, values, as_strings);
}
void append_json_unix_nanos(std::string& out, double time_ms) {
  JsonBuffer buffer(out);
  append_json_unix_nanos(buffer, time_ms);
}

}  // namespace edgescope
