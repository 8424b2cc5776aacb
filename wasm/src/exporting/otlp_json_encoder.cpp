// OTLP/HTTP JSON (opentelemetry-proto, "JSON Protobuf Encoding"): lowerCamelCase field names,
// trace and span ids as hex strings (not base64), enums as integers, 64-bit integers as strings.
// One payload per signal, since each signal has its own endpoint (/v1/traces, /v1/metrics,
// /v1/logs).
#include <string>

#include "edgescope/json_writer.hpp"
#include "edgescope/payload_packer.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {
namespace {

constexpr const char* kScope = "{\"name\":\"edgescope\",\"version\":\"0.1.0\"}";

void append_any_value(std::string& out, const AttributeValue& v, bool compact) {
  switch (v.type) {
    case AttributeType::String:
      out.append("{\"stringValue\":");
      append_json_string(out, compact ? truncate_utf8(v.text, kCompactValueBytes) : std::string_view(v.text));
      break;
    case AttributeType::Int:
      out.append("{\"intValue\":\"");
      append_json_int(out, v.integer);
      out.push_back('"');
      break;
    case AttributeType::Double:
      out.append("{\"doubleValue\":");
      append_double(out, v.number);
      break;
    case AttributeType::Bool: out.append(v.boolean ? "{\"boolValue\":true" : "{\"boolValue\":false"); break;
  }
  out.push_back('}');
}

void append_key_values(std::string& out, const Attributes& attributes, bool compact) {
  out.push_back('[');
  std::size_t written = 0;
  for (const auto& a : attributes) {
    if (compact && written == kCompactMaxAttributes) break;
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
}

void append_tags(std::string& out, const std::vector<Tag>& tags) {
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
  std::string out = "{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":";
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
  return out;
}

void encode_span(const Span& s, bool compact, std::string& out) {
  out.append("{\"traceId\":\"");
  append_hex(out, s.trace_id);
  out.append("\",\"spanId\":\"");
  append_hex(out, s.span_id);
  out.push_back('"');
  if (s.parent_span_id != 0) {
    out.append(",\"parentSpanId\":\"");
    append_hex(out, s.parent_span_id);
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
  append_key_values(out, s.attributes, compact);
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
      out.push_back('}');
    }
  }
  out.push_back(']');
  const std::uint32_t dropped = s.dropped_events + (compact ? static_cast<std::uint32_t>(s.events.size()) : 0u);
  if (dropped > 0) {
    out.append(",\"droppedEventsCount\":");
    append_json_uint(out, dropped);
  }
  out.append(",\"status\":{\"code\":");
  append_json_uint(out, static_cast<std::uint64_t>(s.status));
  if (!s.status_message.empty()) {
    out.append(",\"message\":");
    append_json_string(out, compact ? truncate_utf8(s.status_message, kCompactValueBytes)
                                    : std::string_view(s.status_message));
  }
  out.append("}}");
}

void append_point_head(std::string& out, const MetricPoint& p) {
  out.append("{\"attributes\":");
  append_tags(out, p.tags);
  out.append(",\"startTimeUnixNano\":");
  append_json_unix_nanos(out, p.start_ms);
  out.append(",\"timeUnixNano\":");
  append_json_unix_nanos(out, p.time_ms);
}

void encode_metric(const MetricPoint& p, bool /*compact*/, std::string& out) {
  out.append("{\"name\":");
  append_json_string(out, p.name);
  out.append(",\"unit\":");
  append_json_string(out, p.unit);
  switch (p.type) {
    case MetricType::Counter:
    case MetricType::UpDownCounter:
      out.append(",\"sum\":{\"dataPoints\":[");
      append_point_head(out, p);
      out.append(",\"asDouble\":");
      append_double(out, p.value);
      // aggregationTemporality 1 = DELTA: each drain reports what happened since the last one.
      out.append("}],\"aggregationTemporality\":1,\"isMonotonic\":");
      out.append(p.type == MetricType::Counter ? "true}" : "false}");
      break;
    case MetricType::Gauge:
      out.append(",\"gauge\":{\"dataPoints\":[");
      append_point_head(out, p);
      out.append(",\"asDouble\":");
      append_double(out, p.value);
      out.append("}]}");
      break;
    case MetricType::Histogram:
      out.append(",\"histogram\":{\"dataPoints\":[");
      append_point_head(out, p);
      out.append(",\"count\":\"");
      append_json_uint(out, p.count);
      out.append("\",\"sum\":");
      append_double(out, p.value);
      out.append(",\"min\":");
      append_double(out, p.min);
      out.append(",\"max\":");
      append_double(out, p.max);
      out.append(",\"bucketCounts\":");
      append_json_uints(out, p.buckets, true);
      out.append(",\"explicitBounds\":");
      append_json_doubles(out, p.bounds);
      out.append("}],\"aggregationTemporality\":1}");
      break;
  }
  out.push_back('}');
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

void encode_log(const LogRecord& r, bool compact, std::string& out) {
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
  append_key_values(out, r.attributes, compact);
  if (r.trace_id.is_valid()) {
    out.append(",\"traceId\":\"");
    append_hex(out, r.trace_id);
    out.append("\",\"spanId\":\"");
    append_hex(out, r.span_id);
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

std::vector<Payload> encode_otlp_json(const Batch& batch, const Resource& resource, const EncodeOptions& options,
                                      Stats& stats) {
  const std::string res = resource_json(resource);
  std::vector<Payload> out;
  const auto collect = [&](PayloadPacker& packer) {
    for (auto& p : packer.finish()) out.push_back(std::move(p));
  };
  PayloadPacker traces = packer_for(Signal::Traces, "resourceSpans", "scopeSpans", "spans", res, options);
  pack_all(traces, 0, batch.spans, encode_span, stats);
  collect(traces);
  PayloadPacker metrics = packer_for(Signal::Metrics, "resourceMetrics", "scopeMetrics", "metrics", res, options);
  pack_all(metrics, 0, batch.metrics, encode_metric, stats);
  collect(metrics);
  PayloadPacker logs = packer_for(Signal::Logs, "resourceLogs", "scopeLogs", "logRecords", res, options);
  pack_all(logs, 0, batch.logs, encode_log, stats);
  collect(logs);
  return out;
}

}  // namespace edgescope
