// OTLP protobuf: the writer's primitives against bytes computed by hand from the protobuf
// encoding rules (protobuf.dev "Encoding", whose own examples 150 -> 08 96 01, "testing" and the
// embedded message are used), and the encoder's payloads read back by a strict wire walker
// (tests/fuzz/otlp_proto_walker.hpp): the cap holds, every record lands once in order, payloads
// are as full as the cap allows, and proto3 presence rules are followed field by field.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "../fuzz/otlp_proto_walker.hpp"
#include "edgescope/proto_writer.hpp"
#include "edgescope/telemetry.hpp"
#include "edgescope/wire.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using proto::ProtoSink;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string out;
  for (int b : list) out.push_back(static_cast<char>(b));
  return out;
}

// Runs `emit` measuring then writing; checks the measured size is what was written.
template <typename Emit>
std::string emitted(Emit emit) {
  ProtoSink s;
  s.measure();
  emit(s);
  const std::size_t measured = s.size();
  std::string out = "prefix";
  s.write_to(out);
  emit(s);
  CHECK(out.size() - 6 == measured);
  return out.substr(6);
}

std::string varint(std::uint64_t v) {
  std::string out;
  proto::append_varint(out, v);
  return out;
}

// Nodes point into the payloads' bytes: keep the payloads alive while they are read.
void decode_all(const RecordArray<Payload>& payloads, std::size_t cap, std::vector<otlp_walk::Node>& nodes) {
  otlp_walk::Walker walker;
  nodes.clear();
  for (const Payload& p : payloads) {
    CHECK(p.body.size() <= cap);
    CHECK(p.batch_id_at == kNoBatchIdField);
    nodes.emplace_back();
    std::string why;
    const bool ok = walker.walk(otlp_walk::request_type(p.signal), p.body, nodes.back(), why);
    CHECK_MESSAGE(ok, why);
    CHECK(otlp_walk::records(p.signal, nodes.back()).size() == p.records);
  }
}

Span sample_span(std::size_t i, std::size_t value_bytes) {
  Span s;
  s.trace_id = TraceId{0x0102030405060708ULL + i, 0x1112131415161718ULL};
  s.span_id = 0x2122232425262728ULL + i;
  s.parent_span_id = i % 2 ? 0x31 : 0;
  s.name = "op" + std::to_string(i);
  s.kind = SpanKind::Server;
  s.start_ms = 1700000000000.0 + static_cast<double>(i);
  s.end_ms = s.start_ms + 1.5;
  s.attributes.push_back({"v", AttributeValue::of_string(std::string(value_bytes + i % 7, 'x'))});
  s.attributes.push_back({"n", AttributeValue::of_int(-static_cast<std::int64_t>(i))});
  return s;
}

MetricPoint sample_point(std::size_t i) {
  MetricPoint p;
  p.type = i % 4 == 0 ? MetricType::Gauge : MetricType::Counter;  // one type per name
  p.name = "m" + std::to_string(i % 4);
  p.unit = "1";
  p.tags = {Tag("route", "/r" + std::to_string(i))};
  p.time_ms = 1000 + static_cast<double>(i);
  p.value = static_cast<double>(i);
  return p;
}

}  // namespace

TEST_CASE("varints, tags and fixed-width fields are the protobuf encoding spec's bytes") {
  CHECK(varint(0) == bytes({0x00}));
  CHECK(varint(1) == bytes({0x01}));
  CHECK(varint(127) == bytes({0x7f}));
  CHECK(varint(128) == bytes({0x80, 0x01}));
  CHECK(varint(150) == bytes({0x96, 0x01}));
  CHECK(varint(300) == bytes({0xac, 0x02}));
  CHECK(varint(UINT64_MAX) == bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  for (const std::uint64_t v : std::vector<std::uint64_t>{0, 127, 128, 16383, 16384, std::uint64_t{1} << 35, UINT64_MAX}) {
    CHECK(proto::varint_size(v) == varint(v).size());
  }
  // "message Test1 { int32 a = 1; }" with a = 150.
  CHECK(emitted([](ProtoSink& s) { s.uint(1, 150); }) == bytes({0x08, 0x96, 0x01}));
  // "message Test2 { string b = 2; }" with b = "testing".
  CHECK(emitted([](ProtoSink& s) { s.string(2, "testing"); }) ==
        bytes({0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67}));
  // "message Test3 { Test1 c = 3; }": an embedded message is length-delimited.
  CHECK(emitted([](ProtoSink& s) {
          s.begin(3);
          s.uint(1, 150);
          s.end();
        }) == bytes({0x1a, 0x03, 0x08, 0x96, 0x01}));
  // int64 -1: two's complement, ten bytes.
  CHECK(emitted([](ProtoSink& s) { s.int_present(3, -1); }) ==
        bytes({0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  // fixed64 field 7 (wire type 1) and fixed32 field 16 (wire type 5, a two-byte tag), little-endian.
  CHECK(emitted([](ProtoSink& s) { s.fixed64(7, 0x0102030405060708ULL); }) ==
        bytes({0x39, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}));
  CHECK(emitted([](ProtoSink& s) { s.fixed32(16, 1); }) == bytes({0x85, 0x01, 0x01, 0x00, 0x00, 0x00}));
  // double 1.0 = 0x3ff0000000000000, and -2.5 = 0xc004000000000000.
  CHECK(emitted([](ProtoSink& s) { s.double_present(4, 1.0); }) ==
        bytes({0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f}));
  CHECK(emitted([](ProtoSink& s) { s.packed_double(7, {-2.5}); }) ==
        bytes({0x3a, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xc0}));
  CHECK(emitted([](ProtoSink& s) { s.packed_fixed64(6, {1, 256}); }) ==
        bytes({0x32, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0}));
}

TEST_CASE("proto3 presence: implicit fields leave defaults out, oneof and optional members keep them") {
  CHECK(emitted([](ProtoSink& s) {
          s.uint(1, 0);
          s.string(2, "");
          s.fixed64(7, 0);
          s.fixed32(16, 0);
          s.packed_double(7, {});
          s.packed_fixed64(6, {});
        }).empty());
  CHECK(emitted([](ProtoSink& s) {
          s.uint_present(2, 0);
          s.string_present(1, "");
          s.double_present(4, 0.0);
        }) == bytes({0x10, 0x00, 0x0a, 0x00, 0x21, 0, 0, 0, 0, 0, 0, 0, 0}));
  // An empty nested message is still sent: its presence is the value.
  CHECK(emitted([](ProtoSink& s) {
          s.begin(5);
          s.end();
        }) == bytes({0x2a, 0x00}));
}

TEST_CASE("nested lengths past one varint byte are measured exactly, at every depth") {
  for (const std::size_t n : {0u, 1u, 120u, 124u, 125u, 126u, 127u, 128u, 200u, 16370u, 16384u, 20000u}) {
    CAPTURE(n);
    const std::string text(n, 'a');
    const std::string out = emitted([&](ProtoSink& s) {
      s.begin(1);
      s.begin(2);
      s.string_present(1, text);
      s.end();
      s.uint(3, 1);
      s.end();
      s.begin(4);
      s.end();
    });
    // Read it back by hand: 0a L1 ( 12 L2 ( 0a Ln text ) 18 01 ) 22 00.
    std::string inner = "\x0a" + varint(n) + text;
    std::string middle = "\x12" + varint(inner.size()) + inner + bytes({0x18, 0x01});
    CHECK(out == "\x0a" + varint(middle.size()) + middle + bytes({0x22, 0x00}));
  }
}

TEST_CASE("each payload is exactly the request its records make alone, and as full as the cap allows") {
  Resource resource;
  resource.service = "checkout";
  resource.attributes.push_back({"deployment.environment", AttributeValue::of_string("test")});
  Batch batch;
  // Values of 100..250 bytes: record lengths cross the one-byte varint boundary (128).
  for (std::size_t i = 0; i < 120; ++i) batch.spans.push_back(sample_span(i, 100 + i));
  for (std::size_t i = 0; i < 90; ++i) {
    LogRecord r;
    r.time_ms = 5000 + static_cast<double>(i);
    r.level = LogLevel::Warn;
    r.message = std::string(i * 3, 'm');
    if (i % 2) r.trace_id = TraceId{1, 2}, r.span_id = 3;
    batch.logs.push_back(r);
  }
  for (std::size_t i = 0; i < 60; ++i) batch.metrics.push_back(sample_point(i));
  EncodeOptions unlimited;
  unlimited.max_payload_bytes = std::size_t{1} << 30;

  for (const std::size_t cap : {700u, 1500u, 4096u, 70000u}) {
    for (const std::size_t max_records : {0u, 5u}) {
      CAPTURE(cap);
      CAPTURE(max_records);
      EncodeOptions options;
      options.max_payload_bytes = cap;
      options.max_records_per_payload = max_records;
      Stats stats;
      const auto payloads = encode(WireFormat::OtlpProto, batch, resource, options, stats);
      CHECK(stats.records_shrunk == 0);
      CHECK(stats.records_dropped_oversize == 0);
      std::vector<otlp_walk::Node> nodes;
      decode_all(payloads, cap, nodes);

      // Spans and logs, in batch order across payloads; each payload is byte for byte the
      // request of its records encoded alone, and adding the next record would break the cap.
      std::size_t next_span = 0, next_log = 0, points = 0;
      for (std::size_t k = 0; k < payloads.size(); ++k) {
        const Payload& p = payloads[k];
        if (p.signal == Signal::Metrics) {
          points += p.records;
          continue;
        }
        Batch alone, plus_one;
        std::size_t& next = p.signal == Signal::Traces ? next_span : next_log;
        const std::size_t total = p.signal == Signal::Traces ? batch.spans.size() : batch.logs.size();
        for (std::size_t i = next; i < next + p.records; ++i) {
          if (p.signal == Signal::Traces) alone.spans.push_back(batch.spans[i]);
          else alone.logs.push_back(batch.logs[i]);
        }
        const auto records = otlp_walk::records(p.signal, nodes[k]);
        if (p.signal == Signal::Traces) {
          for (std::size_t j = 0; j < records.size(); ++j) CHECK(records[j]->str(5) == batch.spans[next + j].name);
        }
        next += p.records;
        Stats s;
        const auto exact = encode(WireFormat::OtlpProto, alone, resource, unlimited, s);
        REQUIRE(exact.size() == 1);
        CHECK(exact[0].body == p.body);
        if (next < total && (max_records == 0 || p.records < max_records)) {
          plus_one = alone;
          if (p.signal == Signal::Traces) plus_one.spans.push_back(batch.spans[next]);
          else plus_one.logs.push_back(batch.logs[next]);
          CHECK(encode(WireFormat::OtlpProto, plus_one, resource, unlimited, s).at(0).body.size() > cap);
        }
        if (max_records != 0) CHECK(p.records <= max_records);
      }
      CHECK(next_span == batch.spans.size());
      CHECK(next_log == batch.logs.size());
      CHECK(points == batch.metrics.size());
    }
  }
}

TEST_CASE("a metric's points share one Metric, reopened in the next payload when one fills up") {
  Resource resource;
  resource.service = "s";
  Batch batch;
  for (std::size_t i = 0; i < 40; ++i) batch.metrics.push_back(sample_point(i));
  for (const std::size_t cap : {250u, 600u, 1u << 20}) {
    CAPTURE(cap);
    EncodeOptions options;
    options.max_payload_bytes = cap;
    Stats stats;
    std::vector<otlp_walk::Node> nodes;
    const auto payloads = encode(WireFormat::OtlpProto, batch, resource, options, stats);
    decode_all(payloads, cap, nodes);
    std::vector<std::string> routes;  // in packing order: metric by metric, points in batch order
    for (const auto& node : nodes) {
      const auto& scope = node.msg(1).msg(2);
      CHECK(node.msg(1).msg(1).msg(1).msg(2).str(1) == "s");  // resource service.name
      CHECK(scope.msg(1).str(1) == "edgescope");
      std::set<std::string> names;
      for (std::size_t m = 0; m < scope.count(2); ++m) {
        const auto& metric = scope.msg(2, m);
        CHECK(names.insert(metric.str(1)).second);  // never two Metrics of one name in a payload
        const bool gauge = metric.has(5);
        const auto& data = metric.msg(gauge ? 5 : 7);
        if (!gauge) {
          CHECK(data.num(2) == 1);  // DELTA
          CHECK(data.num(3) == 1);  // monotonic counter
        }
        for (std::size_t i = 0; i < data.count(1); ++i) {
          const auto& point = data.msg(1, i);
          CHECK(point.has(4));  // as_double present, even 0.0
          routes.push_back(point.msg(7).msg(2).str(1));
        }
      }
    }
    std::vector<std::string> expected;
    for (std::size_t m = 0; m < 4; ++m) {
      for (std::size_t i = 0; i < 40; ++i) {
        if (i % 4 == m) expected.push_back("/r" + std::to_string(i));
      }
    }
    CHECK(routes == expected);
    if (cap == (1u << 20)) CHECK(payloads.size() == 1);
    else CHECK(payloads.size() > 1);
  }
}

TEST_CASE("span, log and histogram fields carry the recorded values with proto3 presence") {
  Resource resource;
  resource.service = "svc";
  Batch batch;
  Span s = sample_span(0, 3);
  s.parent_span_id = 0;
  s.flags = 1;
  s.status = StatusCode::Error;
  s.status_message = "boom";
  s.tracestate = "a=1";
  s.attributes.push_back({"arr", AttributeValue::of_array({AttributeValue::of_double(0.5), AttributeValue::of_double(-1)})});
  s.attributes.push_back({"empty", AttributeValue::of_array({})});
  s.attributes.push_back({"no", AttributeValue::of_bool(false)});
  s.events.push_back(SpanEvent{"ev", 1700000000000.25, {}, 2});
  batch.spans.push_back(s);
  Span plain = sample_span(1, 0);
  plain.parent_span_id = 0;
  batch.spans.push_back(plain);
  LogRecord empty;
  empty.level = LogLevel::Debug;
  batch.logs.push_back(empty);
  MetricPoint h;
  h.type = MetricType::Histogram;
  h.name = "lat";
  h.count = 2;
  h.value = 0;
  h.min = 0;
  h.max = 0;
  h.bounds = {1, 2};
  h.buckets = {2, 0, 0};
  batch.metrics.push_back(h);
  h.min = -1;
  h.value = -1;
  batch.metrics.push_back(h);
  EncodeOptions options;
  Stats stats;
  std::vector<otlp_walk::Node> nodes;
  const auto payloads = encode(WireFormat::OtlpProto, batch, resource, options, stats);
  decode_all(payloads, 1u << 16, nodes);
  REQUIRE(payloads.size() == 3);

  const auto spans = otlp_walk::records(Signal::Traces, nodes[0]);
  const otlp_walk::Node& a = *spans[0];
  CHECK(a.str(1) == from_hex("01020304050607081112131415161718"));
  CHECK(a.str(2) == from_hex("2122232425262728"));
  CHECK_FALSE(a.has(4));  // root: no parent_span_id
  CHECK(a.str(3) == "a=1");
  CHECK(a.num(6) == 2);
  CHECK(a.num(7) == 1700000000000000000ULL);
  CHECK(a.num(8) == 1700000000001500000ULL);
  CHECK(a.num(16) == 1);
  CHECK(a.msg(15).num(3) == 2);
  CHECK(a.msg(15).str(2) == "boom");
  CHECK(a.count(9) == 5);
  CHECK(a.msg(9, 1).msg(2).num(3) == static_cast<std::uint64_t>(std::int64_t{0}));
  CHECK(a.msg(9, 1).msg(2).has(3));  // int 0 is a oneof member: present
  const auto& arr = a.msg(9, 2).msg(2).msg(5);
  CHECK(arr.count(1) == 2);
  double half;
  const std::uint64_t bits = arr.msg(1, 0).num(4);
  std::memcpy(&half, &bits, 8);
  CHECK(half == 0.5);
  CHECK(a.msg(9, 3).msg(2).has(5));  // empty array: an empty ArrayValue, present
  CHECK(a.msg(9, 3).msg(2).msg(5).count(1) == 0);
  CHECK(a.msg(9, 4).msg(2).has(2));  // false is present
  CHECK(a.msg(11).num(1) == 1700000000000250000ULL);
  CHECK(a.msg(11).num(4) == 2);
  const otlp_walk::Node& b = *spans[1];
  for (const std::uint32_t absent : {3u, 4u, 10u, 11u, 12u, 16u}) CHECK_FALSE(b.has(absent));
  CHECK(b.has(15));  // status always sent, empty when unset
  CHECK(b.msg(15).fields.empty());
  CHECK(b.msg(9, 1).msg(2).num(3) == static_cast<std::uint64_t>(std::int64_t{-1}));

  const auto logs = otlp_walk::records(Signal::Logs, nodes[2]);
  const otlp_walk::Node& l = *logs[0];
  CHECK_FALSE(l.has(1));  // time 0: unknown, left out
  CHECK(l.num(2) == 5);
  CHECK(l.str(3) == "DEBUG");
  CHECK(l.msg(5).has(1));  // the empty body is an empty string_value, present
  CHECK_FALSE(l.has(9));
  CHECK_FALSE(l.has(10));

  const auto points = otlp_walk::records(Signal::Metrics, nodes[1]);
  REQUIRE(points.size() == 2);
  CHECK(points[0]->num(4) == 2);
  CHECK(points[0]->has(5));   // sum 0 present (optional)
  CHECK(points[0]->has(11));  // min 0 present
  CHECK(points[0]->has(12));
  CHECK_FALSE(points[1]->has(5));  // negative values: no sum (metrics.proto)
  CHECK(points[0]->at(6).bytes.size() == 24);
  CHECK(points[0]->at(7).bytes.size() == 16);
  const auto& metric = nodes[1].msg(1).msg(2).msg(2);
  CHECK(metric.msg(9).num(2) == 1);
  CHECK_FALSE(metric.has(3));  // empty unit left out
}

TEST_CASE("a record too large for a payload is shrunk as in OTLP JSON, dropped if still too large, counted once") {
  Resource resource;
  resource.service = "checkout";
  Batch batch;
  Span big = sample_span(0, 0);
  big.attributes.clear();
  for (int i = 0; i < 40; ++i) big.attributes.push_back({"k" + std::to_string(i), AttributeValue::of_string(std::string(1000, 'x'))});
  big.attributes.push_back({"arr", AttributeValue::of_array(RecordArray<AttributeValue>(20, AttributeValue::of_string(std::string(100, 'y'))))});
  for (int i = 0; i < 3; ++i) big.events.push_back(SpanEvent{"e", 0, {}, 0});
  Span wide = sample_span(1, 0);
  for (int i = 0; i < 40; ++i) wide.attributes.push_back({std::string(1000, 'k') + std::to_string(i), AttributeValue::of_string("v")});
  batch.spans = {big, wide};
  EncodeOptions options;
  options.max_payload_bytes = 16384;
  Stats stats;
  OversizeLedger ledger;
  encode(WireFormat::OtlpJson, batch, resource, options, ledger, stats);
  CHECK(stats.records_shrunk == 1);
  CHECK(stats.records_dropped_oversize == 1);
  std::vector<otlp_walk::Node> nodes;
  const auto payloads = encode(WireFormat::OtlpProto, batch, resource, options, ledger, stats);
  decode_all(payloads, 16384, nodes);
  CHECK(stats.records_shrunk == 1);  // the same records, already counted for this drain
  CHECK(stats.records_dropped_oversize == 1);
  REQUIRE(payloads.size() == 1);
  const auto spans = otlp_walk::records(Signal::Traces, nodes[0]);
  REQUIRE(spans.size() == 1);
  const otlp_walk::Node& s = *spans[0];
  CHECK(s.count(9) == 33);  // 32 kept + edgescope.truncated
  CHECK(s.msg(9, 32).str(1) == "edgescope.truncated");
  CHECK(s.msg(9, 32).msg(2).num(2) == 1);
  CHECK(s.msg(9, 0).msg(2).str(1).size() == 256);
  CHECK(s.num(10) == 9);  // 8 past the first 32, and the array
  CHECK_FALSE(s.has(11));
  CHECK(s.num(12) == 3);
  // Without the ledger (one format per drain) it counts again.
  encode(WireFormat::OtlpProto, batch, resource, options, stats);
  CHECK(stats.records_shrunk == 2);
  CHECK(stats.records_dropped_oversize == 2);
}

TEST_CASE("a Telemetry drain encodes to protobuf with the same records as OTLP JSON, with no batch id in the body") {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = 2000;
  Telemetry t(o);
  for (int i = 0; i < 50; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, 1000 + i);
    t.stage_string(t.intern("k"), std::string(static_cast<std::size_t>(i) * 5, 'r'));
    t.apply_staged_to_span(span);
    t.record(t.series(MetricType::Counter, t.intern("hits"), t.intern("1")), 1, 1000 + i);
    t.log(LogLevel::Info, "line " + std::to_string(i), span, 1000 + i);
    t.end_span(span, 1010 + i);
  }
  t.drain();
  std::size_t json_records[4] = {}, proto_records[4] = {};
  for (const auto& p : t.encode_drained(WireFormat::OtlpJson)) json_records[static_cast<int>(p.signal)] += p.records;
  RecordArray<Payload> proto(t.encode_drained(WireFormat::OtlpProto));
  std::vector<otlp_walk::Node> nodes;
  decode_all(proto, 2000, nodes);
  for (const auto& p : proto) {
    proto_records[static_cast<int>(p.signal)] += p.records;
    char raw[16];
    for (int i = 0; i < 8; ++i) {
      raw[i] = static_cast<char>(p.batch_id.high >> (56 - 8 * i));
      raw[8 + i] = static_cast<char>(p.batch_id.low >> (56 - 8 * i));
    }
    CHECK(p.batch_id.high != 0);
    CHECK(p.body.find(std::string(raw, 16)) == std::string::npos);
    CHECK(p.body.find(to_hex(p.batch_id)) == std::string::npos);
  }
  for (int s = 1; s <= 3; ++s) CHECK(proto_records[s] == json_records[s]);
  CHECK(proto_records[1] == 50);
  CHECK(proto.size() > 3);  // split under the cap
}
