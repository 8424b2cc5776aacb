#include "edgescope/resilience/json_reader.hpp"

#include <cmath>

#include "edgescope/utf8.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope::json {

const Value* Value::find(std::string_view key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

namespace {

// Exact powers of ten representable in a double (10^22 is the last one).
constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr std::uint64_t kMaxSafe = 9007199254740992ull;  // 2^53

class Parser {
 public:
  Parser(std::string_view text, const ReaderLimits& limits, std::string& error)
      : text_(text), limits_(limits), error_(error) {}

  bool document(Value& out) {
    if (text_.size() > limits_.max_bytes) {
      error_ = "JSON document of " + edgescope::decimal(text_.size()) + " bytes exceeds the limit of " +
               edgescope::decimal(limits_.max_bytes);
      return false;
    }
    skip_space();
    if (!value(out, 0)) return false;
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text after the value");
    return true;
  }

 private:
  std::string_view text_;
  const ReaderLimits& limits_;
  std::string& error_;
  std::size_t pos_ = 0;
  std::size_t values_ = 0;

  bool fail(const char* what) {
    error_ = "JSON offset " + edgescope::decimal(pos_) + ": " + what;
    return false;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool value(Value& out, std::size_t depth) {
    if (++values_ > limits_.max_values) return fail("too many values");
    if (at_end()) return fail("truncated document");
    switch (peek()) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"': out.type = Type::String; return string(out.text);
      case 't': out.type = Type::Bool; out.boolean = true; return literal("true");
      case 'f': out.type = Type::Bool; out.boolean = false; return literal("false");
      case 'n': out.type = Type::Null; return literal("null");
      default: return number(out);
    }
  }

  bool object(Value& out, std::size_t depth) {
    if (depth + 1 > limits_.max_depth) return fail("nesting too deep");
    out.type = Type::Object;
    // Most snapshot objects are window or list entries of 3 to 7 members: one allocation, not three.
    out.keys.reserve(4);
    out.items.reserve(4);
    ++pos_;
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (peek() != '"') return fail(at_end() ? "truncated document" : "expected a string key");
      std::string key;
      if (!string(key)) return false;
      if (out.find(key)) return fail("duplicate key");
      skip_space();
      if (peek() != ':') return fail(at_end() ? "truncated document" : "expected ':'");
      ++pos_;
      skip_space();
      out.keys.push_back(std::move(key));
      out.items.emplace_back();
      if (!value(out.items.back(), depth + 1)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      return fail(at_end() ? "truncated document" : "expected ',' or '}'");
    }
  }

  bool array(Value& out, std::size_t depth) {
    if (depth + 1 > limits_.max_depth) return fail("nesting too deep");
    out.type = Type::Array;
    out.items.reserve(4);
    ++pos_;
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      out.items.emplace_back();
      if (!value(out.items.back(), depth + 1)) return false;
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      return fail(at_end() ? "truncated document" : "expected ',' or ']'");
    }
  }

  bool hex4(std::uint32_t& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      if (at_end()) return fail("truncated document");
      const char c = text_[pos_++];
      std::uint32_t digit;
      if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') digit = static_cast<std::uint32_t>(c - 'A' + 10);
      else return fail("invalid \\u escape");
      out = out << 4 | digit;
    }
    return true;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | cp >> 18));
      out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    for (;;) {
      if (at_end()) return fail("truncated document");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) return fail("truncated document");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          std::uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low;
            if (text_.substr(pos_, 2) != "\\u") return fail("lone high surrogate escape");
            pos_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("lone high surrogate escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: return fail("invalid escape");
      }
    }
    // Raw bytes were copied as they are: check them once (escapes produced valid UTF-8 already).
    if (!is_valid_utf8(out)) {
      pos_ = start;
      return fail("string is not valid UTF-8");
    }
    ++pos_;  // closing quote
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number(Value& out) {
    out.type = Type::Number;
    const std::size_t start = pos_;
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    if (!digit(peek())) return fail(at_end() ? "truncated document" : "unexpected character");
    std::uint64_t mantissa = 0;
    int digits = 0;       // significant digits kept in mantissa (at most 19)
    long exponent = 0;    // decimal exponent applied to mantissa
    std::size_t int_digits = 0;
    if (peek() == '0') {
      ++pos_;
      int_digits = 1;
      if (digit(peek())) return fail("leading zero in a number");
    } else {
      while (digit(peek())) {
        const auto d = static_cast<std::uint64_t>(text_[pos_++] - '0');
        ++int_digits;
        if (digits < 19) {
          mantissa = mantissa * 10 + d;
          if (mantissa != 0) ++digits;
        } else {
          ++exponent;
        }
      }
    }
    bool fraction = false;
    if (peek() == '.') {
      ++pos_;
      fraction = true;
      if (!digit(peek())) return fail(at_end() ? "truncated document" : "expected a digit after '.'");
      while (digit(peek())) {
        const auto d = static_cast<std::uint64_t>(text_[pos_++] - '0');
        if (digits < 19) {
          mantissa = mantissa * 10 + d;
          if (mantissa != 0) ++digits;
          --exponent;
        }
      }
    }
    bool has_exp = false;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      has_exp = true;
      bool exp_negative = false;
      if (peek() == '+' || peek() == '-') exp_negative = text_[pos_++] == '-';
      if (!digit(peek())) return fail(at_end() ? "truncated document" : "expected a digit in the exponent");
      long e = 0;
      while (digit(peek())) {
        if (e < 100000) e = e * 10 + (text_[pos_] - '0');
        ++pos_;
      }
      exponent += exp_negative ? -e : e;
    }
    double magnitude;
    if (mantissa == 0) {
      magnitude = 0;
    } else if (mantissa <= kMaxSafe && exponent >= -22 && exponent <= 22) {
      // Both operands exact: one IEEE operation, correctly rounded.
      const double m = static_cast<double>(mantissa);
      magnitude = exponent >= 0 ? m * kExactPow10[exponent] : m / kExactPow10[-exponent];
    } else if (exponent > 400) {
      magnitude = HUGE_VAL;
    } else if (exponent < -400) {
      magnitude = 0;
    } else {
      // Outside the exact range (never a config value or a snapshot field): scaled in steps of
      // exact powers, within a few units in the last place.
      double m = static_cast<double>(mantissa);
      long e = exponent;
      for (; e > 22; e -= 22) m *= kExactPow10[22];
      for (; e < -22; e += 22) m /= kExactPow10[22];
      magnitude = e >= 0 ? m * kExactPow10[e] : m / kExactPow10[-e];
    }
    if (!std::isfinite(magnitude)) {
      pos_ = start;
      return fail("number out of range");
    }
    out.number = negative ? -magnitude : magnitude;
    if (!fraction && !has_exp && int_digits <= 16 && mantissa <= kMaxSafe) {
      out.integral = true;
      out.integer = negative ? -static_cast<std::int64_t>(mantissa) : static_cast<std::int64_t>(mantissa);
    }
    return true;
  }
};

}  // namespace

bool parse(std::string_view text, Value& out, std::string& error, const ReaderLimits& limits) {
  out = Value{};
  Parser parser(text, limits, error);
  return parser.document(out);
}

}  // namespace edgescope::json
