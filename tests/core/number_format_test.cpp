#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "edgescope/json_writer.hpp"
#include "edgescope/number_format.hpp"

using namespace edgescope;

namespace {

std::string text_of(double v) {
  std::string out;
  append_double(out, v);
  return out;
}

double from_bits(std::uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::uint64_t bits_of(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

// RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
bool is_json_number(const std::string& s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

}  // namespace

TEST_CASE("doubles are written in their shortest JSON form, laid out as printf's %g") {
  const double kMin = std::numeric_limits<double>::denorm_min();
  const struct {
    double value;
    const char* text;
  } cases[] = {
      {0.0, "0"},
      {-0.0, "-0"},
      {1.0, "1"},
      {-42.0, "-42"},
      {999999999999999.0, "999999999999999"},
      {1e15, "1e+15"},
      {1e16, "1e+16"},
      {1234567890123456.0, "1234567890123456"},
      {9007199254740992.0, "9007199254740992"},  // 2^53
      {9007199254740994.0, "9007199254740994"},
      {123456789012345.6, "123456789012345.6"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {1e23, "1e+23"},
      {1e100, "1e+100"},
      {0.1, "0.1"},
      {0.3, "0.3"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {-1.5, "-1.5"},
      {0.004, "0.004"},
      {4.35, "4.35"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1e-5, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {1700000000123.5, "1700000000123.5"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.7976931348623157e308, "-1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},  // smallest normal
      {kMin, "5e-324"},                                       // smallest subnormal
      {3 * kMin, "1.5e-323"},
      {2.225073858507201e-308, "2.225073858507201e-308"},  // largest subnormal
      {std::numeric_limits<double>::quiet_NaN(), "0"},     // JSON has no literal: never reached
      {std::numeric_limits<double>::infinity(), "0"},
      {-std::numeric_limits<double>::infinity(), "0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(text_of(c.value) == c.text);
  }
}

TEST_CASE("shortest digits are the nearest of the fewest that lie in the rounding interval") {
  const ShortestDecimal a = shortest_decimal(5e-324);
  CHECK(std::string(a.digits, static_cast<std::size_t>(a.count)) == "5");
  CHECK(a.exponent == -323);
  const ShortestDecimal b = shortest_decimal(0.30000000000000004);
  CHECK(std::string(b.digits, static_cast<std::size_t>(b.count)) == "30000000000000004");
  CHECK(b.exponent == 0);
  const ShortestDecimal c = shortest_decimal(1e23);  // 99999999999999991611392 exactly
  CHECK(std::string(c.digits, static_cast<std::size_t>(c.count)) == "1");
  CHECK(c.exponent == 24);
}

#ifndef __EMSCRIPTEN__
// What the encoders wrote before (C's printf at precision 15, then 16, then 17, until the C
// library's strtod read it back): every normal double must keep exactly these bytes.
std::string printf_text(double v) {
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (precision == 17 || std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool is_power_of_two(double v) { return (bits_of(v) & ((std::uint64_t{1} << 52) - 1)) == 0; }

// Round-trips through the host's strtod and is JSON. Normal doubles keep the printf text, except
// powers of two: their rounding interval is narrower below, so printf's nearest 16 digits can
// miss it while 16 digits just above do not; those, like subnormals, now take the shorter form.
// Where the text differs from printf's, it is no longer and no decimal with one digit less (the
// nearest, from printf's correctly rounded %e) reads back: it is the shortest.
// Returns why `v` fails, or "" (plain checks: doctest assertions per value would dominate).
std::string round_trip_failure(double v, const std::string& text, const std::string& reference) {
  const auto about = [&] { return "value " + reference + ": wrote " + text; };
  if (!is_json_number(text)) return about() + ", not a JSON number";
  if (bits_of(std::strtod(text.c_str(), nullptr)) != bits_of(v)) return about() + ", which reads back differently";
  if (text == reference) return "";
  const bool normal = std::fabs(v) >= std::numeric_limits<double>::min();
  if (normal && !is_power_of_two(v)) return about() + ", printf wrote " + reference;
  if (text.size() > reference.size()) return about() + ", longer than printf's";
  const ShortestDecimal d = shortest_decimal(std::fabs(v));
  if (d.count > 1) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*e", d.count - 2, v);
    if (bits_of(std::strtod(shorter, nullptr)) == bits_of(v)) return about() + ", but " + shorter + " reads back too";
  }
  return "";
}

struct RoundTrips {
  std::size_t checked = 0;
  std::size_t changed = 0;  // text differs from printf's (subnormals, powers of two)
  std::string first_failure;
  void operator()(double v) {
    if (!std::isfinite(v)) return;
    ++checked;
    const std::string text = text_of(v);
    const std::string reference = printf_text(v);
    if (text != reference) ++changed;
    if (first_failure.empty()) first_failure = round_trip_failure(v, text, reference);
  }
};

// Values per random subcase: 250000 by default (the suite runs under ASan); set
// EDGESCOPE_ROUND_TRIPS for a longer run (the module's change was checked with 5000000).
int random_count() {
  const char* env = std::getenv("EDGESCOPE_ROUND_TRIPS");
  const long n = env ? std::strtol(env, nullptr, 10) : 0;
  return n > 0 ? static_cast<int>(n) : 250000;
}

TEST_CASE("every double reads back exactly and keeps the bytes printf gave it") {
  const int count = random_count();
  RoundTrips check_round_trip;
  std::uint64_t x = 0x2545F4914F6CDD1DULL;
  const auto next = [&] {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    return x * 0x2545F4914F6CDD1DULL;
  };
  SUBCASE("random bit patterns: every exponent, subnormals included") {
    for (int i = 0; i < count; ++i) {
      const double v = from_bits(next());
      if (!std::isfinite(v)) continue;
      check_round_trip(v);
    }
  }
  SUBCASE("random subnormals") {
    for (int i = 0; i < count / 5; ++i) check_round_trip(from_bits(next() & ((std::uint64_t{1} << 52) - 1)));
  }
  SUBCASE("values telemetry carries: times, durations, seconds, sums") {
    for (int i = 0; i < count; ++i) {
      const std::uint64_t r = next();
      const double unit = static_cast<double>(r >> 11) / 9007199254740992.0;  // [0, 1)
      switch (r & 3) {
        case 0: check_round_trip(1.7e12 + unit * 1e11); break;           // Date.now() with a fraction
        case 1: check_round_trip(unit * 10); break;                       // seconds
        case 2: check_round_trip(std::floor(unit * 9007199254740992.0)); break;  // integers up to 2^53
        default: check_round_trip((unit - 0.5) * std::pow(10.0, static_cast<int>(r >> 3 & 63) - 31)); break;
      }
    }
  }
  SUBCASE("powers of two and of ten, and their neighbours") {
    for (int e = -1074; e <= 1023; ++e) {
      const double p = std::ldexp(1.0, e);
      check_round_trip(p);
      check_round_trip(std::nextafter(p, 0.0));
      check_round_trip(-std::nextafter(p, HUGE_VAL));
    }
    for (int e = -323; e <= 308; ++e) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "1e%d", e);
      const double p = std::strtod(buf, nullptr);
      check_round_trip(p);
      check_round_trip(std::nextafter(p, 0.0));
      check_round_trip(std::nextafter(p, HUGE_VAL));
    }
    check_round_trip(std::numeric_limits<double>::max());
    check_round_trip(std::numeric_limits<double>::denorm_min());
  }
  MESSAGE(check_round_trip.changed, " of ", check_round_trip.checked, " differ from printf's text");
  CHECK(check_round_trip.first_failure == "");
  CHECK(check_round_trip.checked > 0);
}
#endif
