// The native ingest JSON: { version, service, batchId, resource, metrics?, spans?, logs? } (README.md, "Wire formats").
// Times are milliseconds since the Unix epoch, as numbers: the host's double written as the
// shortest decimal that reads back to it, so no precision is lost (integers below 1e15 are
// written whole: 1700000000123 stays 1700000000123).
#include <cstdint>
#include <string>

#include "edgescope/json_writer.hpp"
#include "edgescope/payload_packer.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {
namespace {

// js/wire/schema.js NATIVE_FORMAT_VERSION: bump both together, only for a change an older
// receiver would misread.
constexpr const char* kNativeFormatVersion = "1";

std::string_view cut(std::string_view text, bool compact, std::size_t compact_bytes) {
  return compact ? truncate_utf8(text, compact_bytes) : text;
}

void append_scalar(JsonBuffer& out, const AttributeValue& v, std::size_t max_text) {
  switch (v.type) {
    case AttributeType::String: append_json_string(out, truncate_utf8(v.text, max_text)); break;
    case AttributeType::Int: append_json_int(out, v.integer); break;
    case AttributeType::Double: append_double(out, v.number); break;
    case AttributeType::Bool: out.append(v.boolean ? "true" : "false"); break;
    case AttributeType::Array: out.append("null"); break;  // never an element (attributes.hpp)
  }
}

// A value as JSON of its own type. An array is a JSON array of its typed elements (["a","b"],
// [1,2], [0.5,1], [true]; integers as numbers like scalar ints), never the array's text in a
// string. A compact record shows an array's first kCompactArrayElements elements, strings cut to
// kCompactArrayElementBytes (attributes.hpp).
void append_value(JsonBuffer& out, const AttributeValue& v, bool compact) {
  constexpr std::size_t kWhole = static_cast<std::size_t>(-1);
  if (v.type != AttributeType::Array) {
    append_scalar(out, v, compact ? kCompactValueBytes : kWhole);
    return;
  }
  const std::size_t n = compact && v.elements.size() > kCompactArrayElements ? kCompactArrayElements : v.elements.size();
  out.push_back('[');
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out.push_back(',');
    append_scalar(out, v.elements[i], compact ? kCompactArrayElementBytes : kWhole);
  }
  out.push_back(']');
}

// Attributes as a JSON object; `skip_prefix` leaves out keys that were lifted elsewhere. Returns
// how many attributes compact mode left out (they join the record's dropped count).
std::uint32_t append_attributes(JsonBuffer& out, const Attributes& attributes, bool compact,
                                std::string_view skip_prefix = {}) {
  out.push_back('{');
  std::size_t written = 0;
  std::uint32_t cut_off = 0;
  for (const auto& a : attributes) {
    if (!skip_prefix.empty() && a.key.compare(0, skip_prefix.size(), skip_prefix) == 0) continue;
    if (compact && (written == kCompactMaxAttributes || a.key == kTruncatedKey)) {
      ++cut_off;
      continue;
    }
    if (written++ > 0) out.push_back(',');
    append_json_string(out, a.key);
    out.push_back(':');
    append_value(out, a.value, compact);
  }
  if (compact) {
    if (written > 0) out.push_back(',');
    out.append("\"edgescope.truncated\":true");
  }
  out.push_back('}');
  return cut_off;
}

// The native equivalent of OTLP's dropped*Count fields, with the same names, likewise left out
// when zero.
void append_dropped(JsonBuffer& out, const char* field, std::uint64_t count) {
  if (count == 0) return;
  out.append(",\"");
  out.append(field);
  out.append("\":");
  append_json_uint(out, count);
}

const char* status_name(StatusCode code) {
  switch (code) {
    case StatusCode::Ok: return "ok";
    case StatusCode::Error: return "error";
    case StatusCode::Unset: return "unset";
  }
  return "unset";
}

const char* kind_name(SpanKind kind) {
  switch (kind) {
    case SpanKind::Internal: return "internal";
    case SpanKind::Server: return "server";
    case SpanKind::Client: return "client";
    case SpanKind::Producer: return "producer";
    case SpanKind::Consumer: return "consumer";
  }
  return "internal";
}

void encode_metric(const MetricPoint& p, bool /*compact: points are small and bounded*/, std::string& target) {
  JsonBuffer out(target);
  out.append("{\"name\":");
  append_json_string(out, p.name);
  out.append(",\"value\":");
  append_double(out, p.value);
  out.append(",\"unit\":");
  append_json_string(out, p.unit);
  out.append(",\"timestamp\":");
  append_double(out, p.time_ms);
  out.append(",\"tags\":{");
  for (std::size_t i = 0; i < p.tags.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, p.tags[i].key);
    out.push_back(':');
    append_value(out, p.tags[i].value, false);
  }
  out.append("},\"type\":");
  // The native format knows counter, gauge and histogram; an up-down counter is a counter whose
  // delta may be negative, flagged so a receiver does not treat it as monotonic.
  switch (p.type) {
    case MetricType::Counter: out.append("\"counter\""); break;
    case MetricType::UpDownCounter: out.append("\"counter\",\"monotonic\":false"); break;
    case MetricType::Gauge: out.append("\"gauge\""); break;
    case MetricType::Histogram: out.append("\"histogram\""); break;
  }
  out.append(",\"startTime\":");
  append_double(out, p.start_ms);
  if (p.type == MetricType::Histogram) {
    out.append(",\"count\":");
    append_json_uint(out, p.count);
    out.append(",\"sum\":");
    append_double(out, p.value);
    out.append(",\"min\":");
    append_double(out, p.min);
    out.append(",\"max\":");
    append_double(out, p.max);
    if (p.exponential) {
      // The sketch itself (what exp_histogram_from_json reads back), so a collector can merge
      // isolates and windows; p50/p95/p99 are estimates from this flush's values alone.
      out.append(",\"exponential\":");
      monitoring::append_exp_histogram_json(out, p.sketch);
      out.append(",\"p50\":");
      append_double(out, p.sketch.quantile(0.5));
      out.append(",\"p95\":");
      append_double(out, p.sketch.quantile(0.95));
      out.append(",\"p99\":");
      append_double(out, p.sketch.quantile(0.99));
    } else {
      out.append(",\"bounds\":");
      append_json_doubles(out, p.bounds);
      out.append(",\"bucketCounts\":");
      append_json_uints(out, p.buckets, false);
    }
  }
  out.push_back('}');
}

void encode_span(const Span& s, const std::string& service, bool compact, std::string& target) {
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
  out.append(",\"operationName\":");
  append_json_string(out, cut(s.name, compact, kCompactValueBytes));
  out.append(",\"service\":");
  append_json_string(out, service);
  out.append(",\"kind\":\"");
  out.append(kind_name(s.kind));
  out.append("\",\"startTime\":");
  append_double(out, s.start_ms);
  out.append(",\"endTime\":");
  append_double(out, s.end_ms);
  out.append(",\"duration\":");
  append_double(out, s.end_ms - s.start_ms);
  out.append(",\"status\":\"");
  out.append(status_name(s.status));
  out.push_back('"');
  if (!s.status_message.empty()) {
    out.append(",\"statusMessage\":");
    append_json_string(out, cut(s.status_message, compact, kCompactValueBytes));
  }
  out.append(",\"attributes\":");
  const std::uint32_t cut_off = append_attributes(out, s.attributes, compact);
  append_dropped(out, "droppedAttributesCount", std::uint64_t{s.dropped_attributes} + cut_off);
  out.append(",\"events\":[");
  if (!compact) {
    for (std::size_t i = 0; i < s.events.size(); ++i) {
      const SpanEvent& e = s.events[i];
      if (i > 0) out.push_back(',');
      out.append("{\"name\":");
      append_json_string(out, e.name);
      out.append(",\"timestamp\":");
      append_double(out, e.time_ms);
      out.append(",\"attributes\":");
      append_attributes(out, e.attributes, false);
      append_dropped(out, "droppedAttributesCount", e.dropped_attributes);
      out.push_back('}');
    }
  }
  out.push_back(']');
  // Compact mode leaves every event out; they count as dropped, as in OTLP.
  append_dropped(out, "droppedEventsCount", std::uint64_t{s.dropped_events} + (compact ? s.events.size() : 0));
  out.push_back('}');
}

const AttributeValue* find(const Attributes& attributes, std::string_view key) {
  for (const auto& a : attributes) if (a.key == key) return &a.value;
  return nullptr;
}

void encode_log(const LogRecord& r, bool compact, std::string& target) {
  JsonBuffer out(target);
  out.append("{\"timestamp\":");
  append_double(out, r.time_ms);
  out.append(",\"level\":\"");
  out.append(log_level_name(r.level));
  out.append("\",\"message\":");
  append_json_string(out, cut(r.message, compact, 1024));
  out.append(",\"context\":");
  // exception.* (OpenTelemetry semantic conventions) is lifted into the native `error` object.
  const std::uint32_t cut_off = append_attributes(out, r.attributes, compact, "exception.");
  append_dropped(out, "droppedAttributesCount", std::uint64_t{r.dropped_attributes} + cut_off);
  const AttributeValue* type = find(r.attributes, "exception.type");
  const AttributeValue* message = find(r.attributes, "exception.message");
  const AttributeValue* stack = find(r.attributes, "exception.stacktrace");
  if (type || message || stack) {
    out.append(",\"error\":{");
    bool first = true;
    const auto field = [&](const char* name, const AttributeValue* v) {
      if (!v) return;
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, name);
      out.push_back(':');
      append_json_string(out, cut(v->to_text(), compact, 1024));
    };
    field("name", type);
    field("message", message);
    field("stack", stack);
    out.push_back('}');
  }
  if (r.trace_id.is_valid()) {
    out.append(",\"metadata\":{\"traceId\":\"");
    append_hex_id(out, r.trace_id);
    out.append("\",\"spanId\":\"");
    append_hex_id(out, r.span_id);
    out.append("\"}");
  }
  out.push_back('}');
}

}  // namespace

RecordArray<Payload> encode_native_json(const Batch& batch, const Resource& resource, const EncodeOptions& options,
                                        OversizeLedger& ledger, Stats& stats) {
  // Every payload carries the resource: an object of its attributes, service.name first (the
  // same set OTLP puts in Resource.attributes). `service` stays for receivers that key on it.
  std::string open;
  std::size_t batch_id_at = 0;
  {
    JsonBuffer out(open);
    // The format version comes first, in fixed bytes, so a receiver can pick its decoder before
    // reading the rest; a payload without it is from a sender older than the field (version 0,
    // the same shape). The packer counts these bytes in the open, so the payload cap stays exact.
    out.append("{\"version\":");
    out.append(std::string_view(kNativeFormatVersion));
    out.append(",\"service\":");
    append_json_string(out, resource.service);
    // The payload's batch id (assign_batch_ids writes it over the placeholder): receivers
    // de-duplicate on it, like on the Idempotency-Key header.
    out.append(",\"batchId\":\"");
    batch_id_at = out.size();
    out.append(std::string_view(kBatchIdPlaceholder));
    out.push_back('"');
    out.append(",\"resource\":{\"service.name\":");
    append_json_string(out, resource.service);
    for (const auto& a : resource.attributes) {
      if (a.key == "service.name") continue;  // Resource::service wins
      out.push_back(',');
      append_json_string(out, a.key);
      out.push_back(':');
      append_value(out, a.value, false);
    }
    out.push_back('}');
  }
  PayloadPacker packer(Signal::Mixed, std::move(open), "}",
                       {{",\"metrics\":[", "]"}, {",\"spans\":[", "]"}, {",\"logs\":[", "]"}}, options);
  packer.carry_batch_id_at(batch_id_at);
  pack_all(packer, 0, Signal::Metrics, batch.metrics, encode_metric, ledger, stats);
  pack_all(
      packer, 1, Signal::Traces, batch.spans,
      [&](const Span& s, bool compact, std::string& out) { encode_span(s, resource.service, compact, out); },
      ledger, stats);
  pack_all(packer, 2, Signal::Logs, batch.logs, encode_log, ledger, stats);
  return packer.finish();
}

}  // namespace edgescope
