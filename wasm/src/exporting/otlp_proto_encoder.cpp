// OTLP/HTTP protobuf (OTLP specification, "Binary Protobuf Encoding"): the messages of
// opentelemetry-proto collector/{trace,metrics,logs}/v1, one Export*ServiceRequest per payload
// and one signal per payload, each signal having its own endpoint (/v1/traces, ...). It carries
// exactly what the OTLP JSON encoder (otlp_json_encoder.cpp) writes, value for value: the two
// are the same message in two encodings, which tests/js/otlp-proto-equivalence.test.js checks
// with an independent decoder. Ids are raw bytes (big-endian, as their hex is written), times
// fixed64 nanoseconds (unix_micros_from_ms), enums varints. No batch id in the body: OTLP
// carries it only as the Idempotency-Key header.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edgescope/json_writer.hpp"
#include "edgescope/payload_packer.hpp"
#include "edgescope/proto_packer.hpp"
#include "edgescope/proto_writer.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {
namespace {

using proto::ProtoSink;

// InstrumentationScope, as otlp_json_encoder.cpp names it.
constexpr std::string_view kScopeName = "edgescope";
constexpr std::string_view kScopeVersion = "0.1.0";
constexpr std::size_t kWhole = static_cast<std::size_t>(-1);

std::uint64_t unix_nanos(double time_ms) { return unix_micros_from_ms(time_ms) * 1000; }

void put_be(char* buf, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) buf[i] = static_cast<char>(static_cast<std::uint8_t>(v));
}

// trace_id / span_id: bytes in the order their hex digits are written (W3C Trace Context).
void trace_id_field(ProtoSink& s, std::uint32_t field, const TraceId& id) {
  char buf[16];
  put_be(buf, id.high);
  put_be(buf + 8, id.low);
  s.string_present(field, std::string_view(buf, 16));
}

void span_id_field(ProtoSink& s, std::uint32_t field, SpanId id) {
  char buf[8];
  put_be(buf, id);
  s.string_present(field, std::string_view(buf, 8));
}

// AnyValue's oneof member (common.proto): present even when zero or empty.
void scalar_value(ProtoSink& s, const AttributeValue& v, std::size_t max_text) {
  switch (v.type) {
    case AttributeType::String: s.string_present(1, truncate_utf8(v.text, max_text)); break;
    case AttributeType::Bool: s.uint_present(2, v.boolean ? 1 : 0); break;
    case AttributeType::Int: s.int_present(3, v.integer); break;
    case AttributeType::Double: s.double_present(4, v.number); break;
    case AttributeType::Array: s.string_present(1, ""); break;  // never an element (attributes.hpp)
  }
}

// AnyValue; an array is ArrayValue (5) { repeated AnyValue values = 1 }, compact as in JSON.
void any_value(ProtoSink& s, const AttributeValue& v, bool compact) {
  if (v.type != AttributeType::Array) {
    scalar_value(s, v, compact ? kCompactValueBytes : kWhole);
    return;
  }
  s.begin(5);
  const std::size_t n = compact && v.elements.size() > kCompactArrayElements ? kCompactArrayElements : v.elements.size();
  for (std::size_t i = 0; i < n; ++i) {
    s.begin(1);
    scalar_value(s, v.elements[i], compact ? kCompactArrayElementBytes : kWhole);
    s.end();
  }
  s.end();
}

// One KeyValue { key = 1, value = 2 } as field `field` of the enclosing message.
void key_value(ProtoSink& s, std::uint32_t field, std::string_view key, const AttributeValue& value, bool compact) {
  s.begin(field);
  s.string(1, key);
  s.begin(2);
  any_value(s, value, compact);
  s.end();
  s.end();
}

// Returns how many attributes compact mode left out (they join dropped_attributes_count); the
// same selection as otlp_json_encoder.cpp append_key_values.
std::uint32_t key_values(ProtoSink& s, std::uint32_t field, const Attributes& attributes, bool compact) {
  std::size_t written = 0;
  for (const auto& a : attributes) {
    if (compact && (written == kCompactMaxAttributes || a.key == kTruncatedKey)) continue;
    ++written;
    key_value(s, field, a.key, a.value, compact);
  }
  if (compact) {
    s.begin(field);
    s.string(1, kTruncatedKey);
    s.begin(2);
    s.uint_present(2, 1);  // bool_value true
    s.end();
    s.end();
  }
  return static_cast<std::uint32_t>(attributes.size() - written);
}

// uint32 counts: proto3 implicit presence leaves zero out, as the JSON encoder does.
std::uint32_t clamp32(std::uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(v); }

// trace.proto Span, fields in number order.
void emit_span(const Span& sp, bool compact, ProtoSink& s) {
  trace_id_field(s, 1, sp.trace_id);
  span_id_field(s, 2, sp.span_id);
  s.string(3, sp.tracestate);
  if (sp.parent_span_id != 0) span_id_field(s, 4, sp.parent_span_id);
  s.string(5, compact ? truncate_utf8(sp.name, kCompactValueBytes) : std::string_view(sp.name));
  s.uint(6, static_cast<std::uint64_t>(sp.kind));
  s.fixed64(7, unix_nanos(sp.start_ms));
  s.fixed64(8, unix_nanos(sp.end_ms));
  const std::uint32_t cut_off = key_values(s, 9, sp.attributes, compact);
  s.uint(10, clamp32(std::uint64_t{sp.dropped_attributes} + cut_off));
  if (!compact) {
    for (const SpanEvent& e : sp.events) {
      s.begin(11);  // Span.Event
      s.fixed64(1, unix_nanos(e.time_ms));
      s.string(2, e.name);
      key_values(s, 3, e.attributes, false);
      s.uint(4, e.dropped_attributes);
      s.end();
    }
  }
  // Compact mode leaves every event out; they count as dropped.
  s.uint(12, clamp32(std::uint64_t{sp.dropped_events} + (compact ? sp.events.size() : 0)));
  s.begin(15);  // Status, always sent as the JSON encoder does
  s.string(2, compact ? truncate_utf8(sp.status_message, kCompactValueBytes) : std::string_view(sp.status_message));
  s.uint(3, static_cast<std::uint64_t>(sp.status));
  s.end();
  s.fixed32(16, sp.flags);  // SpanFlags: the low byte carries the W3C trace flags
}

// metrics.proto NumberDataPoint or HistogramDataPoint (its Metric frame is metric_group's).
void emit_point(const MetricPoint& p, ProtoSink& s) {
  s.fixed64(2, unix_nanos(p.start_ms));
  s.fixed64(3, unix_nanos(p.time_ms));
  if (p.type != MetricType::Histogram) {
    s.double_present(4, p.value);  // as_double, a oneof member
    for (const Tag& t : p.tags) key_value(s, 7, t.key, t.value, false);
    return;
  }
  s.fixed64(4, p.count);
  // sum, min, max are proto3 `optional`; sum left out for negative values (metrics.proto).
  if (p.min >= 0) s.double_present(5, p.value);
  s.packed_fixed64(6, p.buckets);
  s.packed_double(7, p.bounds);
  for (const Tag& t : p.tags) key_value(s, 9, t.key, t.value, false);
  s.double_present(11, p.min);
  s.double_present(12, p.max);
}

std::string encoded(ProtoSink& s, void (*emit)(ProtoSink&, const void*), const void* what) {
  std::string out;
  s.measure();
  emit(s, what);
  out.reserve(s.size());
  s.write_to(out);
  emit(s, what);
  return out;
}

// The Metric frame of one metric's points: name (1), unit (3), then Sum (7, DELTA, monotonic for
// a Counter), Gauge (5) or Histogram (9, DELTA), as otlp_json_encoder.cpp metric_group.
ProtoGroup metric_group(const MetricPoint& p, std::size_t id, ProtoSink& s) {
  ProtoGroup g;
  g.id = id;
  g.head = encoded(
      s,
      [](ProtoSink& sink, const void* what) {
        const auto& point = *static_cast<const MetricPoint*>(what);
        sink.string(1, point.name);
        sink.string(3, point.unit);
      },
      &p);
  switch (p.type) {
    case MetricType::Counter:
    case MetricType::UpDownCounter: g.data_field = 7; break;
    case MetricType::Gauge: g.data_field = 5; break;
    case MetricType::Histogram: g.data_field = 9; break;
  }
  if (p.type != MetricType::Gauge) {
    proto::append_tag(g.tail, 2, proto::WireType::Varint);
    proto::append_varint(g.tail, 1);  // aggregation_temporality DELTA: each drain reports its window
  }
  if (p.type == MetricType::Counter) {
    proto::append_tag(g.tail, 3, proto::WireType::Varint);
    proto::append_varint(g.tail, 1);  // is_monotonic; false is the default, left out
  }
  return g;
}

// Metrics in order of first appearance, points in batch order, as the JSON encoder packs them.
void pack_metrics(ProtoPacker& packer, const std::vector<MetricPoint>& points, ProtoSink& sink,
                  OversizeLedger& ledger, Stats& stats, std::vector<ProtoGroup>& groups) {
  std::unordered_map<std::string, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
  std::string key;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const MetricPoint& p = points[i];
    key.assign(1, static_cast<char>(p.type));  // length-prefixed: names may hold any byte
    key.append(std::to_string(p.name.size())).append(":").append(p.name).append(p.unit);
    const auto found = group_of.emplace(key, members.size());
    if (found.second) members.emplace_back();
    members[found.first->second].push_back(i);
  }
  groups.reserve(members.size());  // the packer keeps pointers to them
  for (std::size_t g = 0; g < members.size(); ++g) groups.push_back(metric_group(points[members[g].front()], g, sink));
  for (std::size_t g = 0; g < members.size(); ++g) {
    for (const std::size_t i : members[g]) {
      pack_proto_record(
          packer, &groups[g], Signal::Metrics, i, [&](bool, ProtoSink& s) { emit_point(points[i], s); }, sink, ledger,
          stats);
    }
  }
}

// SeverityText: the OpenTelemetry short names, upper case as the JSON encoder writes them.
std::string_view severity_text(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Info: return "INFO";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Fatal: return "FATAL";
  }
  return "INFO";
}

// logs.proto LogRecord, fields in number order.
void emit_log(const LogRecord& r, bool compact, ProtoSink& s) {
  const std::uint64_t time = unix_nanos(r.time_ms);
  s.fixed64(1, time);
  s.uint(2, static_cast<std::uint64_t>(r.level));
  s.string(3, severity_text(r.level));
  s.begin(5);  // body: AnyValue { string_value }, present even when empty
  s.string_present(1, compact ? truncate_utf8(r.message, 1024) : std::string_view(r.message));
  s.end();
  const std::uint32_t cut_off = key_values(s, 6, r.attributes, compact);
  s.uint(7, clamp32(std::uint64_t{r.dropped_attributes} + cut_off));
  if (r.trace_id.is_valid()) {
    trace_id_field(s, 9, r.trace_id);
    span_id_field(s, 10, r.span_id);
  }
  s.fixed64(11, time);  // observed_time_unix_nano: recorded when it happened
}

std::string resource_message(const Resource& resource, ProtoSink& s) {
  return encoded(
      s,
      [](ProtoSink& sink, const void* what) {
        const auto& r = *static_cast<const Resource*>(what);
        key_value(sink, 1, "service.name", AttributeValue::of_string(r.service), false);
        for (const auto& a : r.attributes) {
          if (a.key != "service.name") key_value(sink, 1, a.key, a.value, false);
        }
      },
      &resource);
}

std::string scope_message(ProtoSink& s) {
  return encoded(
      s,
      [](ProtoSink& sink, const void*) {
        sink.string(1, kScopeName);
        sink.string(2, kScopeVersion);
      },
      nullptr);
}

template <typename Record>
void pack_list(ProtoPacker& packer, Signal signal, const std::vector<Record>& records,
               void (*emit)(const Record&, bool, ProtoSink&), ProtoSink& sink, OversizeLedger& ledger, Stats& stats) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    pack_proto_record(
        packer, nullptr, signal, i, [&](bool compact, ProtoSink& s) { emit(records[i], compact, s); }, sink, ledger,
        stats);
  }
}

}  // namespace

std::vector<Payload> encode_otlp_proto(const Batch& batch, const Resource& resource, const EncodeOptions& options,
                                       OversizeLedger& ledger, Stats& stats) {
  ProtoSink sink;
  const std::string res = resource_message(resource, sink);
  const std::string scope = scope_message(sink);
  std::vector<Payload> out;
  const auto collect = [&](ProtoPacker& packer) {
    for (auto& p : packer.finish()) out.push_back(std::move(p));
  };
  if (!batch.spans.empty()) {
    ProtoPacker traces(Signal::Traces, res, scope, options);
    pack_list(traces, Signal::Traces, batch.spans, emit_span, sink, ledger, stats);
    collect(traces);
  }
  if (!batch.metrics.empty()) {
    std::vector<ProtoGroup> groups;
    ProtoPacker metrics(Signal::Metrics, res, scope, options);
    pack_metrics(metrics, batch.metrics, sink, ledger, stats, groups);
    collect(metrics);
  }
  if (!batch.logs.empty()) {
    ProtoPacker logs(Signal::Logs, res, scope, options);
    pack_list(logs, Signal::Logs, batch.logs, emit_log, sink, ledger, stats);
    collect(logs);
  }
  return out;
}

}  // namespace edgescope
