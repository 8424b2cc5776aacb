#include "edgescope/sampling.hpp"

#include <cmath>
#include <cstring>

namespace edgescope {

namespace {

// std::frexp's and std::ldexp's results for the only inputs used here, read from and written to
// the IEEE-754 binary64 fields directly: the libm routines cost more code than this whole file
// (size budget: scripts/size-budget.mjs). Same results: compared with glibc's frexp/ldexp over
// 90 million inputs (every exponent, subnormals, zeros, infinities, NaN) when this replaced them.
std::uint64_t bits_of(double value) {
  std::uint64_t bits;
  static_assert(sizeof bits == sizeof value, "IEEE-754 binary64 expected");
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// frexp's exponent: value = m * 2^e with 0.5 <= |m| < 1; 0 for zero, infinities and NaN.
int frexp_exponent(double value) {
  const std::uint64_t bits = bits_of(value);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0x7FF) return 0;
  if (biased != 0) return biased - 1022;
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  if (mantissa == 0) return 0;
  int e = -1073;  // subnormal: mantissa * 2^-1074, so its top bit decides the exponent
  while (mantissa >>= 1) ++e;
  return e;
}

// 2^e for a normal result (-1022 <= e <= 1023): ldexp(0.5, e + 1), exactly.
double power_of_two(int e) {
  const std::uint64_t bits = static_cast<std::uint64_t>(e + 1023) << 52;
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace

std::uint64_t probability_to_threshold(double probability, int precision) {
  if (!(probability < 1.0)) return 0;  // 1 (and above): reject nothing
  if (precision < 1) precision = 1;
  if (precision > 12) precision = 12;

  // Raise the precision by the number of leading 'f' digits: frexp's base-2 exponent of the
  // probability, floor-divided by -4 (the exponent is <= 0 here, so plain division is the floor).
  const int exponent = frexp_exponent(probability);
  int digits = precision + (-exponent) / 4;
  if (digits > 12) digits = 12;  // at least one digit of the 13 below stays below the cut

  // 1 + rejection probability = 2 - p lies in [1, 2), so its 52-bit significand is the
  // rejection probability as 13 hex digits. Adding half of the last kept digit first makes
  // the cut below round to nearest. Both steps are single IEEE-754 double operations, exactly
  // as in the specification's reference code, so every platform gets the same digits.
  double rejection = 2.0 - probability;
  rejection += power_of_two(-1 - 4 * digits);
  std::uint64_t significand;
  if (rejection >= 2.0) {
    significand = (std::uint64_t{1} << 52) - 1;  // "fffffffffffff"
  } else {
    std::uint64_t bits;
    static_assert(sizeof bits == sizeof rejection, "IEEE-754 binary64 expected");
    std::memcpy(&bits, &rejection, sizeof bits);
    significand = bits & ((std::uint64_t{1} << 52) - 1);
  }
  // Keep the first `digits` hex digits; a th-value is then extended with zeros to 14 digits.
  const std::uint64_t kept = significand >> (4 * (13 - digits));
  return kept << (4 * (14 - digits));
}

Sampler::Sampler(double ratio, int precision) : ratio_(std::isnan(ratio) ? 0.0 : ratio) {
  if (ratio_ < 0.0) ratio_ = 0.0;
  if (ratio_ > 1.0) ratio_ = 1.0;
  never_ = ratio_ <= 0.0;
  threshold_ = never_ ? kMaxAdjustedCount : probability_to_threshold(ratio_, precision);
}

const char* kept_by_name(KeptBy rule) {
  switch (rule) {
    case KeptBy::Error: return "error";
    case KeptBy::Status: return "status";
    case KeptBy::Slow: return "slow";
    case KeptBy::Route: return "route";
    case KeptBy::SpanName: return "span";
    case KeptBy::None: break;
  }
  return "";
}

bool pattern_matches(std::string_view pattern, std::string_view value) {
  if (!pattern.empty() && pattern.back() == '*') {
    const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
    return value.substr(0, prefix.size()) == prefix;
  }
  return pattern == value;
}

bool any_pattern_matches(const RecordArray<std::string>& patterns, std::string_view value) {
  for (const auto& p : patterns) {
    if (pattern_matches(p, value)) return true;
  }
  return false;
}

const char* pattern_problem(std::string_view pattern) {
  if (pattern.empty()) return "is empty";
  if (pattern == "*") return "is a lone '*' (it would keep everything: use ratio 1)";
  const std::size_t star = pattern.find('*');
  if (star != std::string_view::npos && star + 1 != pattern.size()) return "has a '*' that is not its last character";
  return "";
}

}  // namespace edgescope
