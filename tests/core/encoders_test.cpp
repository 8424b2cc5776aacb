#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <set>

#include "edgescope/json_writer.hpp"

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

Counts count_native(const RecordArray<Payload>& payloads, std::size_t cap) {
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
  CHECK(doc["resource"] == json{{"service.name", "checkout"}});
  // Zero dropped counts are left out, as in OTLP.
  CHECK_FALSE(span.contains("droppedAttributesCount"));
  CHECK_FALSE(span.contains("droppedEventsCount"));
  CHECK_FALSE(log.contains("droppedAttributesCount"));
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
      CHECK(t.stats().records_shrunk == 0);  // every record fits a payload on its own
      CHECK(t.stats().records_dropped_oversize == 0);
    }
  }
}

TEST_CASE("a record too large for one payload is shrunk, and dropped only if still too large") {
  for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
    CAPTURE(static_cast<int>(format));
    // 40 values of 1000 bytes (~41 KB) with 3 events: compact keeps 32 values cut to 256 bytes.
    Telemetry t = make(16384);
    const auto span = t.start_span(kNoopSpan, t.intern("big"), SpanKind::Internal, 0);
    for (int i = 0; i < 40; ++i) t.stage_string(t.intern("k" + std::to_string(i)), std::string(1000, 'x'));
    t.apply_staged_to_span(span);
    for (int i = 0; i < 3; ++i) t.add_event(span, t.intern("e"), 0);
    t.end_span(span, 1);
    // Too large even compact: 40 keys of 1000 bytes; compact mode cuts values, never keys.
    const auto wide = t.start_span(kNoopSpan, t.intern("wide"), SpanKind::Internal, 0);
    for (int i = 0; i < 40; ++i) t.stage_string(t.intern(std::string(1000, 'k') + std::to_string(i)), "v");
    t.apply_staged_to_span(wide);
    t.end_span(wide, 1);
    t.log(LogLevel::Info, "fits", kNoopSpan, 1);
    t.drain();
    const auto& payloads = t.encode_drained(format);
    CHECK(t.stats().records_shrunk == 1);
    CHECK(t.stats().records_dropped_oversize == 1);
    std::size_t spans = 0, logs = 0;
    for (const auto& p : payloads) {
      CHECK(p.body.size() <= 16384);
      const json doc = json::parse(p.body);
      if (format == WireFormat::NativeJson) {
        for (const auto& s : doc.value("spans", json::array())) {
          ++spans;
          CHECK(s["operationName"] == "big");
          CHECK(s["attributes"].size() == 33);  // 32 kept + edgescope.truncated
          CHECK(s["attributes"]["edgescope.truncated"] == true);
          CHECK(s["attributes"]["k0"].get<std::string>().size() == 256);
          CHECK(s["droppedAttributesCount"] == 8);
          CHECK(s["events"].empty());
          CHECK(s["droppedEventsCount"] == 3);
        }
        logs += doc.value("logs", json::array()).size();
      } else if (p.signal == Signal::Traces) {
        for (const auto& s : doc["resourceSpans"][0]["scopeSpans"][0]["spans"]) {
          ++spans;
          CHECK(s["name"] == "big");
          CHECK(s["attributes"].size() == 33);
          CHECK(s["attributes"][32] == json::parse(R"({"key":"edgescope.truncated","value":{"boolValue":true}})"));
          CHECK(s["attributes"][0]["value"]["stringValue"].get<std::string>().size() == 256);
          CHECK(s["droppedAttributesCount"] == 8);
          CHECK(s["events"].empty());
          CHECK(s["droppedEventsCount"] == 3);
        }
      } else if (p.signal == Signal::Logs) {
        logs += doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"].size();
      }
    }
    CHECK(spans == 1);
    CHECK(logs == 1);
  }
}

TEST_CASE("encoding one drain in two formats counts each oversized record once") {
  // Three spans: one shrunk in both formats, one dropped in both, and one that fits the native
  // format but must be shrunk in OTLP (whose attributes are wordier).
  Batch batch;
  const auto span_with = [](std::size_t values, std::size_t value_bytes, std::size_t key_bytes) {
    Span s;
    s.trace_id = TraceId{1, 2};
    s.span_id = 3;
    s.name = "op";
    for (std::size_t i = 0; i < values; ++i) {
      s.attributes.push_back({std::string(key_bytes, 'k') + std::to_string(i),
                              AttributeValue::of_string(std::string(value_bytes, 'v'))});
    }
    return s;
  };
  Resource resource;
  resource.service = "checkout";
  EncodeOptions wide;
  wide.max_payload_bytes = 1 << 20;
  Stats measure;
  batch.spans = {span_with(3, 600, 1)};
  const std::size_t native_size = encode(WireFormat::NativeJson, batch, resource, wide, measure).at(0).body.size();
  const std::size_t otlp_size = encode(WireFormat::OtlpJson, batch, resource, wide, measure).at(0).body.size();
  REQUIRE(otlp_size > native_size);

  EncodeOptions options;
  options.max_payload_bytes = native_size;  // the third span fits the native format exactly
  batch.spans = {span_with(4, 2000, 1), span_with(40, 1, 400), span_with(3, 600, 1)};
  Stats stats;
  OversizeLedger ledger;
  const auto native = encode(WireFormat::NativeJson, batch, resource, options, ledger, stats);
  CHECK(stats.records_shrunk == 1);
  CHECK(stats.records_dropped_oversize == 1);
  const auto otlp = encode(WireFormat::OtlpJson, batch, resource, options, ledger, stats);
  CHECK(stats.records_shrunk == 2);  // the first span again adds nothing; the third is new
  CHECK(stats.records_dropped_oversize == 1);
  for (const auto& p : native) CHECK(p.body.size() <= native_size);
  for (const auto& p : otlp) CHECK(p.body.size() <= native_size);
  CHECK(native.size() == 2);
  CHECK(otlp.size() == 2);

  // A new drain starts a new ledger: the same records count again.
  ledger.clear();
  encode(WireFormat::OtlpJson, batch, resource, options, ledger, stats);
  CHECK(stats.records_shrunk == 4);
  CHECK(stats.records_dropped_oversize == 2);
  // Without a ledger, every call counts (one format per drain).
  encode(WireFormat::NativeJson, batch, resource, options, stats);
  CHECK(stats.records_shrunk == 5);
  CHECK(stats.records_dropped_oversize == 3);
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

TEST_CASE("native JSON carries every resource attribute and typed values") {
  Telemetry t = make(65536);
  const auto stage_all = [&] {
    t.stage(t.intern("s"), AttributeValue::of_string("text"));
    t.stage(t.intern("i"), AttributeValue::of_int(-9007199254740993LL));  // not exact as a double
    t.stage(t.intern("d"), AttributeValue::of_double(0.1));
    t.stage(t.intern("b"), AttributeValue::of_bool(false));
  };
  stage_all();
  t.stage(t.intern("service.name"), AttributeValue::of_string("ignored"));  // Resource::service wins
  t.set_resource_from_stage();
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  stage_all();
  t.apply_staged_to_span(span);
  stage_all();
  t.log(LogLevel::Info, "m", span, 2);
  stage_all();
  t.record(t.series(MetricType::Gauge, t.intern("g"), t.intern("1")), 1, 3);
  t.end_span(span, 4);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() == 1);
  const json doc = json::parse(payloads[0].body);
  const json typed = json::parse(R"({"s":"text","i":-9007199254740993,"d":0.1,"b":false})");
  CHECK(doc["resource"] == json::parse(R"({"service.name":"checkout","s":"text","i":-9007199254740993,"d":0.1,"b":false})"));
  CHECK(doc["resource"]["i"].is_number_integer());
  CHECK(doc["spans"][0]["attributes"] == typed);
  CHECK(doc["logs"][0]["context"] == typed);
  CHECK(doc["metrics"][0]["tags"] == typed);
  CHECK(doc["metrics"][0]["tags"]["i"].get<std::int64_t>() == -9007199254740993LL);
}

TEST_CASE("dropped attribute counts reach both formats for spans, events and logs") {
  Batch batch;
  Span s;
  s.trace_id = TraceId{1, 2};
  s.span_id = 3;
  s.name = "op";
  s.dropped_attributes = 4;
  s.dropped_events = 2;
  SpanEvent event;
  event.name = "e";
  event.dropped_attributes = 5;
  s.events = {event, SpanEvent{}};
  s.events[1].name = "clean";
  batch.spans.push_back(s);
  LogRecord log;
  log.message = "m";
  log.dropped_attributes = 6;
  batch.logs.push_back(log);
  Resource resource;
  resource.service = "checkout";
  Stats stats;
  EncodeOptions options;

  const auto native = encode(WireFormat::NativeJson, batch, resource, options, stats);
  REQUIRE(native.size() == 1);
  const json doc = json::parse(native[0].body);
  CHECK(doc["spans"][0]["droppedAttributesCount"] == 4);
  CHECK(doc["spans"][0]["droppedEventsCount"] == 2);
  CHECK(doc["spans"][0]["events"][0]["droppedAttributesCount"] == 5);
  CHECK_FALSE(doc["spans"][0]["events"][1].contains("droppedAttributesCount"));
  CHECK(doc["logs"][0]["droppedAttributesCount"] == 6);

  const auto otlp = encode(WireFormat::OtlpJson, batch, resource, options, stats);
  REQUIRE(otlp.size() == 2);
  const json span = json::parse(otlp[0].body)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  CHECK(span["droppedAttributesCount"] == 4);
  CHECK(span["droppedEventsCount"] == 2);
  CHECK(span["events"][0]["droppedAttributesCount"] == 5);
  CHECK_FALSE(span["events"][1].contains("droppedAttributesCount"));
  const json record = json::parse(otlp[1].body)["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  CHECK(record["droppedAttributesCount"] == 6);
}

TEST_CASE("times are exact in both formats") {
  // 1700000000123 ms through a double multiplication would give 1700000000123000064 ns.
  CHECK(unix_micros_from_ms(1700000000123.0) == 1700000000123000ULL);
  CHECK(unix_micros_from_ms(1700000000123.25) == 1700000000123250ULL);
  // The fraction rounds to the nearest microsecond, halves up, carrying into the milliseconds.
  CHECK(unix_micros_from_ms(1700000000123.0004) == 1700000000123000ULL);
  CHECK(unix_micros_from_ms(1700000000123.9996) == 1700000000124000ULL);
  // Decimal halves are not exact in binary: the double nearest 0.0015 ms is 1.50000000000000003 us
  // (rounds up), the one nearest 0.0045 ms is 4.49999999999999997 us (rounds down) although its
  // product by 1000 rounds to exactly 4.5 in double arithmetic.
  CHECK(unix_micros_from_ms(0.0015) == 2);
  CHECK(unix_micros_from_ms(0.0045) == 4);
  CHECK(unix_micros_from_ms(0.0055) == 5);
  CHECK(unix_micros_from_ms(1.0 / 1024) == 1);  // 0.9765625 us exactly
  CHECK(unix_micros_from_ms(1.0 / 2048) == 0);  // 0.48828125 us exactly
  // Nothing known, or nothing representable: 0 (OTLP's "unknown"), or saturation.
  CHECK(unix_micros_from_ms(0) == 0);
  CHECK(unix_micros_from_ms(-5) == 0);
  CHECK(unix_micros_from_ms(std::nan("")) == 0);
  CHECK(unix_micros_from_ms(18446744073709.0) == 18446744073709000ULL);
  CHECK(unix_micros_from_ms(18446744073709.551) == 18446744073709551ULL);
  CHECK(unix_micros_from_ms(1e300) == 18446744073709551ULL);
  CHECK(unix_micros_from_ms(HUGE_VAL) == 18446744073709551ULL);

  Batch batch;
  Span s;
  s.trace_id = TraceId{1, 2};
  s.span_id = 3;
  s.name = "op";
  s.start_ms = 1700000000123.0;
  s.end_ms = 1700000000123.25;
  batch.spans.push_back(s);
  Resource resource;
  resource.service = "checkout";
  Stats stats;
  const std::string native = encode(WireFormat::NativeJson, batch, resource, EncodeOptions{}, stats).at(0).body;
  CHECK(native.find("\"startTime\":1700000000123,\"endTime\":1700000000123.25,\"duration\":0.25,") !=
        std::string::npos);
  const json otlp = json::parse(encode(WireFormat::OtlpJson, batch, resource, EncodeOptions{}, stats).at(0).body);
  const json& span = otlp["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  CHECK(span["startTimeUnixNano"] == std::to_string(1700000000123ULL * 1000000ULL));
  CHECK(span["endTimeUnixNano"] == std::to_string(1700000000123ULL * 1000000ULL + 250000ULL));
}
