#include <doctest/doctest.h>

#include "edgescope/trace_context.hpp"
#include "fixtures.hpp"

using namespace edgescope;

TEST_CASE("traceparent headers are accepted or rejected per W3C Trace Context") {
  const auto fixture = load_fixture("traceparent.json");
  REQUIRE(fixture.is_object());
  for (const auto& c : fixture["cases"]) {
    const std::string header = c["header"].get<std::string>();
    CAPTURE(header);
    const auto parsed = parse_traceparent(header);
    CHECK(parsed.has_value() == c["valid"].get<bool>());
    if (parsed && c["valid"].get<bool>()) {
      CHECK(to_hex(parsed->trace_id) == c["traceId"].get<std::string>());
      CHECK(to_hex(parsed->span_id) == c["spanId"].get<std::string>());
      CHECK(parsed->sampled() == c["sampled"].get<bool>());
    }
  }
}

TEST_CASE("a formatted traceparent parses back to the same context") {
  const TraceId trace{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  const std::string header = format_traceparent(trace, 0x1122334455667788ULL, 0x01);
  CHECK(header == "00-0123456789abcdeffedcba9876543210-1122334455667788-01");
  const auto parsed = parse_traceparent(header);
  REQUIRE(parsed.has_value());
  CHECK(parsed->trace_id == trace);
  CHECK(parsed->span_id == 0x1122334455667788ULL);
}

TEST_CASE("tracestate keeps valid lists and discards invalid ones whole") {
  CHECK(normalize_tracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7") == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  CHECK(normalize_tracestate("tenant@system=1,,a=b") == "tenant@system=1,a=b");
  CHECK(normalize_tracestate("") == "");
  CHECK(normalize_tracestate("Upper=1") == "");        // keys are lower case
  CHECK(normalize_tracestate("a=1,a=2") == "");        // duplicate key
  CHECK(normalize_tracestate("novalue") == "");
  CHECK(normalize_tracestate("a=x,y") == "");          // stray member
  CHECK(normalize_tracestate("a=has=equals") == "");   // '=' not allowed in values
  std::string many;
  for (int i = 0; i < 33; ++i) many += (i ? ",k" : "k") + std::to_string(i) + "=v";
  CHECK(normalize_tracestate(many) == "");             // more than 32 members
}
