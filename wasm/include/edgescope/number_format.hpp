// Doubles as the shortest decimal that reads back to the same double, in JSON number grammar
// (RFC 8259 section 6), without printf or strtod: those pull the C library's long-double
// formatting and soft-float into the module, and are the slowest part of encoding.
//
// Digits: Burger and Dybvig, "Printing Floating-Point Numbers Quickly and Accurately" (PLDI 1996),
// the free-format algorithm on exact big integers. It yields the fewest significant digits whose
// decimal lies strictly inside the double's rounding interval (the boundaries too when the
// significand is even, since a correctly rounding reader breaks ties to even, IEEE 754 section
// 4.3.1), and among those the one nearest the double (exact ties: the even digit). Exact
// arithmetic needs no table, which keeps the module small; the integers stay small (a few
// words) for the magnitudes telemetry carries, up to 36 words at the ends of the range.
#pragma once
#include <cstddef>

namespace edgescope {

// A positive finite double as digits d1 d2 ... dn (no leading or trailing zero, n <= 17) and
// `exponent` such that the value is 0.d1d2...dn x 10^exponent.
struct ShortestDecimal {
  char digits[17];
  int count;
  int exponent;
};
ShortestDecimal shortest_decimal(double positive);

// The text append_double writes, in `out` (at least kMaxNumberChars bytes); returns its length.
// Integers below 1e15 in magnitude are written whole ("-0" for negative zero). Other values take
// the shortest digits, laid out like C's "%.Pg" with P = max(15, digit count): plain notation for
// decimal exponents -4 <= X < P, else d.ddde+XX / d.ddde-XX with at least two exponent digits.
// That is the text the encoders wrote before (printf with precision 15, 16, then 17 until strtod
// read it back), so every normal double keeps its bytes; subnormals now take their shortest form
// (5e-324 rather than 4.94065645841247e-324). Not finite: "0" (never reached for sanitised
// values, keeps JSON valid anyway).
constexpr std::size_t kMaxNumberChars = 32;
std::size_t format_double(double value, char* out);

}  // namespace edgescope
