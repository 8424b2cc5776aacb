// Keep rules (sampling.hpp, tracer.hpp): head-unsampled traces are recorded provisionally and
// kept whole or discarded when their local root ends.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "edgescope/telemetry.hpp"

using namespace edgescope;

namespace {

TelemetryOptions options(double ratio = 0.0) {
  TelemetryOptions o;
  o.service = "svc";
  o.sample_ratio = ratio;
  o.seed = {5, 6, 7, 8};
  return o;
}

KeepRules rules() {
  KeepRules k;
  k.errors = true;
  k.status_at_least = 500;
  k.slower_than_ms = 1000;
  k.routes = {"/checkout*", "/admin"};
  k.span_names = {"payment.*"};
  return k;
}

void configure(Telemetry& t, KeepRules k = rules(), SlowThresholds slow = {}) {
  std::string error;
  REQUIRE(t.set_sampling(std::move(k), slow, error));
}

// An incoming request whose caller did not sample it (flags 00), so only the keep rules can keep it.
SpanHandle request(Telemetry& t, int trace, double now = 1000) {
  char tp[64];
  std::snprintf(tp, sizeof tp, "00-%032x-00000000000000aa-00", trace);
  return t.start_remote_span(t.intern("GET"), SpanKind::Server, now, tp, "", nullptr);
}

void set_int(Telemetry& t, SpanHandle span, const char* key, std::int64_t value) {
  t.stage(t.intern(key), AttributeValue::of_int(value));
  t.apply_staged_to_span(span);
}

void set_string(Telemetry& t, SpanHandle span, const char* key, const char* value) {
  t.stage_string(t.intern(key), value);
  t.apply_staged_to_span(span);
}

const AttributeValue* attribute(const Span& span, const std::string& key) {
  for (const auto& a : span.attributes) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

std::string kept_by(const Span& span) {
  const AttributeValue* v = attribute(span, kKeptByKey);
  return v ? v->text : "";
}

double counter(const Telemetry& t, const std::string& name, const std::string& tag, const std::string& value) {
  double sum = 0;
  for (const auto& p : t.drained().metrics) {
    if (p.name != name) continue;
    for (const auto& g : p.tags) {
      if (g.key == tag && g.value.text == value) sum += p.value;
    }
  }
  return sum;
}

}  // namespace

TEST_CASE("patterns are exact values or a prefix ending in one star") {
  CHECK(pattern_matches("/admin", "/admin"));
  CHECK_FALSE(pattern_matches("/admin", "/admin/users"));
  CHECK(pattern_matches("/checkout*", "/checkout"));
  CHECK(pattern_matches("/checkout*", "/checkout/pay"));
  CHECK_FALSE(pattern_matches("/checkout*", "/check"));
  CHECK(*pattern_problem("/a*") == 0);
  CHECK(std::string(pattern_problem("")) == "is empty");
  CHECK(std::string(pattern_problem("*")).find("lone") != std::string::npos);
  CHECK(std::string(pattern_problem("/a*/b")).find("last character") != std::string::npos);
}

TEST_CASE("bad keep rules are refused whole, naming the field, and the previous rules stay") {
  Telemetry t(options());
  configure(t);
  KeepRules bad = rules();
  bad.span_names = {"ok", "pay*ment"};
  std::string error;
  CHECK_FALSE(t.set_sampling(bad, SlowThresholds{}, error));
  CHECK(error == "keep.spanNames[1] has a '*' that is not its last character");
  bad = rules();
  bad.status_at_least = -3;
  CHECK_FALSE(t.set_sampling(bad, SlowThresholds{}, error));
  CHECK(error.find("keep.statusAtLeast") == 0);
  // Still the first rules: an error keeps the trace.
  const auto root = request(t, 1);
  t.set_status(root, StatusCode::Error, "boom");
  t.end_span(root, 1001);
  t.drain();
  CHECK(t.drained().spans.size() == 1);
}

TEST_CASE("without keep rules an unsampled trace records nothing, as plain head sampling") {
  Telemetry t(options());
  const auto root = request(t, 1);
  CHECK_FALSE(t.tracer().is_recording(root));
  t.set_status(root, StatusCode::Error, "boom");
  t.end_span(root, 5000);
  t.drain();
  CHECK(t.drained().spans.empty());
  CHECK(t.drained().metrics.empty());  // no decision was made, none is counted
}

TEST_CASE("a trace with an error anywhere is kept whole, every span marked, its sampled flag still 0") {
  Telemetry t(options());
  configure(t);
  const auto root = request(t, 1);
  CHECK(t.tracer().is_recording(root));
  CHECK(t.tracer().is_provisional(root));
  const auto child = t.start_span(root, t.intern("load"), SpanKind::Internal, 1001);
  const auto grandchild = t.start_span(child, t.intern("parse"), SpanKind::Internal, 1002);
  t.add_event(grandchild, t.intern("exception"), 1003);
  t.end_span(grandchild, 1004);
  t.end_span(child, 1005);
  CHECK(t.tracer().pending_count() == 2);
  CHECK(t.pending() == 0);  // nothing drainable before the decision
  t.end_span(root, 1006);
  CHECK(t.tracer().pending_count() == 0);
  t.drain();
  const auto& spans = t.drained().spans;
  REQUIRE(spans.size() == 3);
  for (const auto& s : spans) {
    CHECK(kept_by(s) == "error");
    CHECK((s.flags & 1) == 0);  // what was propagated: head-unsampled
  }
  CHECK(counter(t, "edgescope.sampling.traces", "decision", "error") == 1);
}

TEST_CASE("each rule keeps, in order: error, status, slow, route, span name") {
  struct Case {
    const char* name;
    int status;
    double duration;
    const char* route;
    const char* child;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"status", 503, 10, "/home", "load", "status"},
      {"499 is below the status threshold", 499, 10, "/home", "load", ""},
      {"slow", 200, 1500, "/home", "load", "slow"},
      {"exactly the slow threshold is not slower", 200, 1000, "/home", "load", ""},
      {"route prefix", 200, 10, "/checkout/pay", "load", "route"},
      {"route exact", 200, 10, "/admin", "load", "route"},
      {"route exact does not match longer", 200, 10, "/admin/x", "load", ""},
      {"span name", 200, 10, "/home", "payment.charge", "span"},
      {"status before slow", 500, 5000, "/checkout", "payment.x", "status"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Telemetry t(options());
    configure(t);
    const auto root = request(t, 7);
    set_string(t, root, "http.route", c.route);
    t.end_span(t.start_span(root, t.intern(c.child), SpanKind::Internal, 1001), 1002);
    set_int(t, root, "http.response.status_code", c.status);
    t.end_span(root, 1000 + c.duration);
    t.drain();
    if (*c.expected == 0) {
      CHECK(t.drained().spans.empty());
      CHECK(counter(t, "edgescope.sampling.traces", "decision", "discarded") == 1);
    } else {
      REQUIRE(t.drained().spans.size() == 2);
      CHECK(kept_by(t.drained().spans[0]) == c.expected);
      CHECK(kept_by(t.drained().spans[1]) == c.expected);
    }
  }
}

TEST_CASE("url.path stands in for a route when the root has no http.route") {
  Telemetry t(options());
  configure(t);
  const auto root = request(t, 3);
  set_string(t, root, "url.path", "/checkout");
  t.end_span(root, 1001);
  t.drain();
  REQUIRE(t.drained().spans.size() == 1);
  CHECK(kept_by(t.drained().spans[0]) == "route");
}

TEST_CASE("a discarded trace gives back its bytes and is never encoded") {
  Telemetry t(options());
  configure(t);
  const auto root = request(t, 2);
  t.end_span(t.start_span(root, t.intern("load"), SpanKind::Internal, 1001), 1002);
  CHECK(t.usage().spans > 0);
  t.end_span(root, 1003);
  CHECK(t.usage().spans == 0);
  CHECK(t.tracer().pending_count() == 0);
  t.drain();
  CHECK(t.drained().spans.empty());
  CHECK(counter(t, "edgescope.sampling.traces", "decision", "discarded") == 1);
}

TEST_CASE("head-sampled traces are recorded as before, unmarked and not counted as decisions") {
  Telemetry t(options(1.0));
  configure(t);
  const auto root = t.start_span(kNoopSpan, t.intern("GET"), SpanKind::Server, 1000);
  CHECK_FALSE(t.tracer().is_provisional(root));
  t.set_status(root, StatusCode::Error, "boom");
  t.end_span(root, 1001);
  t.drain();
  REQUIRE(t.drained().spans.size() == 1);
  CHECK(kept_by(t.drained().spans[0]).empty());
  CHECK((t.drained().spans[0].flags & 1) == 1);
  CHECK(counter(t, "edgescope.sampling.traces", "decision", "error") == 0);
}

TEST_CASE("spans that end after the decision, or start after it in the same trace, follow it") {
  for (const bool keep : {true, false}) {
    CAPTURE(keep);
    Telemetry t(options());
    configure(t);
    const auto root = request(t, 9);
    const auto background = t.start_span(root, t.intern("background"), SpanKind::Internal, 1001);
    if (keep) set_int(t, root, "http.response.status_code", 502);
    t.end_span(root, 1002);
    CHECK_FALSE(t.tracer().is_provisional(background));
    CHECK(t.tracer().is_recording(background) == keep);
    // A child of the ended root, restarted from its context as the shim does (traceparent): a
    // kept trace stays kept; after a discard it is a group of its own, discarded at its end
    // when no rule matches.
    const auto late = request(t, 9, 1003);
    CHECK(t.tracer().is_provisional(late) == !keep);
    CHECK(t.tracer().is_recording(late));  // kept, or recorded provisionally
    t.end_span(late, 1004);
    t.end_span(background, 1005);
    t.drain();
    if (keep) {
      REQUIRE(t.drained().spans.size() == 3);
      for (const auto& s : t.drained().spans) CHECK(kept_by(s) == "status");
    } else {
      CHECK(t.drained().spans.empty());
      CHECK(t.usage().spans == 0);
    }
  }
}

TEST_CASE("concurrent provisional traces are decided independently") {
  Telemetry t(options());
  configure(t);
  const auto a = request(t, 21);
  const auto b = request(t, 22);
  const auto a1 = t.start_span(a, t.intern("a1"), SpanKind::Internal, 1001);
  const auto b1 = t.start_span(b, t.intern("b1"), SpanKind::Internal, 1001);
  t.set_status(b1, StatusCode::Error, "x");
  t.end_span(a1, 1002);
  t.end_span(b1, 1002);
  t.end_span(a, 1003);  // discarded: its pending child goes, b's stays
  CHECK(t.tracer().pending_count() == 1);
  t.end_span(b, 1004);
  t.drain();
  REQUIRE(t.drained().spans.size() == 2);
  for (const auto& s : t.drained().spans) CHECK(s.trace_id.low == 22);  // b's trace, whole
}

TEST_CASE("pending spans share the finished-span bound; refusals are counted") {
  TelemetryOptions o = options();
  o.limits.max_finished_spans = 4;
  Telemetry t(o);
  configure(t);
  const auto root = request(t, 4);
  for (int i = 0; i < 6; ++i) t.end_span(t.start_span(root, t.intern("c"), SpanKind::Internal, 1001), 1002);
  CHECK(t.tracer().pending_count() == 4);
  CHECK(t.stats().spans_dropped_buffer_full == 2);
  t.set_status(root, StatusCode::Error, "boom");
  t.end_span(root, 1003);
  t.drain();
  CHECK(t.drained().spans.size() == 4);  // the root found the buffer full too
  CHECK(t.stats().spans_dropped_buffer_full == 3);
}

TEST_CASE("slow work is flagged and counted by kind; queries by span name") {
  Telemetry t(options(1.0));
  SlowThresholds slow;
  slow.request_ms = 500;
  slow.fetch_ms = 200;
  configure(t, KeepRules{}, slow);
  const auto root = t.start_span(kNoopSpan, t.intern("GET"), SpanKind::Server, 1000);
  const auto fetch = t.start_span(root, t.intern("GET"), SpanKind::Client, 1000);
  set_string(t, fetch, "http.request.method", "GET");
  t.end_span(fetch, 1201);
  const auto quick = t.start_span(root, t.intern("SELECT a"), SpanKind::Client, 1000);
  set_string(t, quick, "db.system", "d1");
  t.end_span(quick, 1100);  // exactly 100 ms: not slower than the default
  const auto query = t.start_span(root, t.intern("SELECT b"), SpanKind::Client, 1000);
  set_string(t, query, "db.system.name", "sqlite");
  t.end_span(query, 1101);
  const auto internal = t.start_span(root, t.intern("work"), SpanKind::Internal, 1000);
  t.end_span(internal, 9000);  // not a kind that is watched
  t.end_span(root, 1501);
  t.drain();
  const auto& spans = t.drained().spans;
  REQUIRE(spans.size() == 5);
  const auto slow_flag = [](const Span& s) { return attribute(s, "edgescope.slow") != nullptr; };
  CHECK(slow_flag(spans[0]));         // fetch
  CHECK_FALSE(slow_flag(spans[1]));   // quick query
  CHECK(slow_flag(spans[2]));         // slow query
  CHECK_FALSE(slow_flag(spans[3]));   // internal
  CHECK(slow_flag(spans[4]));         // request
  CHECK(counter(t, "edgescope.slow", "kind", "fetch") == 1);
  CHECK(counter(t, "edgescope.slow", "kind", "query") == 1);
  CHECK(counter(t, "edgescope.slow", "span.name", "SELECT b") == 1);
  CHECK(counter(t, "edgescope.slow", "kind", "request") == 1);
}

TEST_CASE("a slow request is counted even when its trace is not recorded") {
  Telemetry t(options(0.0));
  SlowThresholds slow;
  slow.request_ms = 500;
  configure(t, KeepRules{}, slow);
  const auto root = request(t, 5);
  CHECK_FALSE(t.tracer().is_recording(root));
  t.end_span(root, 2000);
  t.drain();
  CHECK(t.drained().spans.empty());
  CHECK(counter(t, "edgescope.slow", "kind", "request") == 1);
}

TEST_CASE("a new request in a trace whose earlier request was discarded is decided on its own, so its error is kept") {
  Telemetry t(options());
  configure(t);
  const auto first = request(t, 31);
  t.end_span(first, 1001);  // nothing matched: discarded
  const auto second = request(t, 31, 1002);
  REQUIRE(t.tracer().is_provisional(second));
  t.set_status(second, StatusCode::Error, "boom");
  t.end_span(second, 1003);
  t.drain();
  REQUIRE(t.drained().spans.size() == 1);
  CHECK(kept_by(t.drained().spans[0]) == "error");
  CHECK(counter(t, "edgescope.sampling.traces", "decision", "discarded") == 1);
  CHECK(counter(t, "edgescope.sampling.traces", "decision", "error") == 1);
}
