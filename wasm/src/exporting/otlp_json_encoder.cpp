// OTLP/HTTP JSON (OTLP specification, "JSON Protobuf Encoding", over the messages of
// opentelemetry-proto trace/v1, metrics/v1, logs/v1): lowerCamelCase field names, trace and span
// ids as hex strings (not base64), enums as integers, 64-bit integers (fixed64 times, counts,
// intValue) as decimal strings, zero-valued optional counts left out. One payload per signal,
// since each signal has its own endpoint (/v1/traces, /v1/metrics, /v1/logs). Times are exact:
// see unix_micros_from_ms.
#include <cmath>
#include <cstdint>
#include <string>

#include "edgescope/json_writer.hpp"
#include "edgescope/payload_packer.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {
namespace {

constexpr const char* kScope = "{\"name\":\"edgescope\",\"version\":\"0.1.0\"}";

// A double field. NaN and infinities are refused on entry (attribute doubles become strings),
// but a metric sum can still overflow; the proto3 JSON mapping writes non-finite doubles as
// these strings, JSON having no literal for them.
void append_proto_double(JsonBuffer& out, double value) {
  if (std::isnan(value)) out.append("\"NaN\"");
  else if (std::isinf(value)) out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else append_double(out, value);
}

// A scalar AnyValue; strings cut to `max_text` bytes (compact records).
void append_scalar_value(JsonBuffer& out, const AttributeValue& v, std::size_t max_text) {
  switch (v.type) {
    case AttributeType::String:
      out.append("{\"stringValue\":");
      append_json_string(out, truncate_utf8(v.text, max_text));
      break;
    case AttributeType::Int:
      out.append("{\"intValue\":\"");
      append_json_int(out, v.integer);
      out.push_back('"');
      break;
    case AttributeType::Double:
      out.append("{\"doubleValue\":");
      append_proto_double(out, v.number);
      break;
    case AttributeType::Bool: out.append(v.boolean ? "{\"boolValue\":true" : "{\"boolValue\":false"); break;
    case AttributeType::Array: out.append("{\"stringValue\":\"\""); break;  // never an element (attributes.hpp)
  }
  out.push_back('}');
}

// common.proto AnyValue. An array is {"arrayValue":{"values":[AnyValue, ...]}} (ArrayValue), its
// elements each one AnyValue of the array's type (int64 as decimal strings, as everywhere); an
// empty array is {"arrayValue":{}}, proto3 JSON leaving an empty repeated field out. A compact
// record shows an array's first kCompactArrayElements elements, strings cut to
// kCompactArrayElementBytes (attributes.hpp).
void append_any_value(JsonBuffer& out, const AttributeValue& v, bool compact) {
  constexpr std::size_t kWhole = static_cast<std::size_t>(-1);
  if (v.type != AttributeType::Array) {
    append_scalar_value(out, v, compact ? kCompactValueBytes : kWhole);
    return;
  }
  out.append("{\"arrayValue\":{");
  const std::size_t n = compact && v.elements.size() > kCompactArrayElements ? kCompactArrayElements : v.elements.size();
  if (n > 0) {
    out.append("\"values\":[");
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out.push_back(',');
      append_scalar_value(out, v.elements[i], compact ? kCompactArrayElementBytes : kWhole);
    }
    out.push_back(']');
  }
  out.append("}}");
}

// Returns how many attributes compact mode left out (they join droppedAttributesCount).
std::uint32_t append_key_values(JsonBuffer& out, const Attributes& attributes, bool compact) {
  out.push_back('[');
  std::size_t written = 0;
  for (const auto& a : attributes) {
    if (compact && (written == kCompactMaxAttributes || a.key == kTruncatedKey)) continue;
    if (written++ > 0) out.push_back(',');
    out.append("{\"key\":");
    append_json_string(out, a.key);
    out.append(",\"value\":");
    append_any_value(out, a.value, compact);
    out.push_back('}');
  }
  if (compact) {
    if (written > 0) out.push_back(',');
    out.append("{\"key\":\"edgescope.truncated\",\"value\":{\"boolValue\":true}}");
  }
  out.push_back(']');
  return static_cast<std::uint32_t>(attributes.size() - written);
}

// dropped*Count fields are uint32 (a JSON number) and, as proto3 JSON allows for zero values,
// left out when zero.
void append_dropped(JsonBuffer& out, const char* field, std::uint64_t count) {
  if (count == 0) return;
  out.append(",\"");
  out.append(field);
  out.append("\":");
  append_json_uint(out, count);
}

void append_tags(JsonBuffer& out, const RecordArray<Tag>& tags) {
  out.push_back('[');
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"key\":");
    append_json_string(out, tags[i].key);
    out.append(",\"value\":");
    append_any_value(out, tags[i].value, false);
    out.push_back('}');
  }
  out.push_back(']');
}

std::string resource_json(const Resource& resource) {
  std::string text;
  {
    JsonBuffer out(text);
    out.append("{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":");
    append_json_string(out, resource.service);
    out.append("}}");
    for (const auto& a : resource.attributes) {
      if (a.key == "service.name") continue;
      out.append(",{\"key\":");
      append_json_string(out, a.key);
      out.append(",\"value\":");
      append_any_value(out, a.value, false);
      out.push_back('}');
    }
    out.append("]}");
  }
  return text;
}

void encode_span(const Span& s, bool compact, std::string& target) {
  JsonBuffer out(target);
  out.append("{\"traceId\":\"");
  append_hex_id(out, s.trace_id);
  out.append("\",\"spanId\":\"");
  append_hex_id(out, s.span_id);
  out.push_back('"');
  if (s.parent_span_id != 0) {
    out.append(",\"parentSpanId\":\"");
    append_hex_id(out, s.parent_span_id);
    out.push_back('"');
  }
  if (!s.tracestate.empty()) {
    out.append(",\"traceState\":");
    append_json_string(out, s.tracestate);
  }
  out.append(",\"flags\":");
  append_json_uint(out, s.flags);  // OTLP SpanFlags: the low byte carries the W3C trace flags
  out.append(",\"name\":");
  append_json_string(out, compact ? truncate_utf8(s.name, kCompactValueBytes) : std::string_view(s.name));
  out.append(",\"kind\":");
  append_json_uint(out, static_cast<std::uint64_t>(s.kind));
  out.append(",\"startTimeUnixNano\":");
  append_json_unix_nanos(out, s.start_ms);
  out.append(",\"endTimeUnixNano\":");
  append_json_unix_nanos(out, s.end_ms);
  out.append(",\"attributes\":");
  const std::uint32_t cut_off = append_key_values(out, s.attributes, compact);
  append_dropped(out, "droppedAttributesCount", std::uint64_t{s.dropped_attributes} + cut_off);
  out.append(",\"events\":[");
  if (!compact) {
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append("{\"timeUnixNano\":");
      append_json_unix_nanos(out, s.events[i].time_ms);
      out.append(",\"name\":");
      append_json_string(out, s.events[i].name);
      out.append(",\"attributes\":");
      append_key_values(out, s.events[i].attributes, false);
      append_dropped(out, "droppedAttributesCount", s.events[i].dropped_attributes);
      out.push_back('}');
    }
  }
  out.push_back(']');
  // Compact mode leaves every event out; they count as dropped.
  append_dropped(out, "droppedEventsCount", std::uint64_t{s.dropped_events} + (compact ? s.events.size() : 0));
  out.append(",\"status\":{\"code\":");
  append_json_uint(out, static_cast<std::uint64_t>(s.status));
  if (!s.status_message.empty()) {
    out.append(",\"message\":");
    append_json_string(out, compact ? truncate_utf8(s.status_message, kCompactValueBytes)
                                    : std::string_view(s.status_message));
  }
  out.append("}}");
}

// One data point (NumberDataPoint or HistogramDataPoint); its Metric frame is metric_group's.
void encode_data_point(const MetricPoint& p, bool /*compact: no shorter form*/, std::string& target) {
  JsonBuffer out(target);
  out.append("{\"attributes\":");
  append_tags(out, p.tags);
  out.append(",\"startTimeUnixNano\":");
  append_json_unix_nanos(out, p.start_ms);
  out.append(",\"timeUnixNano\":");
  append_json_unix_nanos(out, p.time_ms);
  if (p.type != MetricType::Histogram) {
    out.append(",\"asDouble\":");
    append_proto_double(out, p.value);
    out.push_back('}');
    return;
  }
  out.append(",\"count\":\"");
  append_json_uint(out, p.count);
  out.push_back('"');
  // HistogramDataPoint.sum: "Negative events *can* be recorded, but sum should not be filled
  // out when doing so" (metrics.proto, for OpenMetrics compatibility). min/max still tell.
  if (p.min >= 0) {
    out.append(",\"sum\":");
    append_proto_double(out, p.value);
  }
  if (p.exponential) {
    // ExponentialHistogramDataPoint: scale and offsets are sint32 (JSON numbers), zero_count
    // fixed64 and bucket_counts uint64 (JSON strings: proto3 JSON mapping of 64-bit integers).
    out.push_back(',');
    monitoring::append_exp_buckets_json(out, p.sketch, true);
  } else {
    out.append(",\"bucketCounts\":");
    append_json_uints(out, p.buckets, true);
    out.append(",\"explicitBounds\":");
    append_json_doubles(out, p.bounds);
  }
  out.append(",\"min\":");
  append_proto_double(out, p.min);
  out.append(",\"max\":");
  append_proto_double(out, p.max);
  out.push_back('}');
}

// The Metric around the data points of one metric: same name, unit and type (a Sum's
// monotonicity is part of the type: Counter vs UpDownCounter).
RecordGroup metric_group(const MetricPoint& p, std::size_t id) {
  RecordGroup g;
  g.id = id;
  g.open = "{\"name\":";
  append_json_string(g.open, p.name);
  g.open.append(",\"unit\":");
  append_json_string(g.open, p.unit);
  switch (p.type) {
    case MetricType::Counter:
    case MetricType::UpDownCounter:
      g.open.append(",\"sum\":{\"dataPoints\":[");
      // aggregationTemporality 1 = DELTA: each drain reports what happened since the last one.
      g.close = p.type == MetricType::Counter ? "],\"aggregationTemporality\":1,\"isMonotonic\":true}}"
                                              : "],\"aggregationTemporality\":1,\"isMonotonic\":false}}";
      break;
    case MetricType::Gauge:
      g.open.append(",\"gauge\":{\"dataPoints\":[");
      g.close = "]}}";
      break;
    case MetricType::Histogram:
      g.open.append(p.exponential ? ",\"exponentialHistogram\":{\"dataPoints\":[" : ",\"histogram\":{\"dataPoints\":[");
      g.close = "],\"aggregationTemporality\":1}}";
      break;
  }
  return g;
}

// Packs the batch's points metric by metric (metrics in order of first appearance, points in
// batch order), so each Metric carries all its data points, split across payloads only when a
// payload fills up.
void pack_metrics(PayloadPacker& packer, const RecordArray<MetricPoint>& points, OversizeLedger& ledger,
                  Stats& stats) {
  const RecordArray<GrowArray<std::size_t>> members = group_metric_points(points);
  std::string buffer;
  for (std::size_t g = 0; g < members.size(); ++g) {
    const RecordGroup group = metric_group(points[members[g].front()], g);
    for (const std::size_t i : members[g]) {
      pack_record(
          packer, 0, &group, Signal::Metrics, i,
          [&](bool compact, std::string& out) { encode_data_point(points[i], compact, out); }, buffer, ledger, stats);
    }
  }
}

const char* severity_text(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Fatal: return "FATAL";
  }
  return "INFO";
}

void encode_log(const LogRecord& r, bool compact, std::string& target) {
  JsonBuffer out(target);
  out.append("{\"timeUnixNano\":");
  append_json_unix_nanos(out, r.time_ms);
  out.append(",\"observedTimeUnixNano\":");
  append_json_unix_nanos(out, r.time_ms);
  out.append(",\"severityNumber\":");
  append_json_uint(out, static_cast<std::uint64_t>(r.level));
  out.append(",\"severityText\":\"");
  out.append(severity_text(r.level));
  out.append("\",\"body\":{\"stringValue\":");
  append_json_string(out, compact ? truncate_utf8(r.message, 1024) : std::string_view(r.message));
  out.append("},\"attributes\":");
  const std::uint32_t cut_off = append_key_values(out, r.attributes, compact);
  append_dropped(out, "droppedAttributesCount", std::uint64_t{r.dropped_attributes} + cut_off);
  if (r.trace_id.is_valid()) {
    out.append(",\"traceId\":\"");
    append_hex_id(out, r.trace_id);
    out.append("\",\"spanId\":\"");
    append_hex_id(out, r.span_id);
    out.push_back('"');
  }
  out.push_back('}');
}

PayloadPacker packer_for(Signal signal, const char* resource_key, const char* scope_key, const char* records_key,
                         const std::string& resource, const EncodeOptions& options) {
  std::string open = std::string("{\"") + resource_key + "\":[{\"resource\":" + resource + ",\"" + scope_key +
                     "\":[{\"scope\":" + kScope + ",\"" + records_key + "\":[";
  return PayloadPacker(signal, "", "", {{std::move(open), "]}]}]}"}}, options);
}

}  // namespace

RecordArray<Payload> encode_otlp_json(const Batch& batch, const Resource& resource, const EncodeOptions& options,
                                      OversizeLedger& ledger, Stats& stats) {
  const std::string res = resource_json(resource);
  RecordArray<Payload> out;
  const auto collect = [&](PayloadPacker& packer) {
    for (auto& p : packer.finish()) out.push_back(std::move(p));
  };
  PayloadPacker traces = packer_for(Signal::Traces, "resourceSpans", "scopeSpans", "spans", res, options);
  pack_all(traces, 0, Signal::Traces, batch.spans, encode_span, ledger, stats);
  collect(traces);
  PayloadPacker metrics = packer_for(Signal::Metrics, "resourceMetrics", "scopeMetrics", "metrics", res, options);
  pack_metrics(metrics, batch.metrics, ledger, stats);
  collect(metrics);
  PayloadPacker logs = packer_for(Signal::Logs, "resourceLogs", "scopeLogs", "logRecords", res, options);
  pack_all(logs, 0, Signal::Logs, batch.logs, encode_log, ledger, stats);
  collect(logs);
  return out;
}

}  // namespace edgescope
