// Byte budgets: what the core keeps is bounded in bytes, per record and per pool, whatever the
// input; what a budget refuses is counted; and accounted bytes cover the encoded payloads (the
// claim the memory ceiling in limits.hpp rests on).
#include <doctest/doctest.h>

#include <string>

#include "edgescope/telemetry.hpp"

using namespace edgescope;

namespace {

TelemetryOptions options(std::size_t max_records = 0) {
  TelemetryOptions o;
  o.service = "budget";
  o.seed = {1, 2, 3, 4};
  o.encode.max_records_per_payload = max_records;
  return o;
}

// Control characters escape to six bytes each: the costliest string per input byte.
std::string hostile(std::size_t n, char fill = '\x01') { return std::string(n, fill); }

std::size_t payload_bytes(const RecordArray<Payload>& payloads) {
  std::size_t n = 0;
  for (const auto& p : payloads) n += p.body.size();
  return n;
}

}  // namespace

TEST_CASE("one span cannot hold more than max_record_bytes, however many attributes it is given") {
  Telemetry t(options());
  const auto span = t.start_span(kNoopSpan, t.intern("big"), SpanKind::Internal, 0);
  for (int i = 0; i < 128; ++i) t.stage_string(t.intern("k" + std::to_string(i)), hostile(4096));
  t.apply_staged_to_span(span);
  for (int e = 0; e < 128; ++e) {
    for (int i = 0; i < 128; ++i) t.stage_string(t.intern("k" + std::to_string(i)), hostile(4096));
    t.add_event(span, t.intern("event"), 1);
  }
  CHECK(t.usage().spans <= t.limits().max_record_bytes);
  CHECK(t.usage().stage == 0);
  t.end_span(span, 2);
  t.drain(3);
  const Span& s = t.drained().spans.at(0);
  // Every attribute offered is either kept or counted on the span.
  CHECK(s.attributes.size() + s.dropped_attributes == 128);
  CHECK(s.dropped_attributes > 0);
  std::size_t events_dropped_attributes = 0;
  for (const auto& e : s.events) events_dropped_attributes += e.attributes.size() + e.dropped_attributes;
  CHECK(events_dropped_attributes == 128 * s.events.size());
  CHECK(s.events.size() + s.dropped_events == 128);
  CHECK(t.stats().attributes_dropped_byte_budget > 0);
}

TEST_CASE("spans beyond the span budget are refused and counted, and a drain gives the bytes back") {
  Telemetry t(options());
  const auto key = t.intern("payload");
  std::vector<SpanHandle> open;
  for (int i = 0; i < 4096; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, i);
    if (span == kNoopSpan) continue;
    t.stage_string(key, hostile(4096));
    t.apply_staged_to_span(span);
    open.push_back(span);
  }
  CHECK(t.stats().spans_dropped_byte_budget > 0);
  CHECK(t.usage().spans <= t.limits().max_span_bytes);
  for (std::size_t i = 0; i < open.size(); ++i) t.end_span(open[i], 5000);
  CHECK(t.usage().spans <= t.limits().max_span_bytes);
  CHECK(t.drain(6000) == open.size());
  CHECK(t.usage().spans > 0);  // still held by the drained batch
  t.release();
  CHECK(t.usage().spans == 0);
  CHECK(t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 7000) != kNoopSpan);
}

TEST_CASE("logs beyond the log budget are refused and counted") {
  Telemetry t(options());
  for (int i = 0; i < 4096; ++i) t.log(LogLevel::Info, hostile(16384), kNoopSpan, i);
  CHECK(t.stats().logs_dropped_byte_budget > 0);
  CHECK(t.stats().logs_dropped_buffer_full == 0);
  CHECK(t.usage().logs <= t.limits().max_log_bytes);
  t.drain(5000);
  t.release();
  CHECK(t.usage().logs == 0);
}

TEST_CASE("names beyond the name table's byte budget are refused, never renamed") {
  Telemetry t(options());
  std::size_t refused = 0;
  for (int i = 0; i < 4096; ++i) {
    const auto id = t.intern(std::to_string(10000 + i) + std::string(1019, 'n'));
    if (id == kNameRefused) ++refused;
    else CHECK(t.interned(id).size() == 1024);
  }
  CHECK(refused > 0);
  CHECK(t.stats().names_dropped_byte_budget == refused);
  CHECK(t.usage().names <= t.limits().max_name_table_bytes);
}

TEST_CASE("the stage keeps at most max_attributes keys and max_record_bytes, last write wins") {
  TelemetryOptions o = options();
  o.limits.max_attributes = 3;
  Telemetry t(o);
  const auto span = t.start_span(kNoopSpan, t.intern("s"), SpanKind::Internal, 0);
  for (int round = 0; round < 2; ++round) {
    for (const char* key : {"a", "b", "c", "d", "e"}) t.stage(t.intern(key), AttributeValue::of_int(round));
  }
  t.apply_staged_to_span(span);
  t.end_span(span, 1);
  t.drain(2);
  const Span& s = t.drained().spans.at(0);
  REQUIRE(s.attributes.size() == 3);
  for (const auto& a : s.attributes) CHECK(a.value.integer == 1);
  CHECK(s.dropped_attributes == 4);  // d and e, twice
  CHECK(t.stats().attributes_dropped == 4);
}

TEST_CASE("accounted bytes cover the encoded payloads, envelope included") {
  for (const std::size_t max_records : {0u, 1u}) {
    CAPTURE(max_records);
    Telemetry t(options(max_records));
    t.stage_string(t.intern("deployment.environment"), hostile(1000, '"'));
    t.stage(t.intern("service.instance"), AttributeValue::of_int(-9007199254740991LL));
    t.set_resource_from_stage();
    for (int i = 0; i < 40; ++i) {
      const auto span = t.start_span(kNoopSpan, t.intern(hostile(64, '\t')), SpanKind::Server, i);
      for (int k = 0; k < 128; ++k) t.stage(t.intern("n" + std::to_string(k)), AttributeValue::of_double(-1.2345678901234567e-300));
      t.apply_staged_to_span(span);
      t.stage_string(t.intern("e"), hostile(10, '\\'));
      t.add_event(span, t.intern("ev"), i);
      t.set_status(span, StatusCode::Error, hostile(300));
      t.stage_string(t.intern("tag"), hostile(30, '\x02') + std::to_string(i));
      t.record(t.series(MetricType::Histogram, t.intern("h"), t.intern("ms"), i), 1e300, i);
      t.stage(t.intern("b"), AttributeValue::of_bool(true));
      t.log(LogLevel::Fatal, hostile(200), span, i);
      t.end_span(span, i + 1);
    }
    t.drain(100);
    const auto usage = t.usage();
    const std::size_t accounted = usage.spans + usage.logs + usage.series;
    for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
      CAPTURE(static_cast<int>(format));
      const std::size_t encoded = payload_bytes(t.encode_drained(format));
      CHECK(encoded > 0);
      CHECK(encoded <= accounted);
    }
  }
}
