// Rules the Telemetry object applies on the way in: span status per OpenTelemetry, refused names,
// refused values, dropped-attribute counts on each record, windowed name table.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "edgescope/telemetry.hpp"

using namespace edgescope;

namespace {

TelemetryOptions options() {
  TelemetryOptions o;
  o.service = "rules";
  o.seed = {4, 3, 2, 1};
  return o;
}

const Span& only_span(Telemetry& t) {
  t.drain();
  return t.drained().spans.at(0);
}

}  // namespace

TEST_CASE("span status: Ok is final and setting Unset is ignored (OpenTelemetry trace API)") {
  Telemetry t(options());
  const auto a = t.start_span(kNoopSpan, t.intern("a"), SpanKind::Internal, 0);
  t.set_status(a, StatusCode::Ok, "");
  t.set_status(a, StatusCode::Error, "late failure");
  t.set_status(a, StatusCode::Unset, "");
  t.end_span(a, 1);
  const Span& sa = only_span(t);
  CHECK(sa.status == StatusCode::Ok);
  CHECK(sa.status_message.empty());
  t.release();

  const auto b = t.start_span(kNoopSpan, t.intern("b"), SpanKind::Internal, 2);
  t.set_status(b, StatusCode::Error, "first");
  t.set_status(b, StatusCode::Unset, "");
  t.set_status(b, StatusCode::Error, "second");
  t.end_span(b, 3);
  const Span& sb = only_span(t);
  CHECK(sb.status == StatusCode::Error);
  CHECK(sb.status_message == "second");
  t.release();

  const auto c = t.start_span(kNoopSpan, t.intern("c"), SpanKind::Internal, 4);
  t.set_status(c, StatusCode::Error, "boom");
  t.set_status(c, StatusCode::Ok, "ignored description");
  t.end_span(c, 5);
  const Span& sc = only_span(t);
  CHECK(sc.status == StatusCode::Ok);
  CHECK(sc.status_message.empty());
}

TEST_CASE("an empty name is refused at intern, and what it would name is refused and counted") {
  Telemetry t(options());
  CHECK(t.intern("") == kNameEmpty);
  CHECK(t.stats().names_refused_empty == 1);
  CHECK(t.start_span(kNoopSpan, kNameEmpty, SpanKind::Internal, 0) == kNoopSpan);
  CHECK(t.series(MetricType::Counter, kNameEmpty, kNoName, 0) == kSeriesRefused);
  CHECK(t.stats().records_dropped_unnamed == 2);
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 0);
  t.add_event(span, t.intern(""), 1);
  t.stage_string(t.intern(""), "v");
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  const Span& s = only_span(t);
  CHECK(s.events.empty());
  CHECK(s.dropped_events == 1);
  CHECK(s.attributes.empty());
  CHECK(s.dropped_attributes == 1);
}

TEST_CASE("past the name limit, records are refused, never merged under a placeholder") {
  TelemetryOptions o = options();
  o.limits.max_interned = 1;
  Telemetry t(o);
  const auto orders = t.intern("orders.created");
  const auto payments = t.intern("payments.failed");
  CHECK(orders > 0);
  CHECK(payments == kNameRefused);
  CHECK(t.stats().names_dropped_intern_limit == 1);
  t.record(t.series(MetricType::Counter, orders, kNoName, 0), 1, 0);
  CHECK(t.series(MetricType::Counter, payments, kNoName, 0) == kSeriesRefused);
  CHECK(t.stats().records_dropped_unnamed == 1);
  t.drain(1);
  REQUIRE(t.drained().metrics.size() == 1);
  CHECK(t.drained().metrics[0].name == "orders.created");
  CHECK(t.drained().metrics[0].value == 1);
}

TEST_CASE("the name limit applies to a window: idle names are evicted and their ids never reused") {
  TelemetryOptions o = options();
  o.limits.max_interned = 2;
  Telemetry t(o);
  const auto a = t.intern("a");
  const auto b = t.intern("b");
  CHECK(t.intern("c") == kNameRefused);
  t.drain(1);  // a and b were used in this window: kept
  CHECK(t.evicted_names().empty());
  CHECK(t.intern("a") == a);
  t.drain(2);  // b idle for the whole window: evicted
  REQUIRE(t.evicted_names().size() == 1);
  CHECK(t.evicted_names()[0] == b);
  CHECK(t.stats().names_evicted == 1);
  CHECK_FALSE(t.is_interned(b));
  const auto c = t.intern("c");
  CHECK(c > 0);
  CHECK(c != b);  // same slot, new generation
  CHECK(t.interned(b).empty());
  // A stale id names nothing: the attribute is refused, not given another key.
  const auto span = t.start_span(kNoopSpan, a, SpanKind::Internal, 3);
  t.stage(b, AttributeValue::of_int(1));
  t.apply_staged_to_span(span);
  t.end_span(span, 4);
  const Span& s = only_span(t);
  CHECK(s.attributes.empty());
  CHECK(s.dropped_attributes == 1);
}

TEST_CASE("NaN and infinite attribute values are refused and counted, never sent as strings") {
  Telemetry t(options());
  const auto span = t.start_span(kNoopSpan, t.intern("s"), SpanKind::Internal, 0);
  t.stage(t.intern("nan"), AttributeValue::of_double(std::nan("")));
  t.stage(t.intern("inf"), AttributeValue::of_double(std::numeric_limits<double>::infinity()));
  t.stage(t.intern("ninf"), AttributeValue::of_double(-std::numeric_limits<double>::infinity()));
  t.stage(t.intern("ok"), AttributeValue::of_double(0.5));
  t.apply_staged_to_span(span);
  t.end_span(span, 1);
  const Span& s = only_span(t);
  REQUIRE(s.attributes.size() == 1);
  CHECK(s.attributes[0].key == "ok");
  CHECK(s.dropped_attributes == 3);
  CHECK(t.stats().attribute_values_rejected == 3);
}

TEST_CASE("a series whose tag was refused is refused, not merged into the untagged series") {
  Telemetry t(options());
  const auto name = t.intern("requests");
  const auto plain = t.series(MetricType::Counter, name, kNoName, 0);
  t.stage(t.intern("ratio"), AttributeValue::of_double(std::nan("")));
  CHECK(t.series(MetricType::Counter, name, kNoName, 0) == kSeriesRefused);
  CHECK(t.stats().series_dropped_incomplete_tags == 1);
  // The failed call left nothing behind on the stage.
  CHECK(t.series(MetricType::Counter, name, kNoName, 0) == plain);
}

TEST_CASE("dropped attributes are counted on the span, event and log that refused them") {
  TelemetryOptions o = options();
  o.limits.max_attributes = 1;
  Telemetry t(o);
  const auto span = t.start_span(kNoopSpan, t.intern("s"), SpanKind::Internal, 0);
  t.stage(t.intern("a"), AttributeValue::of_int(1));
  t.stage(t.intern("b"), AttributeValue::of_int(2));
  t.apply_staged_to_span(span);
  t.stage(t.intern("c"), AttributeValue::of_int(3));
  t.apply_staged_to_span(span);  // a second key on a span that holds its one
  t.stage(t.intern("a"), AttributeValue::of_int(4));
  t.stage(t.intern("b"), AttributeValue::of_int(5));
  t.add_event(span, t.intern("e"), 1);
  t.stage(t.intern("a"), AttributeValue::of_int(6));
  t.stage(t.intern("b"), AttributeValue::of_int(7));
  t.log(LogLevel::Info, "m", span, 2);
  t.end_span(span, 3);
  t.drain(4);
  const Span& s = t.drained().spans.at(0);
  CHECK(s.dropped_attributes == 2);
  CHECK(s.events.at(0).dropped_attributes == 1);
  CHECK(t.drained().logs.at(0).dropped_attributes == 1);
  CHECK(t.stats().attributes_dropped == 4);
}

TEST_CASE("a drain without a time starts the next window at the latest time the core was given") {
  Telemetry t(options());
  const auto id = t.series(MetricType::Counter, t.intern("c"), kNoName, 10);
  t.record(id, 1, 50);
  t.drain();
  CHECK(t.drained().metrics.at(0).start_ms == 10);
  t.record(id, 1, 70);
  t.drain(80);
  CHECK(t.drained().metrics.at(0).start_ms == 50);
}
