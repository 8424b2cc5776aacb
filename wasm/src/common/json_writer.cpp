#include "edgescope/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace edgescope {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

void append_json_uint(std::string& out, std::uint64_t value) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(buf[--n]);
}

void append_json_int(std::string& out, std::int64_t value) {
  if (value < 0) {
    out.push_back('-');
    append_json_uint(out, static_cast<std::uint64_t>(-(value + 1)) + 1);
  } else {
    append_json_uint(out, static_cast<std::uint64_t>(value));
  }
}

void append_double(std::string& out, double value) {
  if (!std::isfinite(value)) {  // never reached for sanitised values; keeps JSON valid anyway
    out.append("0");
    return;
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.0f", value);
    out.append(buf, static_cast<std::size_t>(n));
    return;
  }
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    const int n = std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (precision == 17 || std::strtod(buf, nullptr) == value) {
      out.append(buf, static_cast<std::size_t>(n));
      return;
    }
  }
}

void append_json_doubles(std::string& out, const std::vector<double>& values) {
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_double(out, values[i]);
  }
  out.push_back(']');
}

void append_json_uints(std::string& out, const std::vector<std::uint64_t>& values, bool as_strings) {
  out.push_back('[');
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (as_strings) out.push_back('"');
    append_json_uint(out, values[i]);
    if (as_strings) out.push_back('"');
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
  const double scaled = fraction * 1000.0;  // the nearest double to the exact product
  double micros = std::floor(scaled);
  const double rest = scaled - micros;  // exact
  // Round half up, on the exact product: when the rounded product sits exactly on .5, fma gives
  // the exact residual of the multiplication, which says on which side the true value lies.
  if (rest > 0.5 || (rest == 0.5 && std::fma(fraction, 1000.0, -scaled) >= 0)) micros += 1;
  const std::uint64_t total = static_cast<std::uint64_t>(whole) * 1000 + static_cast<std::uint64_t>(micros);
  return total < kMaxMicros ? total : kMaxMicros;
}

void append_json_unix_nanos(std::string& out, double time_ms) {
  out.push_back('"');
  append_json_uint(out, unix_micros_from_ms(time_ms) * 1000);
  out.push_back('"');
}

}  // namespace edgescope
