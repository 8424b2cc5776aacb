// OTLP/HTTP protobuf (OTLP specification, "Binary Protobuf Encoding"): the messages of
// opentelemetry-proto collector/{trace,metrics,logs}/v1, one Export*ServiceRequest per payload
// and one signal per payload, each signal having its own endpoint (/v1/traces, ...). It carries
// exactly what the OTLP JSON encoder (otlp_json_encoder.cpp) writes, value for value: the two
// are the same message in two encodings, which tests/js/otlp-proto-equivalence.test.js checks
// with an independent decoder. Ids are raw bytes (big-endian, as their hex is written), times
// fixed64 nanoseconds (unix_micros_from_ms), enums varints. No batch id in the body: OTLP
// carries it only as the Idempotency-Key header.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "edgescope/payload_packer.hpp"
#include "edgescope/proto_packer.hpp"
#include "edgescope/proto_writer.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"
#include "otlp_proto_values.hpp"

namespace edgescope {
namespace {

using proto::ProtoSink;
using namespace otlp_proto;

// InstrumentationScope, as otlp_json_encoder.cpp names it.
constexpr std::string_view kScopeName = "edgescope";
constexpr std::string_view kScopeVersion = "0.1.0";
// trace.proto Span, fields in number order.
void emit_span(const void* record, bool compact, ProtoSink& s) {
  const Span& sp = *static_cast<const Span*>(record);
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

// metrics.proto ExponentialHistogramDataPoint, fields in number order.
void emit_exponential_point(const MetricPoint& p, ProtoSink& s) {
  for (const Tag& t : p.tags) key_value(s, 1, t.key, t.value, false);  // attributes
  s.fixed64(2, unix_nanos(p.start_ms));
  s.fixed64(3, unix_nanos(p.time_ms));
  s.fixed64(4, p.count);
  if (p.min >= 0) s.double_present(5, p.value);  // sum: left out for negative values, as above
  s.uint(6, zigzag(p.sketch.scale()));            // scale, sint32
  s.fixed64(7, p.sketch.zero_count());
  for (std::uint32_t side = 0; side < 2; ++side) {
    const monitoring::BucketRange& r = side == 0 ? p.sketch.positive() : p.sketch.negative();
    s.begin(8 + side);  // positive (8), negative (9): Buckets
    if (!r.counts.empty()) {
      s.uint(1, zigzag(r.offset));  // offset, sint32
      // bucket_counts (repeated uint64): unpacked, one varint field each. Parsers must accept
      // either encoding of a packed-by-default field (protobuf.dev, "Encoding": "Packed Repeated
      // Fields"); ProtoSink has no packed varint form, and a zero count keeps its place.
      for (const std::uint64_t c : r.counts) s.uint_present(2, c);
    }
    s.end();
  }
  s.double_present(12, p.min);
  s.double_present(13, p.max);
}

// metrics.proto NumberDataPoint or HistogramDataPoint (its Metric frame is metric_group's). A
// point has no compact form (as in JSON): its size is bounded by the series limits.
void emit_point(const void* record, bool /*compact*/, ProtoSink& s) {
  const MetricPoint& p = *static_cast<const MetricPoint*>(record);
  if (p.exponential) {
    emit_exponential_point(p, s);
    return;
  }
  const bool histogram = p.type == MetricType::Histogram;
  s.fixed64(2, unix_nanos(p.start_ms));
  s.fixed64(3, unix_nanos(p.time_ms));
  if (!histogram) {
    s.double_present(4, p.value);  // as_double, a oneof member
  } else {
    s.fixed64(4, p.count);
    // sum, min, max are proto3 `optional`; sum left out for negative values (metrics.proto).
    if (p.min >= 0) s.double_present(5, p.value);
    s.packed_fixed64(6, p.buckets);
    s.packed_double(7, p.bounds);
  }
  for (const Tag& t : p.tags) key_value(s, histogram ? 9 : 7, t.key, t.value, false);  // attributes
  if (histogram) {
    s.double_present(11, p.min);
    s.double_present(12, p.max);
  }
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
// a Counter), Gauge (5) or Histogram (9, DELTA) or ExponentialHistogram (10, DELTA), as otlp_json_encoder.cpp metric_group.
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
    case MetricType::Histogram: g.data_field = p.exponential ? 10 : 9; break;
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
void pack_metrics(ProtoPacker& packer, const RecordArray<MetricPoint>& points, ProtoSink& sink,
                  OversizeLedger& ledger, Stats& stats, std::unique_ptr<ProtoGroup[]>& groups) {
  const RecordArray<GrowArray<std::size_t>> members = group_metric_points(points);
  // The packer keeps pointers to them; a plain array (no vector growth code in the module).
  groups.reset(new ProtoGroup[members.size()]);
  for (std::size_t g = 0; g < members.size(); ++g) groups[g] = metric_group(points[members[g].front()], g, sink);
  for (std::size_t g = 0; g < members.size(); ++g) {
    for (const std::size_t i : members[g]) {
      pack_proto_record(packer, &groups[g], Signal::Metrics, i, &points[i], emit_point, sink, ledger, stats);
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
void emit_log(const void* record, bool compact, ProtoSink& s) {
  const LogRecord& r = *static_cast<const LogRecord*>(record);
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
void pack_list(ProtoPacker& packer, Signal signal, const RecordArray<Record>& records, EmitRecord emit,
               ProtoSink& sink, OversizeLedger& ledger, Stats& stats) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    pack_proto_record(packer, nullptr, signal, i, &records[i], emit, sink, ledger, stats);
  }
}

}  // namespace

RecordArray<Payload> encode_otlp_proto(const Batch& batch, const Resource& resource, const EncodeOptions& options,
                                       OversizeLedger& ledger, Stats& stats) {
  ProtoSink sink;
  const std::string res = resource_message(resource, sink);
  const std::string scope = scope_message(sink);
  RecordArray<Payload> out;
  const auto collect = [&](ProtoPacker& packer) {
    for (auto& p : packer.finish()) out.push_back(std::move(p));
  };
  if (!batch.spans.empty()) {
    ProtoPacker traces(Signal::Traces, res, scope, options);
    pack_list(traces, Signal::Traces, batch.spans, emit_span, sink, ledger, stats);
    collect(traces);
  }
  if (!batch.metrics.empty()) {
    std::unique_ptr<ProtoGroup[]> groups;
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
