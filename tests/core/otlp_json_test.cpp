// OTLP JSON payloads, checked against the message definitions of opentelemetry-proto (trace/v1,
// metrics/v1, logs/v1, common/v1, resource/v1) under the OTLP specification's JSON rules: every
// key must be a lowerCamelCase field of the message it sits in, ids are hex, 64-bit integers are
// decimal strings, uint32 counts and enums are JSON numbers. The table below is transcribed from
// those .proto files, not derived from the encoder, so a misspelt or misplaced field fails here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "edgescope/telemetry.hpp"
#include "edgescope/utf8.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

enum class F { Message, String, TraceId, SpanId, U64String, I64String, U32, I32, Enum, Double, Bool };
struct Field {
  F kind;
  const char* message = nullptr;  // for F::Message
  bool repeated = false;
};
using MessageSpec = std::map<std::string, Field>;

const std::map<std::string, MessageSpec>& otlp_messages() {
  static const std::map<std::string, MessageSpec> spec = {
      {"ExportTraceServiceRequest", {{"resourceSpans", {F::Message, "ResourceSpans", true}}}},
      {"ExportMetricsServiceRequest", {{"resourceMetrics", {F::Message, "ResourceMetrics", true}}}},
      {"ExportLogsServiceRequest", {{"resourceLogs", {F::Message, "ResourceLogs", true}}}},
      {"Resource",
       {{"attributes", {F::Message, "KeyValue", true}}, {"droppedAttributesCount", {F::U32}}}},
      {"InstrumentationScope",
       {{"name", {F::String}},
        {"version", {F::String}},
        {"attributes", {F::Message, "KeyValue", true}},
        {"droppedAttributesCount", {F::U32}}}},
      {"KeyValue", {{"key", {F::String}}, {"value", {F::Message, "AnyValue"}}}},
      {"AnyValue",  // a oneof: checked separately to hold exactly one member
       {{"stringValue", {F::String}},
        {"boolValue", {F::Bool}},
        {"intValue", {F::I64String}},
        {"doubleValue", {F::Double}},
        {"arrayValue", {F::Message, "ArrayValue"}}}},
      {"ArrayValue", {{"values", {F::Message, "AnyValue", true}}}},
      {"ResourceSpans",
       {{"resource", {F::Message, "Resource"}},
        {"scopeSpans", {F::Message, "ScopeSpans", true}},
        {"schemaUrl", {F::String}}}},
      {"ScopeSpans",
       {{"scope", {F::Message, "InstrumentationScope"}},
        {"spans", {F::Message, "Span", true}},
        {"schemaUrl", {F::String}}}},
      {"Span",
       {{"traceId", {F::TraceId}},
        {"spanId", {F::SpanId}},
        {"traceState", {F::String}},
        {"parentSpanId", {F::SpanId}},
        {"flags", {F::U32}},  // fixed32
        {"name", {F::String}},
        {"kind", {F::Enum}},
        {"startTimeUnixNano", {F::U64String}},
        {"endTimeUnixNano", {F::U64String}},
        {"attributes", {F::Message, "KeyValue", true}},
        {"droppedAttributesCount", {F::U32}},
        {"events", {F::Message, "Event", true}},
        {"droppedEventsCount", {F::U32}},
        {"droppedLinksCount", {F::U32}},
        {"status", {F::Message, "Status"}}}},
      {"Event",
       {{"timeUnixNano", {F::U64String}},
        {"name", {F::String}},
        {"attributes", {F::Message, "KeyValue", true}},
        {"droppedAttributesCount", {F::U32}}}},
      {"Status", {{"message", {F::String}}, {"code", {F::Enum}}}},
      {"ResourceMetrics",
       {{"resource", {F::Message, "Resource"}},
        {"scopeMetrics", {F::Message, "ScopeMetrics", true}},
        {"schemaUrl", {F::String}}}},
      {"ScopeMetrics",
       {{"scope", {F::Message, "InstrumentationScope"}},
        {"metrics", {F::Message, "Metric", true}},
        {"schemaUrl", {F::String}}}},
      {"Metric",  // `data` is a oneof: checked separately
       {{"name", {F::String}},
        {"description", {F::String}},
        {"unit", {F::String}},
        {"gauge", {F::Message, "Gauge"}},
        {"sum", {F::Message, "Sum"}},
        {"histogram", {F::Message, "Histogram"}},
        {"exponentialHistogram", {F::Message, "ExponentialHistogram"}}}},
      {"Gauge", {{"dataPoints", {F::Message, "NumberDataPoint", true}}}},
      {"Sum",
       {{"dataPoints", {F::Message, "NumberDataPoint", true}},
        {"aggregationTemporality", {F::Enum}},
        {"isMonotonic", {F::Bool}}}},
      {"Histogram",
       {{"dataPoints", {F::Message, "HistogramDataPoint", true}}, {"aggregationTemporality", {F::Enum}}}},
      {"ExponentialHistogram",
       {{"dataPoints", {F::Message, "ExponentialHistogramDataPoint", true}}, {"aggregationTemporality", {F::Enum}}}},
      {"ExponentialHistogramDataPoint",
       {{"attributes", {F::Message, "KeyValue", true}},
        {"startTimeUnixNano", {F::U64String}},
        {"timeUnixNano", {F::U64String}},
        {"count", {F::U64String}},
        {"sum", {F::Double}},
        {"scale", {F::I32}},       // sint32
        {"zeroCount", {F::U64String}},  // fixed64
        {"positive", {F::Message, "Buckets"}},
        {"negative", {F::Message, "Buckets"}},
        {"flags", {F::U32}},
        {"min", {F::Double}},
        {"max", {F::Double}},
        {"zeroThreshold", {F::Double}}}},
      {"Buckets",  // ExponentialHistogramDataPoint.Buckets
       {{"offset", {F::I32}},  // sint32
        {"bucketCounts", {F::U64String, nullptr, true}}}},  // repeated uint64
      {"NumberDataPoint",
       {{"attributes", {F::Message, "KeyValue", true}},
        {"startTimeUnixNano", {F::U64String}},
        {"timeUnixNano", {F::U64String}},
        {"asDouble", {F::Double}},
        {"asInt", {F::I64String}},
        {"flags", {F::U32}}}},
      {"HistogramDataPoint",
       {{"attributes", {F::Message, "KeyValue", true}},
        {"startTimeUnixNano", {F::U64String}},
        {"timeUnixNano", {F::U64String}},
        {"count", {F::U64String}},
        {"sum", {F::Double}},
        {"bucketCounts", {F::U64String, nullptr, true}},
        {"explicitBounds", {F::Double, nullptr, true}},
        {"flags", {F::U32}},
        {"min", {F::Double}},
        {"max", {F::Double}}}},
      {"ResourceLogs",
       {{"resource", {F::Message, "Resource"}},
        {"scopeLogs", {F::Message, "ScopeLogs", true}},
        {"schemaUrl", {F::String}}}},
      {"ScopeLogs",
       {{"scope", {F::Message, "InstrumentationScope"}},
        {"logRecords", {F::Message, "LogRecord", true}},
        {"schemaUrl", {F::String}}}},
      {"LogRecord",
       {{"timeUnixNano", {F::U64String}},
        {"observedTimeUnixNano", {F::U64String}},
        {"severityNumber", {F::Enum}},
        {"severityText", {F::String}},
        {"body", {F::Message, "AnyValue"}},
        {"attributes", {F::Message, "KeyValue", true}},
        {"droppedAttributesCount", {F::U32}},
        {"flags", {F::U32}},
        {"traceId", {F::TraceId}},
        {"spanId", {F::SpanId}},
        {"eventName", {F::String}}}},
  };
  return spec;
}

bool is_decimal(const std::string& s, const std::string& max) {
  if (s.empty() || s.size() > max.size() || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  return s.size() < max.size() || s <= max;
}

bool is_hex_id(const json& v, std::size_t digits) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() != digits || s.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  return s.find_first_not_of('0') != std::string::npos;  // an all-zero id is invalid
}

// Returns an empty string, or the path and reason of the first violation.
std::string check_scalar(const json& v, F kind, const std::string& path) {
  bool ok = false;
  switch (kind) {
    case F::String: ok = v.is_string(); break;
    case F::TraceId: ok = is_hex_id(v, 32); break;
    case F::SpanId: ok = is_hex_id(v, 16); break;
    case F::U64String: ok = v.is_string() && is_decimal(v.get<std::string>(), "18446744073709551615"); break;
    case F::I64String: {
      if (!v.is_string()) break;
      const auto s = v.get<std::string>();
      ok = !s.empty() && s[0] == '-' ? is_decimal(s.substr(1), "9223372036854775808")
                                     : is_decimal(s, "9223372036854775807");
      break;
    }
    case F::U32: ok = v.is_number_unsigned() && v.get<std::uint64_t>() <= 0xFFFFFFFFu; break;
    case F::I32: ok = v.is_number_integer() && v.get<std::int64_t>() >= INT32_MIN && v.get<std::int64_t>() <= INT32_MAX; break;
    case F::Enum: ok = v.is_number_integer(); break;
    // proto3 JSON: a number, or one of these strings for the values JSON cannot write.
    case F::Double: ok = v.is_number() || v == "NaN" || v == "Infinity" || v == "-Infinity"; break;
    case F::Bool: ok = v.is_boolean(); break;
    case F::Message: break;
  }
  return ok ? std::string() : path + ": wrong JSON type or format";
}

std::string check_message(const json& v, const std::string& message, const std::string& path) {
  if (!v.is_object()) return path + ": expected an object (" + message + ")";
  const auto& spec = otlp_messages().at(message);
  for (const auto& item : v.items()) {
    const auto found = spec.find(item.key());
    if (found == spec.end()) return path + "." + item.key() + ": not a field of " + message;
    const Field& field = found->second;
    const std::string fpath = path + "." + item.key();
    const auto check_one = [&](const json& x, const std::string& p) {
      return field.kind == F::Message ? check_message(x, field.message, p) : check_scalar(x, field.kind, p);
    };
    if (field.repeated) {
      if (!item.value().is_array()) return fpath + ": expected an array";
      for (std::size_t i = 0; i < item.value().size(); ++i) {
        const std::string error = check_one(item.value()[i], fpath + "[" + std::to_string(i) + "]");
        if (!error.empty()) return error;
      }
    } else {
      const std::string error = check_one(item.value(), fpath);
      if (!error.empty()) return error;
    }
  }
  if (message == "AnyValue" && v.size() != 1) return path + ": AnyValue holds exactly one value";
  if (message == "Metric") {
    const int data = int(v.contains("gauge")) + int(v.contains("sum")) + int(v.contains("histogram")) +
                     int(v.contains("exponentialHistogram"));
    if (data != 1) return path + ": Metric holds exactly one of gauge, sum, histogram, exponentialHistogram";
  }
  if (message == "NumberDataPoint" && int(v.contains("asDouble")) + int(v.contains("asInt")) != 1) {
    return path + ": NumberDataPoint holds exactly one of asDouble, asInt";
  }
  return {};
}

const char* request_of(Signal signal) {
  switch (signal) {
    case Signal::Traces: return "ExportTraceServiceRequest";
    case Signal::Metrics: return "ExportMetricsServiceRequest";
    case Signal::Logs: return "ExportLogsServiceRequest";
    case Signal::Mixed: break;
  }
  return "";
}

// Parses and schema-checks every payload; returns the documents.
std::vector<json> parse_otlp(const RecordArray<Payload>& payloads, std::size_t cap) {
  std::vector<json> docs;
  for (const auto& p : payloads) {
    CHECK(p.body.size() <= cap);
    CHECK(is_valid_utf8(p.body));
    json doc = json::parse(p.body, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    REQUIRE(p.signal != Signal::Mixed);
    const std::string error = check_message(doc, request_of(p.signal), "$");
    CHECK_MESSAGE(error.empty(), error);
    docs.push_back(std::move(doc));
  }
  return docs;
}

Telemetry make(std::size_t cap, std::size_t max_records = 0) {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = cap;
  o.encode.max_records_per_payload = max_records;
  return Telemetry(o);
}

const json& metrics_of(const json& doc) { return doc["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]; }

// "key" -> AnyValue of a KeyValue list.
std::map<std::string, json> attributes_of(const json& list) {
  std::map<std::string, json> out;
  for (const auto& kv : list) out[kv["key"].get<std::string>()] = kv["value"];
  return out;
}

}  // namespace

TEST_CASE("the schema check rejects what OTLP JSON forbids") {
  // The checker must fail on the mistakes it exists to catch, or its silence proves nothing.
  const auto bad = [](const char* text) {
    return !check_message(json::parse(text), "ExportTraceServiceRequest", "$").empty();
  };
  CHECK_FALSE(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10",
      "spanId":"0102030405060708","startTimeUnixNano":"1700000000123000000","kind":2}]}]}]})"));
  CHECK(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"start_time_unix_nano":"1"}]}]}]})"));  // snake_case
  CHECK(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1}]}]}]})"));  // not a string
  CHECK(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AQIDBAUGBwgJCgsMDQ4PEA=="}]}]}]})"));  // base64
  CHECK(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SERVER"}]}]}]})"));  // enum name
  CHECK(bad(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"droppedAttributesCount":"3"}]}]}]})"));
  CHECK(bad(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"intValue":5}}]}}]})"));
  CHECK(bad(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{}}]}}]})"));
}

TEST_CASE("OTLP JSON splits by signal and follows the protobuf JSON mapping") {
  Telemetry t = make(4096);
  const auto route = t.intern("http.route");
  for (int i = 0; i < 40; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, 1000 + i);
    t.stage_string(route, "/r/" + std::to_string(i));
    t.record(t.series(MetricType::Counter, t.intern("hits"), t.intern("1")), 1, 1000 + i);
    t.stage(t.intern("n"), AttributeValue::of_int(i));
    t.log(LogLevel::Info, "line " + std::to_string(i), span, 1000 + i);
    t.end_span(span, 1010 + i);
  }
  t.record(t.series(MetricType::Histogram, t.intern("latency"), t.intern("ms")), 12, 1);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  const auto docs = parse_otlp(payloads, 4096);
  std::size_t spans = 0, points = 0, logs = 0;
  std::set<std::string> span_ids, routes;
  for (std::size_t k = 0; k < docs.size(); ++k) {
    const json& doc = docs[k];
    std::size_t in_payload = 0;
    if (payloads[k].signal == Signal::Traces) {
      const json& rs = doc["resourceSpans"][0];
      CHECK(rs["resource"]["attributes"][0]["key"] == "service.name");
      CHECK(rs["resource"]["attributes"][0]["value"]["stringValue"] == "checkout");
      for (const auto& s : rs["scopeSpans"][0]["spans"]) {
        CHECK(s["kind"] == 2);
        CHECK(s["endTimeUnixNano"].get<std::string>() == std::to_string((1010ULL + spans) * 1000000ULL));
        span_ids.insert(s["spanId"].get<std::string>());
        ++in_payload;
        ++spans;
      }
    } else if (payloads[k].signal == Signal::Metrics) {
      for (const auto& m : metrics_of(doc)) {
        if (m["name"] == "latency") {
          // A duration: an exponential histogram (one value at the highest scale), delta.
          CHECK(m["exponentialHistogram"]["aggregationTemporality"] == 1);
          const json& dp = m["exponentialHistogram"]["dataPoints"][0];
          CHECK(dp["count"] == "1");
          CHECK(dp["sum"] == 12);
          CHECK(dp["scale"] == 20);
          CHECK(dp["zeroCount"] == "0");
          CHECK(dp["positive"]["bucketCounts"] == json::array({"1"}));
          CHECK(dp["negative"]["bucketCounts"].empty());
          in_payload += m["exponentialHistogram"]["dataPoints"].size();
        } else {
          CHECK(m["name"] == "hits");
          CHECK(m["sum"]["aggregationTemporality"] == 1);
          CHECK(m["sum"]["isMonotonic"] == true);
          for (const auto& dp : m["sum"]["dataPoints"]) {
            routes.insert(dp["attributes"][0]["value"]["stringValue"].get<std::string>());
            CHECK(dp["asDouble"] == 1);
          }
          in_payload += m["sum"]["dataPoints"].size();
        }
      }
      points += in_payload;
    } else {
      for (const auto& l : doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"]) {
        CHECK(l["severityNumber"] == 9);
        CHECK(l["body"]["stringValue"] == "line " + std::to_string(logs));
        CHECK(l["attributes"][0]["value"]["intValue"] == std::to_string(logs));
        ++in_payload;
        ++logs;
      }
    }
    CHECK(in_payload == payloads[k].records);
  }
  CHECK(spans == 40);
  CHECK(span_ids.size() == 40);
  CHECK(points == 41);
  CHECK(routes.size() == 40);
  CHECK(logs == 40);
  CHECK(t.stats().records_shrunk == 0);
  CHECK(t.stats().records_dropped_oversize == 0);
}

TEST_CASE("OTLP puts every data point of one metric under one Metric") {
  Telemetry t = make(65536);
  const auto route = t.intern("route");
  const auto hits = t.intern("hits");
  const auto one = t.intern("1");
  const auto series_with_route = [&](MetricType type, std::int32_t name, std::int32_t unit, const char* value) {
    t.stage_string(route, value);
    return t.series(type, name, unit);
  };
  // Interleaved creation: grouping must not depend on the batch order.
  t.record(series_with_route(MetricType::Counter, hits, one, "/a"), 1, 10);
  t.record(series_with_route(MetricType::Histogram, t.intern("latency"), t.intern("ms"), "/a"), 5, 11);
  t.record(series_with_route(MetricType::Counter, hits, one, "/b"), 2, 12);
  t.record(series_with_route(MetricType::Counter, hits, t.intern("By"), "/a"), 3, 13);  // same name, other unit
  t.record(series_with_route(MetricType::UpDownCounter, t.intern("queue"), one, "/a"), -4, 14);
  t.record(series_with_route(MetricType::Counter, hits, one, "/c"), 3, 15);
  t.record(series_with_route(MetricType::Histogram, t.intern("latency"), t.intern("ms"), "/b"), 7, 16);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  REQUIRE(payloads.size() == 1);
  CHECK(payloads[0].records == 7);
  const json metrics = metrics_of(parse_otlp(payloads, 65536).at(0));
  REQUIRE(metrics.size() == 4);  // in order of first appearance
  CHECK(metrics[0]["name"] == "hits");
  CHECK(metrics[0]["unit"] == "1");
  const json& hit_points = metrics[0]["sum"]["dataPoints"];
  REQUIRE(hit_points.size() == 3);
  CHECK(hit_points[0]["attributes"][0]["value"]["stringValue"] == "/a");
  CHECK(hit_points[1]["attributes"][0]["value"]["stringValue"] == "/b");
  CHECK(hit_points[2]["attributes"][0]["value"]["stringValue"] == "/c");
  CHECK(hit_points[2]["asDouble"] == 3);
  CHECK(metrics[1]["name"] == "latency");
  CHECK(metrics[1]["exponentialHistogram"]["dataPoints"].size() == 2);
  CHECK(metrics[2]["name"] == "hits");
  CHECK(metrics[2]["unit"] == "By");
  CHECK(metrics[2]["sum"]["dataPoints"].size() == 1);
  CHECK(metrics[3]["name"] == "queue");
  CHECK(metrics[3]["sum"]["isMonotonic"] == false);
  CHECK(metrics[3]["sum"]["dataPoints"][0]["asDouble"] == -4);
}

TEST_CASE("a metric too large for one payload continues in the next, within the cap") {
  for (std::size_t cap : {1024u, 2000u, 4096u}) {
    for (std::size_t max_records : {0u, 1u, 7u}) {
      CAPTURE(cap);
      CAPTURE(max_records);
      Telemetry t = make(cap, max_records);
      const auto shard = t.intern("shard");
      for (int i = 0; i < 200; ++i) {
        t.stage(shard, AttributeValue::of_int(i));
        t.record(t.series(MetricType::Counter, t.intern("hits"), t.intern("1")), 1, 100);
        if (i % 50 == 0) t.record(t.series(MetricType::Gauge, t.intern("depth"), t.intern("1")), i, 100);
      }
      t.drain();
      const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
      CHECK(payloads.size() > 1);
      const auto docs = parse_otlp(payloads, cap);
      std::set<std::int64_t> shards;
      std::size_t depth_points = 0;
      for (std::size_t k = 0; k < docs.size(); ++k) {
        std::set<std::string> names_here;
        std::size_t in_payload = 0;
        for (const auto& m : metrics_of(docs[k])) {
          // One Metric per metric and payload: a continued metric is not split twice in one payload.
          CHECK(names_here.insert(m["name"].get<std::string>()).second);
          const json& points = m.contains("sum") ? m["sum"]["dataPoints"] : m["gauge"]["dataPoints"];
          CHECK_FALSE(points.empty());
          for (const auto& dp : points) {
            if (m["name"] == "hits") {
              CHECK(shards.insert(std::stoll(dp["attributes"][0]["value"]["intValue"].get<std::string>())).second);
            } else {
              ++depth_points;
            }
          }
          in_payload += points.size();
        }
        CHECK(in_payload == payloads[k].records);
        if (max_records != 0) CHECK(payloads[k].records <= max_records);
      }
      CHECK(shards.size() == 200);
      CHECK(depth_points == 1);  // one gauge series, recorded four times
      CHECK(t.stats().records_dropped_oversize == 0);
      CHECK(t.stats().records_shrunk == 0);
    }
  }
}

TEST_CASE("OTLP values keep their types: span, log and resource attributes and metric tags") {
  Telemetry t = make(65536);
  const auto stage_all = [&] {
    t.stage(t.intern("s"), AttributeValue::of_string("text"));
    t.stage(t.intern("i"), AttributeValue::of_int(-9007199254740993LL));  // not exact as a double
    t.stage(t.intern("d"), AttributeValue::of_double(0.1));
    t.stage(t.intern("b"), AttributeValue::of_bool(true));
  };
  stage_all();
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
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  const auto docs = parse_otlp(payloads, 65536);
  REQUIRE(docs.size() == 3);
  const auto expect_typed = [](const std::map<std::string, json>& a) {
    CHECK(a.at("s") == json{{"stringValue", "text"}});
    CHECK(a.at("i") == json{{"intValue", "-9007199254740993"}});
    CHECK(a.at("d") == json{{"doubleValue", 0.1}});
    CHECK(a.at("b") == json{{"boolValue", true}});
  };
  for (std::size_t k = 0; k < docs.size(); ++k) {
    CAPTURE(k);
    const char* resource_key = payloads[k].signal == Signal::Traces    ? "resourceSpans"
                               : payloads[k].signal == Signal::Metrics ? "resourceMetrics"
                                                                       : "resourceLogs";
    const auto resource = attributes_of(docs[k][resource_key][0]["resource"]["attributes"]);
    CHECK(resource.at("service.name") == json{{"stringValue", "checkout"}});
    CHECK(resource.size() == 5);  // every resource attribute, in every signal's payload
    expect_typed(resource);
  }
  expect_typed(attributes_of(docs[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"]));
  expect_typed(attributes_of(metrics_of(docs[1])[0]["gauge"]["dataPoints"][0]["attributes"]));
  expect_typed(attributes_of(docs[2]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["attributes"]));
}

TEST_CASE("an OTLP histogram that recorded a negative value has no sum but keeps min and max") {
  Telemetry t = make(65536);
  const auto signed_series = t.series(kExplicitHistogram, t.intern("delta"), t.intern("ms"));
  t.record(signed_series, 10, 1);
  t.record(signed_series, -4, 2);
  t.record(t.series(MetricType::Histogram, t.intern("latency"), t.intern("ms")), 0, 3);
  t.drain();
  const json metrics = metrics_of(parse_otlp(t.encode_drained(WireFormat::OtlpJson), 65536).at(0));
  REQUIRE(metrics.size() == 2);
  const json& negative = metrics[0]["histogram"]["dataPoints"][0];
  CHECK_FALSE(negative.contains("sum"));
  CHECK(negative["min"] == -4);
  CHECK(negative["max"] == 10);
  CHECK(negative["count"] == "2");
  const json& zero = metrics[1]["exponentialHistogram"]["dataPoints"][0];
  CHECK(zero["sum"] == 0);  // a non-negative population keeps its sum, even when it is 0
  CHECK(zero["min"] == 0);
  CHECK(zero["zeroCount"] == "1");
  // The native format has no such rule: its histograms always carry the sum.
  const json native = json::parse(t.encode_drained(WireFormat::NativeJson).at(0).body);
  CHECK(native["metrics"][0]["sum"] == 6);
  CHECK(native["metrics"][0]["min"] == -4);
}

TEST_CASE("an overflowed OTLP sum is written the proto3 JSON way, not as a number") {
  Batch batch;
  MetricPoint p;
  p.type = MetricType::Counter;
  p.name = "bytes";
  p.value = HUGE_VAL;  // 1e308 + 1e308: every recorded value was finite
  p.time_ms = 1;
  batch.metrics.push_back(p);
  Resource resource;
  resource.service = "checkout";
  Stats stats;
  const auto payloads = encode(WireFormat::OtlpJson, batch, resource, EncodeOptions{}, stats);
  const json metrics = metrics_of(parse_otlp(payloads, EncodeOptions{}.max_payload_bytes).at(0));
  CHECK(metrics[0]["sum"]["dataPoints"][0]["asDouble"] == "Infinity");
}

TEST_CASE("OTLP array attributes are arrayValue lists of typed AnyValues, for spans, logs and the resource") {
  Telemetry t = make(65536);
  const auto array_of = [](RecordArray<AttributeValue> elements) { return AttributeValue::of_array(std::move(elements)); };
  const auto stage_all = [&] {
    t.stage(t.intern("s"), array_of({AttributeValue::of_string("a"), AttributeValue::of_string("\"b\"")}));
    t.stage(t.intern("i"), array_of({AttributeValue::of_int(-9007199254740993LL), AttributeValue::of_int(7)}));
    t.stage(t.intern("d"), array_of({AttributeValue::of_double(0.1), AttributeValue::of_double(2)}));
    t.stage(t.intern("b"), array_of({AttributeValue::of_bool(false)}));
    t.stage(t.intern("e"), array_of({}));
  };
  stage_all();
  t.set_resource_from_stage();
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  stage_all();
  t.apply_staged_to_span(span);
  stage_all();
  t.add_event(span, t.intern("ev"), 2);
  stage_all();
  t.log(LogLevel::Info, "m", span, 2);
  t.end_span(span, 4);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  const auto docs = parse_otlp(payloads, 65536);  // the schema check knows ArrayValue
  REQUIRE(docs.size() == 2);
  const auto expect_arrays = [](const std::map<std::string, json>& a) {
    CHECK(a.at("s") == json::parse(R"({"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"\"b\""}]}})"));
    // int64 elements are decimal strings, as every OTLP intValue (exact beyond 2^53).
    CHECK(a.at("i") == json::parse(R"({"arrayValue":{"values":[{"intValue":"-9007199254740993"},{"intValue":"7"}]}})"));
    CHECK(a.at("d") == json::parse(R"({"arrayValue":{"values":[{"doubleValue":0.1},{"doubleValue":2}]}})"));
    CHECK(a.at("b") == json::parse(R"({"arrayValue":{"values":[{"boolValue":false}]}})"));
    CHECK(a.at("e") == json::parse(R"({"arrayValue":{}})"));  // proto3 JSON leaves an empty list out
  };
  expect_arrays(attributes_of(docs[0]["resourceSpans"][0]["resource"]["attributes"]));
  const json& span_json = docs[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  expect_arrays(attributes_of(span_json["attributes"]));
  expect_arrays(attributes_of(span_json["events"][0]["attributes"]));
  expect_arrays(attributes_of(docs[1]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["attributes"]));
  // The schema check itself rejects an array element that is not an AnyValue.
  CHECK_FALSE(check_message(json::parse(R"({"arrayValue":{"values":["a"]}})"), "AnyValue", "$").empty());
  CHECK_FALSE(check_message(json::parse(R"({"arrayValue":{"values":[{"intValue":5}]}})"), "AnyValue", "$").empty());
}
