#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

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

TEST_CASE("an ended span's handle stays refused after its slot is reused 32,768+ times") {
  IdGenerator ids({7, 7, 7, 7});
  const Sampler always(1.0);
  const Limits limits;
  Stats stats;
  Tracer tracer(ids, always, limits, stats);
  const SpanHandle old = tracer.start_root("old", SpanKind::Server, 0, std::nullopt);
  REQUIRE(old > 0);
  REQUIRE(tracer.end(old, 1));
  // One span open at a time reuses the same slot until its generations run out (32,767), then a
  // fresh slot takes over; a 15-bit generation that wrapped would hand `old` out again here.
  int aliased = 0, stale_accepted = 0;
  for (int i = 0; i < 40000; ++i) {
    const SpanHandle live = tracer.start_root("live", SpanKind::Server, 2, std::nullopt);
    REQUIRE(live > 0);
    aliased += live == old ? 1 : 0;
    stale_accepted += (tracer.is_open(old) || tracer.recording(old) != nullptr || tracer.context(old).has_value()) ? 1 : 0;
    REQUIRE(tracer.end(live, 3));
  }
  CHECK(aliased == 0);
  CHECK(stale_accepted == 0);
  CHECK_FALSE(tracer.end(old, 4));
  CHECK(tracer.retired_slots() == 1);
  CHECK(stats.spans_dropped_open_limit == 0);
}

TEST_CASE("a stale handle cannot write into an unrelated live span") {
  TelemetryOptions o = options();
  Telemetry t(o);
  const auto key = t.intern("leak");
  const auto old = t.start_span(kNoopSpan, t.intern("old"), SpanKind::Internal, 0);
  REQUIRE(t.end_span(old, 1));
  int leaked = 0;
  for (int i = 0; i < 33000; ++i) {
    const auto live = t.start_span(kNoopSpan, t.intern("live"), SpanKind::Internal, 2);
    t.stage_string(key, "x");
    t.apply_staged_to_span(old);
    t.add_event(old, key, 2);
    const Span* span = t.tracer().recording(live);
    REQUIRE(span != nullptr);
    leaked += (span->attributes.empty() && span->events.empty()) ? 0 : 1;
    t.end_span(live, 3);
    if (t.tracer().finished_count() > 1000) t.drain();
  }
  CHECK(leaked == 0);
}

TEST_CASE("handles are positive, never repeat, and run out as counted no-op spans") {
  IdGenerator ids({8, 8, 8, 8});
  const Sampler always(1.0);
  const Limits limits;
  Stats stats;
  Tracer tracer(ids, always, limits, stats, /*max_slots=*/2);
  std::vector<SpanHandle> seen;
  // Two spans open at a time, so both slots are used in turn until both are retired.
  for (std::uint32_t i = 0; i < Tracer::kMaxGeneration; ++i) {
    const SpanHandle a = tracer.start_root("a", SpanKind::Internal, 0, std::nullopt);
    const SpanHandle b = tracer.start_child(a, "b", SpanKind::Internal, 0);
    seen.push_back(a);
    seen.push_back(b);
    tracer.end(b, 1);
    tracer.end(a, 1);
  }
  CHECK(tracer.retired_slots() == 2);
  CHECK(stats.spans_dropped_open_limit == 0);
  CHECK(std::all_of(seen.begin(), seen.end(), [](SpanHandle h) { return h > 0; }));
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  CHECK(seen.size() == 2 * Tracer::kMaxGeneration);

  // The supply is used up: new spans are the no-op span, counted, and calls on it do nothing.
  CHECK(tracer.start_root("late", SpanKind::Internal, 0, std::nullopt) == kNoopSpan);
  CHECK(stats.spans_dropped_open_limit == 1);
  CHECK_FALSE(tracer.end(kNoopSpan, 1));
  CHECK_FALSE(tracer.context(kNoopSpan).has_value());
  CHECK(tracer.start_child(kNoopSpan, "c", SpanKind::Internal, 0) == kNoopSpan);
  CHECK(tracer.open_count() == 0);
}

TEST_CASE("an unsampled remote parent's context propagates with the flag cleared") {
  Telemetry t(options(1.0));  // the ratio would sample everything: the parent's flag wins
  bool rejected = true;
  const auto root = t.start_remote_span(t.intern("in"), SpanKind::Server, 5,
                                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "rojo=1,congo=2",
                                        &rejected);
  CHECK_FALSE(rejected);
  REQUIRE(root > 0);
  CHECK_FALSE(t.tracer().is_recording(root));
  const auto child = t.start_span(root, t.intern("out"), SpanKind::Client, 6);
  REQUIRE(child > 0);
  CHECK_FALSE(t.tracer().is_recording(child));
  for (const auto handle : {root, child}) {
    const auto ctx = t.tracer().context(handle);
    REQUIRE(ctx.has_value());
    CHECK(to_hex(ctx->trace_id) == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(ctx->span_id != 0);
    CHECK(ctx->span_id != 0x00f067aa0ba902b7ULL);  // a new parent id for the next hop
    CHECK_FALSE(ctx->sampled());
    CHECK(ctx->tracestate == "rojo=1,congo=2");
  }
  CHECK(t.tracer().context(child)->span_id != t.tracer().context(root)->span_id);
  CHECK(t.end_span(child, 7));
  CHECK(t.end_span(root, 8));
  CHECK_FALSE(t.tracer().context(root).has_value());  // ended: nothing to propagate
  CHECK(t.pending() == 0);
}
