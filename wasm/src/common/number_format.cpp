#include "edgescope/number_format.hpp"

#include <cstdint>
#include <cstring>

namespace edgescope {
namespace {

// A non-negative integer of up to kLimbs 32-bit words, least significant first. The largest value
// the algorithm forms is below 2^1140 (r times 10 for the smallest subnormal), so 40 words suffice.
struct Big {
  static constexpr int kLimbs = 40;
  std::uint32_t limb[kLimbs];
  int size = 0;  // words in use; no leading zero word

  void set(std::uint64_t v) {
    size = 0;
    while (v != 0) {
      limb[size++] = static_cast<std::uint32_t>(v);
      v >>= 32;
    }
  }
  void mul(std::uint32_t factor) {
    std::uint64_t carry = 0;
    for (int i = 0; i < size; ++i) {
      const std::uint64_t product = std::uint64_t{limb[i]} * factor + carry;
      limb[i] = static_cast<std::uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) limb[size++] = static_cast<std::uint32_t>(carry);
  }
  void mul_pow10(int n) {
    for (; n >= 9; n -= 9) mul(1000000000u);
    static constexpr std::uint32_t kPow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (n > 0) mul(kPow10[n]);
  }
  void shl(int bits) {
    if (size == 0) return;
    const int words = bits / 32;
    const int rest = bits % 32;
    limb[size] = 0;
    if (rest != 0) {
      for (int i = size; i > 0; --i) limb[i] = (limb[i] << rest) | (limb[i - 1] >> (32 - rest));
      limb[0] <<= rest;
      ++size;
    }
    if (words != 0) {
      for (int i = size - 1; i >= 0; --i) limb[i + words] = limb[i];
      for (int i = 0; i < words; ++i) limb[i] = 0;
      size += words;
    }
    while (size > 0 && limb[size - 1] == 0) --size;
  }
  // this -= q * other; requires this >= q * other.
  void sub_multiple(const Big& other, std::uint32_t q) {
    std::uint64_t carry = 0;  // of q * other
    std::uint32_t borrow = 0;
    for (int i = 0; i < size; ++i) {
      carry += i < other.size ? std::uint64_t{other.limb[i]} * q : 0;
      const std::uint64_t take = (carry & 0xFFFFFFFFu) + borrow;
      carry >>= 32;
      borrow = limb[i] < take ? 1u : 0u;
      limb[i] = static_cast<std::uint32_t>(limb[i] - take);
    }
    while (size > 0 && limb[size - 1] == 0) --size;
  }
  // this -= other; requires this >= other.
  void sub(const Big& other) {
    std::uint32_t borrow = 0;
    for (int i = 0; i < size; ++i) {
      const std::uint64_t take = std::uint64_t{i < other.size ? other.limb[i] : 0u} + borrow;
      borrow = limb[i] < take ? 1u : 0u;
      limb[i] = static_cast<std::uint32_t>(limb[i] - take);
    }
    while (size > 0 && limb[size - 1] == 0) --size;
  }
};

int compare(const Big& a, const Big& b) {
  if (a.size != b.size) return a.size < b.size ? -1 : 1;
  for (int i = a.size - 1; i >= 0; --i) {
    if (a.limb[i] != b.limb[i]) return a.limb[i] < b.limb[i] ? -1 : 1;
  }
  return 0;
}

// Sign of (a + b) - c, without forming a + b.
int compare_sum(const Big& a, const Big& b, const Big& c) {
  Big sum;
  const int n = a.size > b.size ? a.size : b.size;
  std::uint64_t carry = 0;
  for (int i = 0; i < n; ++i) {
    carry += std::uint64_t{i < a.size ? a.limb[i] : 0u} + (i < b.size ? b.limb[i] : 0u);
    sum.limb[i] = static_cast<std::uint32_t>(carry);
    carry >>= 32;
  }
  sum.size = n;
  if (carry != 0) sum.limb[sum.size++] = static_cast<std::uint32_t>(carry);
  return compare(sum, c);
}

// floor(x * log10(2)) for |x| < 2^11: 1292913986 / 2^32 is within 2e-11 of log10(2), far closer
// than any x * log10(2) comes to an integer in that range (x != 0). The shift of a negative
// value rounds toward minus infinity on every compiler this builds with (C++20 makes it so).
int floor_log10_pow2(int x) {
  return static_cast<int>((static_cast<std::int64_t>(x) * 1292913986) >> 32);
}

// The fast path for values that are a short decimal, as most telemetry doubles are (0.005, 4.35,
// 123.456): finds the fewest fraction digits j for which some integer W below 10^15 gives
// W / 10^j == v, with W / 10^j computed in double arithmetic. Both operands are exact doubles
// (W < 2^53, 10^j for j <= 22), so IEEE division returns the double nearest the decimal
// W x 10^-j: exactly what a correct reader returns, so W x 10^-j reads back as v. With at most 15
// significant digits it is also the only such decimal of its length (v's rounding interval,
// at most 2^-52 of v wide, is narrower than the spacing of 15-digit decimals), hence the same
// digits as the exact algorithm. W is v x 10^j rounded: that product is within 0.2 of W (v is
// within 2^-53 of W x 10^-j relatively, 0.11 at most for W < 10^15, plus the product's own
// rounding, 2^-4 at most below 2^50), so other j are skipped without dividing.
bool short_decimal(double v, ShortestDecimal& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (!(v < 1e15)) return false;
  for (int j = 0; j <= 22; ++j) {
    const double w = v * kPow10[j];
    if (w >= 1e15) return false;
    const auto whole = static_cast<std::uint64_t>(w + 0.5);
    const double miss = w - static_cast<double>(whole);
    if (miss > 0.2 || miss < -0.2 || whole == 0) continue;
    if (static_cast<double>(whole) / kPow10[j] != v) continue;
    char reversed[16];
    int n = 0;
    for (std::uint64_t rest = whole; rest != 0; rest /= 10) reversed[n++] = static_cast<char>('0' + rest % 10);
    out.exponent = n - j;
    int skip = 0;  // trailing zeros (j == 0 only: a smaller j would have matched otherwise)
    while (reversed[skip] == '0') ++skip;
    out.count = 0;
    for (int i = n - 1; i >= skip; --i) out.digits[out.count++] = reversed[i];
    return true;
  }
  return false;
}

}  // namespace

ShortestDecimal shortest_decimal(double positive) {
  ShortestDecimal quick{};
  if (short_decimal(positive, quick)) return quick;
  std::uint64_t bits;
  std::memcpy(&bits, &positive, sizeof bits);
  const int biased = static_cast<int>(bits >> 52);  // the sign bit is 0
  std::uint64_t f = bits & ((std::uint64_t{1} << 52) - 1);
  int e = -1074;
  if (biased != 0) {
    f |= std::uint64_t{1} << 52;
    e = biased - 1075;
  }
  // v = f * 2^e. The rounding interval around v runs half-way to each neighbour: v +- 2^e / 2,
  // except below a power of two (f = 2^52, not the smallest exponent) where the neighbour below
  // is only 2^(e-1) away. Scaled by 2 (or 4) to stay in integers: v = r / s and the interval is
  // (r - m_minus) / s .. (r + m_plus) / s.
  const bool asymmetric = f == (std::uint64_t{1} << 52) && biased > 1;
  const bool even = (f & 1) == 0;  // the interval's ends belong to it (ties read back to even)
  Big r, s, m_plus, m_minus;
  if (e >= 0) {
    r.set(f);
    r.shl(e + (asymmetric ? 2 : 1));
    s.set(asymmetric ? 4 : 2);
    m_plus.set(1);
    m_plus.shl(e + (asymmetric ? 1 : 0));
    m_minus.set(1);
    m_minus.shl(e);
  } else {
    r.set(f);
    r.shl(asymmetric ? 2 : 1);
    s.set(1);
    s.shl(-e + (asymmetric ? 2 : 1));
    m_plus.set(asymmetric ? 2 : 1);
    m_minus.set(1);
  }
  // Scale by a first estimate of the decimal exponent: k' = ceil(log10(2^(e + bits - 1))), the
  // lowest power v can have; never above the true exponent, at most two below it.
  int bit_length = 0;
  while ((f >> bit_length) != 0) ++bit_length;
  const int low_power = e + bit_length - 1;
  int k = low_power == 0 ? 0 : floor_log10_pow2(low_power) + 1;
  if (k >= 0) {
    s.mul_pow10(k);
  } else {
    r.mul_pow10(-k);
    m_plus.mul_pow10(-k);
    m_minus.mul_pow10(-k);
  }
  // Fix-up: the interval's top must lie below 10^k (at or below when it is not included), so
  // that every digit generated is 0..9 and the first is not 0.
  while (even ? compare_sum(r, m_plus, s) >= 0 : compare_sum(r, m_plus, s) > 0) {
    s.mul(10);
    ++k;
  }
  // Scaling all four by one power of two changes no ratio; with s's top word at 2^31 or more, the
  // top words of r and s give each digit to within 2 (Knuth, TAOCP vol. 2, 4.3.1), so a digit
  // costs one multiply-subtract instead of up to nine subtractions.
  int spare = 0;
  while ((s.limb[s.size - 1] << spare & 0x80000000u) == 0) ++spare;
  s.shl(spare);
  r.shl(spare);
  m_plus.shl(spare);
  if (asymmetric) m_minus.shl(spare);
  // Outside the power-of-two case both gaps are equal: one integer serves as both.
  const Big& low_gap = asymmetric ? m_minus : m_plus;
  const int top = s.size - 1;
  ShortestDecimal out{};
  out.exponent = k;
  for (;;) {
    r.mul(10);
    m_plus.mul(10);
    if (asymmetric) m_minus.mul(10);
    // r < 10 s: at most one word of r lies above s.s top word, and it is below 10.
    const std::uint64_t r_top = (r.size > top + 1 ? std::uint64_t{r.limb[top + 1]} << 32 : 0) |
                                (r.size > top ? r.limb[top] : 0u);
    auto digit = static_cast<std::uint32_t>(r_top / (std::uint64_t{s.limb[top]} + 1));
    if (digit != 0) r.sub_multiple(s, digit);
    while (compare(r, s) >= 0) {
      r.sub(s);
      ++digit;
    }
    // low: the digits so far are inside the interval; high: so is the next decimal up.
    const int low_cmp = compare(r, low_gap);
    const int high_cmp = compare_sum(r, m_plus, s);
    const bool low = even ? low_cmp <= 0 : low_cmp < 0;
    const bool high = even ? high_cmp >= 0 : high_cmp > 0;
    if (!low && !high) {
      out.digits[out.count++] = static_cast<char>('0' + digit);
      continue;
    }
    if (low && high) {
      // Both round back: the nearer one; an exact tie goes to the even digit, as printf rounds.
      const int twice = compare_sum(r, r, s);
      if (twice > 0 || (twice == 0 && (digit & 1) != 0)) ++digit;
    } else if (high) {
      ++digit;
    }
    out.digits[out.count++] = static_cast<char>('0' + digit);
    return out;
  }
}

std::size_t format_double(double value, char* out) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits >> 52 & 0x7FF) == 0x7FF) {  // NaN or infinity: JSON has no literal for them
    out[0] = '0';
    return 1;
  }
  char* p = out;
  const bool negative = (bits >> 63) != 0;
  const double magnitude = negative ? -value : value;
  if (negative) *p++ = '-';
  if (magnitude < 1e15) {
    const auto whole = static_cast<std::uint64_t>(magnitude);  // in range: below 1e15
    if (static_cast<double>(whole) == magnitude) {
      char reversed[16];
      int n = 0;
      std::uint64_t rest = whole;
      do {
        reversed[n++] = static_cast<char>('0' + rest % 10);
        rest /= 10;
      } while (rest != 0);
      while (n > 0) *p++ = reversed[--n];
      return static_cast<std::size_t>(p - out);
    }
  }
  const ShortestDecimal d = shortest_decimal(magnitude);
  const int x = d.exponent - 1;  // value = d1.d2...dn x 10^x
  const int precision = d.count > 15 ? d.count : 15;
  if (x < -4 || x >= precision) {
    *p++ = d.digits[0];
    if (d.count > 1) {
      *p++ = '.';
      for (int i = 1; i < d.count; ++i) *p++ = d.digits[i];
    }
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    const int ax = x < 0 ? -x : x;
    if (ax >= 100) *p++ = static_cast<char>('0' + ax / 100);
    *p++ = static_cast<char>('0' + ax / 10 % 10);
    *p++ = static_cast<char>('0' + ax % 10);
  } else if (x < 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = -1; i > x; --i) *p++ = '0';
    for (int i = 0; i < d.count; ++i) *p++ = d.digits[i];
  } else {
    for (int i = 0; i <= x; ++i) *p++ = i < d.count ? d.digits[i] : '0';
    if (d.count > x + 1) {
      *p++ = '.';
      for (int i = x + 1; i < d.count; ++i) *p++ = d.digits[i];
    }
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace edgescope
