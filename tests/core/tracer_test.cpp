#include <doctest/doctest.h>

#include "edgescope/telemetry.hpp"

using namespace edgescope;

namespace {
TelemetryOptions options(double ratio = 1.0) {
  TelemetryOptions o;
  o.service = "svc";
  o.sample_ratio = ratio;
  o.seed = {11, 22, 33, 44};
  return o;
}
}  // namespace

TEST_CASE("children share the trace id and point at their parent") {
  Telemetry t(options());
  const auto root = t.start_span(kNoopSpan, t.intern("root"), SpanKind::Server, 1000);
  const auto child = t.start_span(root, t.intern("child"), SpanKind::Internal, 1001);
  REQUIRE(root > 0);
  REQUIRE(child > 0);
  CHECK(t.end_span(child, 1002));
  CHECK(t.end_span(root, 1003));
  CHECK_FALSE(t.end_span(root, 1004));  // a stale handle is refused, not reused
  t.drain();
  const auto& spans = t.drained().spans;
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].name == "child");
  CHECK(spans[0].trace_id == spans[1].trace_id);
  CHECK(spans[0].parent_span_id == spans[1].span_id);
  CHECK(spans[1].parent_span_id == 0);
  CHECK(spans[1].end_ms == 1003);
}

TEST_CASE("a remote parent is continued, and a malformed one starts a new trace") {
  Telemetry t(options(0.0));  // ratio 0: only the parent's flag can make it sampled
  bool rejected = true;
  const auto span = t.start_remote_span(t.intern("in"), SpanKind::Server, 5,
                                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b", &rejected);
  CHECK_FALSE(rejected);
  CHECK(t.tracer().is_recording(span));
  const auto ctx = t.tracer().context(span);
  REQUIRE(ctx.has_value());
  CHECK(to_hex(ctx->trace_id) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(ctx->tracestate == "a=b");

  const auto bad = t.start_remote_span(t.intern("in"), SpanKind::Server, 5, "00-zz", "", &rejected);
  CHECK(rejected);
  CHECK(t.tracer().is_open(bad));
  CHECK_FALSE(t.tracer().is_recording(bad));  // new trace, ratio 0
}

TEST_CASE("unsampled spans record nothing but still propagate context") {
  Telemetry t(options(0.0));
  const auto root = t.start_span(kNoopSpan, t.intern("r"), SpanKind::Server, 0);
  const auto child = t.start_span(root, t.intern("c"), SpanKind::Client, 0);
  CHECK(t.tracer().context(child).has_value());
  CHECK_FALSE(t.tracer().context(child)->sampled());
  t.stage_string(t.intern("k"), "v");
  t.apply_staged_to_span(child);
  t.end_span(child, 1);
  t.end_span(root, 1);
  CHECK(t.pending() == 0);
}

TEST_CASE("bounds on open and finished spans are enforced and counted") {
  TelemetryOptions o = options();
  o.limits.max_open_spans = 3;
  o.limits.max_finished_spans = 2;
  Telemetry t(o);
  const auto name = t.intern("s");
  SpanHandle spans[4];
  for (auto& s : spans) s = t.start_span(kNoopSpan, name, SpanKind::Internal, 0);
  CHECK(spans[3] == kNoopSpan);
  CHECK(t.stats().spans_dropped_open_limit == 1);
  for (auto& s : spans) t.end_span(s, 1);
  CHECK(t.tracer().finished_count() == 2);
  CHECK(t.stats().spans_dropped_buffer_full == 1);
}

TEST_CASE("attributes: last write wins, count bound, typed values, events") {
  TelemetryOptions o = options();
  o.limits.max_attributes = 2;
  Telemetry t(o);
  const auto span = t.start_span(kNoopSpan, t.intern("s"), SpanKind::Internal, 0);
  t.stage_string(t.intern("a"), "1");
  t.stage(t.intern("a"), AttributeValue::of_int(2));
  t.stage(t.intern("b"), AttributeValue::of_bool(true));
  t.stage(t.intern("c"), AttributeValue::of_double(1.5));
  t.apply_staged_to_span(span);
  t.add_event(span, t.intern("retry"), 3);
  t.set_status(span, StatusCode::Error, "boom");
  t.end_span(span, 4);
  t.drain();
  const Span& s = t.drained().spans.at(0);
  REQUIRE(s.attributes.size() == 2);
  CHECK(s.attributes[0].value.type == AttributeType::Int);
  CHECK(s.attributes[0].value.integer == 2);
  CHECK(t.stats().attributes_dropped == 1);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].name == "retry");
  CHECK(s.status == StatusCode::Error);
  CHECK(s.status_message == "boom");
}
