// The strict JSON reader (wasm/include/edgescope/resilience/json_reader.hpp): RFC 8259's exact
// number grammar, strings and escapes, bounds, and numbers converted without strtod.
#include <doctest/doctest.h>

#include <string>

#include "edgescope/resilience/json_reader.hpp"

using namespace edgescope;

namespace {
bool accepts(const std::string& text) {
  json::Value v;
  std::string error;
  return json::parse(text, v, error);
}
double number(const std::string& text) {
  json::Value v;
  std::string error;
  REQUIRE_MESSAGE(json::parse(text, v, error), error);
  REQUIRE(v.type == json::Type::Number);
  return v.number;
}
}  // namespace

TEST_CASE("json reader: the number grammar is RFC 8259's, exactly") {
  for (const char* ok : {"0", "-0", "1", "-1", "10", "0.5", "1e3", "1E+3", "1e-3", "-12.5e2", "9007199254740993"}) CHECK_MESSAGE(accepts(ok), ok);
  for (const char* bad : {"01", "+1", "1.", ".5", "1e", "1e+", "-", "--1", "0x10", "NaN", "Infinity", "-Infinity", "1.5.2", "1e400"}) {
    CHECK_MESSAGE(!accepts(bad), bad);
  }
}

TEST_CASE("json reader: numbers convert exactly in the common range; integers are flagged") {
  CHECK(number("0.1") == 0.1);
  CHECK(number("0.95") == 0.95);
  CHECK(number("123.456") == 123.456);
  CHECK(number("1e22") == 1e22);
  CHECK(number("-2.5e-3") == -2.5e-3);
  CHECK(number("1796083200000") == 1796083200000.0);
  CHECK(number("1.7976931348623157e308") == doctest::Approx(1.7976931348623157e308));
  json::Value v;
  std::string error;
  REQUIRE(json::parse("9007199254740992", v, error));
  CHECK(v.integral);
  CHECK(v.integer == 9007199254740992);
  REQUIRE(json::parse("9007199254740993", v, error));
  CHECK_FALSE(v.integral);
  REQUIRE(json::parse("1.0", v, error));
  CHECK_FALSE(v.integral);
  REQUIRE(json::parse("1e2", v, error));
  CHECK_FALSE(v.integral);
}

TEST_CASE("json reader: strings, escapes and UTF-8") {
  json::Value v;
  std::string error;
  REQUIRE(json::parse(R"("a\"b\\c\/d\n\u00e9\ud83d\ude00")", v, error));
  CHECK(v.text == "a\"b\\c/d\n\xC3\xA9\xF0\x9F\x98\x80");
  CHECK_FALSE(accepts(R"("\ud800")"));
  CHECK_FALSE(accepts(R"("\udc00")"));
  CHECK_FALSE(accepts(R"("\ud800\u0041")"));
  CHECK_FALSE(accepts(R"("\x")"));
  CHECK_FALSE(accepts("\"\xC0\xAF\""));  // overlong
  CHECK_FALSE(accepts("\"a\nb\""));      // raw control character
  CHECK_FALSE(accepts("\"abc"));
}

TEST_CASE("json reader: structure, duplicates, depth, size and value count") {
  CHECK(accepts(R"( {"a":[1,{"b":null}],"c":true} )"));
  CHECK_FALSE(accepts(R"({"a":1,"a":2})"));
  CHECK_FALSE(accepts(R"({"a":1,})"));
  CHECK_FALSE(accepts("[1,]"));
  CHECK_FALSE(accepts("[1 2]"));
  CHECK_FALSE(accepts("tru"));
  CHECK_FALSE(accepts("{} {}"));
  CHECK(accepts(std::string(16, '[') + std::string(16, ']')));
  CHECK_FALSE(accepts(std::string(17, '[') + std::string(17, ']')));
  json::Value v;
  std::string error;
  json::ReaderLimits small;
  small.max_bytes = 10;
  CHECK_FALSE(json::parse("[1,2,3,4,5,6]", v, error, small));
  CHECK(error == "JSON document of 13 bytes exceeds the limit of 10");
  std::string many = "[";
  for (int i = 0; i < 20001; ++i) many += i ? ",0" : "0";
  many += "]";
  CHECK_FALSE(json::parse(many, v, error));
  CHECK(error.find("too many values") != std::string::npos);
}
