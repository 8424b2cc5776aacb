#include <doctest/doctest.h>

#include <set>

#include "edgescope/telemetry.hpp"
#include "edgescope/utf8.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

Telemetry make(std::size_t cap, std::size_t max_records = 0) {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = cap;
  o.encode.max_records_per_payload = max_records;
  return Telemetry(o);
}

void record_everything(Telemetry& t, int n, std::size_t value_bytes = 10) {
  const auto key = t.intern("http.route");
  for (int i = 0; i < n; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, 1000 + i);
    t.stage_string(key, std::string(value_bytes, 'r') + std::to_string(i));
    t.apply_staged_to_span(span);
    t.stage_string(key, std::to_string(i));
    t.record(t.series(MetricType::Counter, t.intern("hits"), t.intern("1")), 1, 1000 + i);
    t.stage(t.intern("n"), AttributeValue::of_int(i));
    t.log(LogLevel::Info, "line " + std::to_string(i), span, 1000 + i);
    t.end_span(span, 1010 + i);
  }
}

struct Counts {
  std::size_t spans = 0, metrics = 0, logs = 0;
};

Counts count_native(const std::vector<Payload>& payloads, std::size_t cap) {
  Counts c;
  for (const auto& p : payloads) {
    CHECK(p.body.size() <= cap);
    CHECK(is_valid_utf8(p.body));
    const json doc = json::parse(p.body, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc["service"] == "checkout");
    std::size_t in_payload = 0;
    for (const char* section : {"spans", "metrics", "logs"}) {
      if (!doc.contains(section)) continue;
      CHECK_FALSE(doc[section].empty());  // absent rather than empty
      in_payload += doc[section].size();
    }
    CHECK(in_payload == p.records);
    if (doc.contains("spans")) c.spans += doc["spans"].size();
    if (doc.contains("metrics")) c.metrics += doc["metrics"].size();
    if (doc.contains("logs")) c.logs += doc["logs"].size();
  }
  return c;
}

}  // namespace

TEST_CASE("native JSON has the documented record shapes") {
  Telemetry t = make(65536);
  record_everything(t, 1);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() == 1);
  const json doc = json::parse(payloads[0].body);
  const json span = doc["spans"][0];
  for (const char* field : {"traceId", "spanId", "operationName", "service", "startTime", "endTime", "duration",
                            "status", "attributes", "events"}) {
    CAPTURE(field);
    CHECK(span.contains(field));
  }
  CHECK(span["traceId"].get<std::string>().size() == 32);
  CHECK(span["duration"] == 10);
  CHECK(span["attributes"]["http.route"] == "rrrrrrrrrr0");
  const json metric = doc["metrics"][0];
  CHECK(metric["type"] == "counter");
  CHECK(metric["value"] == 1);
  CHECK(metric["tags"]["http.route"] == "0");
  const json log = doc["logs"][0];
  CHECK(log["level"] == "info");
  CHECK(log["message"] == "line 0");
  CHECK(log["context"]["n"] == 0);
  CHECK(log["metadata"]["traceId"] == span["traceId"]);
}

TEST_CASE("no payload exceeds the cap and every record lands in exactly one payload") {
  for (std::size_t cap : {1024u, 4096u, 65536u}) {
    for (std::size_t max_records : {0u, 1u, 7u}) {
      CAPTURE(cap);
      CAPTURE(max_records);
      Telemetry t = make(cap, max_records);
      record_everything(t, 150, 100);
      t.drain();
      const auto& payloads = t.encode_drained(WireFormat::NativeJson);
      const Counts c = count_native(payloads, cap);
      CHECK(c.spans == 150);
      CHECK(c.metrics == 150);
      CHECK(c.logs == 150);
      if (max_records != 0) {
        for (const auto& p : payloads) CHECK(p.records <= max_records);
      }
    }
  }
}

TEST_CASE("a record too large for one payload is shrunk, and dropped only if still too large") {
  Telemetry t = make(8192);  // 20 x 1000-byte values: ~21 KB in full, ~5.5 KB compact
  const auto span = t.start_span(kNoopSpan, t.intern("big"), SpanKind::Internal, 0);
  for (int i = 0; i < 20; ++i) t.stage_string(t.intern("k" + std::to_string(i)), std::string(1000, 'x'));
  t.apply_staged_to_span(span);
  t.end_span(span, 1);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() == 1);
  CHECK(payloads[0].body.size() <= 8192);
  const json doc = json::parse(payloads[0].body);
  CHECK(doc["spans"][0]["attributes"]["edgescope.truncated"] == true);
  CHECK(t.stats().records_shrunk == 1);

  Telemetry tiny = make(1024);
  const auto name = std::string(1000, 'n');  // the name alone overflows 1 KiB
  const auto s = tiny.start_span(kNoopSpan, tiny.intern(name), SpanKind::Internal, 0);
  tiny.end_span(s, 1);
  tiny.log(LogLevel::Info, "fits", kNoopSpan, 1);
  tiny.drain();
  const auto& out = tiny.encode_drained(WireFormat::NativeJson);
  const Counts c = count_native(out, 1024);
  CHECK(c.logs == 1);
  CHECK(c.spans + tiny.stats().records_dropped_oversize + tiny.stats().records_shrunk >= 1);
}

TEST_CASE("OTLP JSON splits by signal and follows the protobuf JSON mapping") {
  Telemetry t = make(4096);
  record_everything(t, 40);
  const auto h = t.series(MetricType::Histogram, t.intern("latency"), t.intern("ms"));
  t.record(h, 12, 1);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  std::size_t spans = 0, metrics = 0, logs = 0;
  std::set<std::string> span_ids;
  for (const auto& p : payloads) {
    CHECK(p.body.size() <= 4096);
    const json doc = json::parse(p.body, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    if (p.signal == Signal::Traces) {
      const json& rs = doc["resourceSpans"][0];
      CHECK(rs["resource"]["attributes"][0]["key"] == "service.name");
      CHECK(rs["resource"]["attributes"][0]["value"]["stringValue"] == "checkout");
      for (const auto& s : rs["scopeSpans"][0]["spans"]) {
        CHECK(s["kind"] == 2);
        CHECK(s["startTimeUnixNano"].is_string());
        CHECK(s["traceId"].get<std::string>().size() == 32);
        span_ids.insert(s["spanId"].get<std::string>());
        ++spans;
      }
    } else if (p.signal == Signal::Metrics) {
      for (const auto& m : doc["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]) {
        if (m["name"] == "latency") {
          const json& dp = m["histogram"]["dataPoints"][0];
          CHECK(dp["count"] == "1");
          CHECK(dp["bucketCounts"].size() == dp["explicitBounds"].size() + 1);
        } else {
          CHECK(m["sum"]["aggregationTemporality"] == 1);
          CHECK(m["sum"]["isMonotonic"] == true);
        }
        ++metrics;
      }
    } else if (p.signal == Signal::Logs) {
      for (const auto& l : doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"]) {
        CHECK(l["severityNumber"] == 9);
        CHECK(l["body"]["stringValue"].get<std::string>().rfind("line ", 0) == 0);
        CHECK(l["attributes"][0]["value"]["intValue"].is_string());
        ++logs;
      }
    } else {
      FAIL("OTLP payloads carry one signal each");
    }
  }
  CHECK(spans == 40);
  CHECK(span_ids.size() == 40);
  CHECK(metrics == 41);
  CHECK(logs == 40);
}

TEST_CASE("invalid UTF-8 and control characters never break the JSON") {
  Telemetry t = make(65536);
  const auto span = t.start_span(kNoopSpan, t.intern("bad\xFFname"), SpanKind::Internal, 0);
  t.stage_string(t.intern("k\xC3"), "v\xED\xA0\x80\x01\"\\\n");
  t.apply_staged_to_span(span);
  t.end_span(span, 1);
  t.drain();
  for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
    for (const auto& p : t.encode_drained(format)) {
      CHECK(is_valid_utf8(p.body));
      const json doc = json::parse(p.body, nullptr, false);
      CHECK_FALSE(doc.is_discarded());
    }
  }
  const json doc = json::parse(t.encode_drained(WireFormat::NativeJson)[0].body);
  CHECK(doc["spans"][0]["operationName"] == "bad\xEF\xBF\xBDname");
  CHECK(doc["spans"][0]["attributes"]["k\xEF\xBF\xBD"] == "v\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\x01\"\\\n");
  CHECK(t.stats().strings_repaired == 3);
}
