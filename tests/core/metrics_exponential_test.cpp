// Duration histograms as exponential histograms (metrics.hpp, monitoring/exp_histogram.hpp): which
// series get one, their delta windows and byte accounting, and how each wire format carries them
// (native JSON: the sketch plus per-flush p50/p95/p99; OTLP protobuf: ExponentialHistogram, field 10).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../fuzz/otlp_proto_walker.hpp"
#include "edgescope/metrics.hpp"
#include "edgescope/telemetry.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

Telemetry make() {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = 1 << 20;
  return Telemetry(o);
}

std::vector<double> durations_ms(std::size_t n) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(1 + static_cast<double>((i * 7919) % 2000) * 0.731);
  return v;
}

}  // namespace

TEST_CASE("a histogram whose unit is a duration aggregates as an exponential histogram; others keep explicit buckets") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto ms = m.series(MetricType::Histogram, "http.server.request.duration", "ms", {}, 0);
  const auto s = m.series(MetricType::Histogram, "db.duration", "s", {}, 0);
  const auto bytes = m.series(MetricType::Histogram, "body.size", "By", {}, 0);
  const auto explicit_ms = m.series(kExplicitHistogram, "queue.wait", "ms", {}, 0);
  const auto exponential_by = m.series(kExponentialHistogram, "payload", "By", {}, 0);
  for (const auto id : {ms, s, bytes, explicit_ms, exponential_by}) REQUIRE(m.record(id, 12.5, 1));
  const auto points = m.take(2);
  REQUIRE(points.size() == 5);
  const bool expected[] = {true, true, false, false, true};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK_MESSAGE(points[i].exponential == expected[i], points[i].name);
    CHECK(points[i].type == MetricType::Histogram);
    CHECK(points[i].bounds.empty() == expected[i]);
    if (expected[i]) CHECK(points[i].sketch.count() == 1);
  }
  // The aggregation is part of the series: the same name and unit with explicit buckets is another.
  CHECK(m.series(kExplicitHistogram, "http.server.request.duration", "ms", {}, 3) != ms);
  CHECK(m.series(kExponentialHistogram, "http.server.request.duration", "ms", {}, 3) == ms);
  CHECK(is_valid_metric_type(5));
  CHECK_FALSE(is_valid_metric_type(6));
}

TEST_CASE("an exponential histogram point holds only its window's values, and windows merge into the whole") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto id = m.series(MetricType::Histogram, "latency", "ms", {}, 0);
  const std::vector<double> values = durations_ms(3000);
  monitoring::ExpHistogram whole;
  for (std::size_t i = 0; i < 1000; ++i) REQUIRE(m.record(id, values[i], 1));
  auto first = m.take(2).at(0).sketch;
  for (std::size_t i = 1000; i < 3000; ++i) REQUIRE(m.record(id, values[i], 3));
  const auto second = m.take(4).at(0);
  CHECK(first.count() == 1000);
  CHECK(second.sketch.count() == 2000);
  CHECK(second.count == 2000);
  CHECK(second.sketch.sum() == second.value);
  for (const double v : values) whole.record(v);
  REQUIRE(first.merge(second.sketch));
  CHECK(first.scale() == whole.scale());
  CHECK(first.positive() == whole.positive());
  CHECK(first.count() == whole.count());
  // A refused value reaches neither the point nor the sketch.
  CHECK_FALSE(m.record(id, NAN, 5));
  REQUIRE(m.record(id, 1, 5));
  CHECK(m.take(6).at(0).sketch.count() == 1);
}

TEST_CASE("an exponential histogram series accounts for its bucket arrays in the series byte budget") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  m.series(kExplicitHistogram, "a", "ms", {}, 0);
  const std::size_t explicit_bytes = m.bytes();
  m.series(MetricType::Histogram, "b", "ms", {}, 0);
  const std::size_t exponential_bytes = m.bytes() - explicit_bytes;
  // Two sides of at most 160 eight-byte counts, beyond what an explicit histogram costs.
  CHECK(exponential_bytes >= explicit_bytes + 2 * monitoring::kDefaultMaxBuckets * 8 - 512);
  // A budget that holds one explicit histogram refuses an exponential one, and counts it.
  Limits tight;
  tight.max_series_bytes = explicit_bytes + 100;
  Stats tight_stats;
  MetricRegistry small(tight, tight_stats);
  CHECK(small.series(MetricType::Histogram, "b", "ms", {}, 0) == kSeriesRefused);
  CHECK(tight_stats.series_dropped_byte_budget == 1);
  CHECK(small.series(kExplicitHistogram, "a", "ms", {}, 0) > 0);
}

TEST_CASE("native JSON carries the sketch as exp_histogram_from_json reads it, plus this flush's p50/p95/p99") {
  Telemetry t = make();
  const auto id = t.series(MetricType::Histogram, t.intern("http.server.request.duration"), t.intern("ms"));
  std::vector<double> values = durations_ms(5000);
  for (const double v : values) t.record(id, v, 10);
  t.record(t.series(MetricType::Histogram, t.intern("body.size"), t.intern("By")), 300, 11);
  t.drain();
  const json doc = json::parse(t.encode_drained(WireFormat::NativeJson).at(0).body);
  const json& point = doc["metrics"][0];
  CHECK(point["type"] == "histogram");
  CHECK(point["count"] == 5000);
  CHECK_FALSE(point.contains("bounds"));
  monitoring::ExpHistogram sketch;
  std::string error;
  REQUIRE_MESSAGE(monitoring::exp_histogram_from_json(point["exponential"].dump(), sketch, error), error);
  CHECK(sketch.count() == 5000);
  CHECK(sketch.min() == point["min"].get<double>());
  std::sort(values.begin(), values.end());
  const double bound = monitoring::ExpHistogram::relative_error(sketch.scale());
  for (const auto& pq : {std::pair<const char*, double>{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}}) {
    const double exact = values[static_cast<std::size_t>(std::ceil(pq.second * 5000)) - 1];
    const double estimate = point[pq.first].get<double>();
    CHECK_MESSAGE(std::fabs(estimate - exact) <= bound * exact * (1 + 1e-9), pq.first);
  }
  // A histogram that is not a duration keeps its explicit buckets and has no percentiles.
  const json& size = doc["metrics"][1];
  CHECK(size["bounds"].size() + 1 == size["bucketCounts"].size());
  CHECK_FALSE(size.contains("p50"));
}

TEST_CASE("OTLP protobuf carries an ExponentialHistogram (Metric field 10, delta) with ZigZag scale and offsets") {
  Telemetry t = make();
  const auto id = t.series(MetricType::Histogram, t.intern("latency"), t.intern("s"));
  for (const double v : {0.0, -0.25, 0.003, 0.004, 0.5}) t.record(id, v, 10);
  t.drain();
  const auto& payloads = t.encode_drained(WireFormat::OtlpProto);
  REQUIRE(payloads.size() == 1);
  otlp_walk::Walker walker;
  otlp_walk::Node request;
  std::string why;
  REQUIRE_MESSAGE(walker.walk(otlp_walk::request_type(payloads[0].signal), payloads[0].body, request, why), why);
  const otlp_walk::Node& metric = request.msg(1).msg(2).msg(2);
  REQUIRE(metric.has(10));
  CHECK_FALSE(metric.has(9));
  CHECK(metric.msg(10).num(2) == 1);  // AGGREGATION_TEMPORALITY_DELTA
  const otlp_walk::Node& dp = metric.msg(10).msg(1);
  // The same sketch, recorded here: every field must match it.
  monitoring::ExpHistogram h;
  for (const double v : {0.0, -0.25, 0.003, 0.004, 0.5}) h.record(v);
  const auto unzigzag = [](std::uint64_t z) { return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1); };
  CHECK(dp.num(4) == 5);                                // count
  CHECK_FALSE(dp.has(5));                               // a negative value: no sum
  CHECK(unzigzag(dp.num(6)) == h.scale());              // scale
  CHECK(dp.num(7) == 1);                                // zero_count
  CHECK(unzigzag(dp.msg(8).num(1)) == h.positive().offset);
  REQUIRE(dp.msg(8).count(2) == h.positive().counts.size());
  for (std::size_t i = 0; i < h.positive().counts.size(); ++i) CHECK(dp.msg(8).at(2, i).number == h.positive().counts[i]);
  CHECK(unzigzag(dp.msg(9).num(1)) == h.negative().offset);
  CHECK(h.negative().offset < 0);  // 0.25 is below 1: a negative offset, ZigZag-coded
  CHECK(dp.msg(9).count(2) == 1);
}

TEST_CASE("the bucket bound applies to exponential series created after it is set, and reserves their memory") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  CHECK_FALSE(m.set_max_buckets(monitoring::kMinMaxBuckets - 1));
  CHECK_FALSE(m.set_max_buckets(kMaxSeriesBuckets + 1));
  CHECK(m.max_buckets() == monitoring::kDefaultMaxBuckets);  // a refused bound changes nothing
  const auto standard = m.series(MetricType::Histogram, "a", "ms", {}, 0);
  const std::size_t standard_bytes = m.bytes();
  REQUIRE(m.set_max_buckets(8));
  const auto small = m.series(MetricType::Histogram, "b", "ms", {}, 0);
  // Both sides' counts are reserved up front: the smaller bound reserves less.
  CHECK(m.bytes() - standard_bytes < standard_bytes);
  for (double v = 0.001; v < 1e6; v *= 1.3) {
    REQUIRE(m.record(standard, v, 1));
    REQUIRE(m.record(small, v, 1));
  }
  const auto points = m.take(2);
  REQUIRE(points.size() == 2);
  CHECK(points[0].sketch.max_buckets() == monitoring::kDefaultMaxBuckets);
  CHECK(points[1].sketch.max_buckets() == 8);
  CHECK(points[1].sketch.scale() < points[0].sketch.scale());
  CHECK(points[1].sketch.count() == points[0].sketch.count());
}
