// The native JSON format version: `"version":1` opens every native payload (so a receiver picks
// its decoder before reading further, and accepts older senders that lack it), inside the cap.
#include <doctest/doctest.h>

#include <string>

#include "edgescope/telemetry.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

Telemetry make_telemetry(std::size_t cap) {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = cap;
  return Telemetry(o);
}

void record_spans(Telemetry& t, int n) {
  const auto key = t.intern("k");
  for (int i = 0; i < n; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, 1000 + i);
    t.stage_string(key, std::string(static_cast<std::size_t>(i % 53), 'v'));
    t.apply_staged_to_span(span);
    t.log(LogLevel::Info, "line " + std::to_string(i), span, 1000 + i);
    t.end_span(span, 1010 + i);
  }
}

}  // namespace

TEST_CASE("every native payload opens with version 1, before the service") {
  Telemetry t = make_telemetry(4096);
  record_spans(t, 60);
  t.drain(5000);
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() > 1);  // split by the cap: each payload carries its own version
  for (const Payload& p : payloads) {
    CHECK(p.body.rfind("{\"version\":1,\"service\":\"checkout\",", 0) == 0);
    CHECK(json::parse(p.body)["version"] == 1);
  }
}

TEST_CASE("the version field counts against the payload cap: payloads fill it exactly and never pass it") {
  bool exact = false;
  for (std::size_t cap = 700; cap < 1400 && !exact; cap += 7) {
    Telemetry t = make_telemetry(cap);
    record_spans(t, 40);
    t.drain(5000);
    for (const Payload& p : t.encode_drained(WireFormat::NativeJson)) {
      REQUIRE(p.body.size() <= cap);
      exact = exact || p.body.size() == cap;
    }
  }
  CHECK(exact);
}

TEST_CASE("OTLP payloads stay pure OTLP: no native version opens them") {
  Telemetry t = make_telemetry(65536);
  record_spans(t, 3);
  t.drain(5000);
  for (const Payload& p : t.encode_drained(WireFormat::OtlpJson)) CHECK_FALSE(json::parse(p.body).contains("version"));
}
