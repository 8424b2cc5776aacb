#include <doctest/doctest.h>

#include "edgescope/metrics.hpp"

using namespace edgescope;

TEST_CASE("a series aggregates between drains and reports deltas") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto id = m.series(MetricType::Counter, "hits", "1", {{"route", "/a"}});
  CHECK(m.series(MetricType::Counter, "hits", "1", {{"route", "/a"}}) == id);
  CHECK(m.series(MetricType::Counter, "hits", "1", {{"route", "/b"}}) != id);
  for (int i = 0; i < 5; ++i) CHECK(m.record(id, 2, 100 + i));
  auto points = m.take();
  REQUIRE(points.size() == 1);
  CHECK(points[0].value == 10);
  CHECK(points[0].count == 5);
  CHECK(points[0].start_ms == 100);
  CHECK(points[0].time_ms == 104);
  CHECK(m.take().empty());  // nothing recorded since
  m.record(id, 1, 200);
  CHECK(m.take().at(0).value == 1);
}

TEST_CASE("tags are order-insensitive and the last duplicate wins") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto a = m.series(MetricType::Gauge, "g", "", {{"x", "1"}, {"y", "2"}});
  const auto b = m.series(MetricType::Gauge, "g", "", {{"y", "2"}, {"x", "0"}, {"x", "1"}});
  CHECK(a == b);
}

TEST_CASE("invalid values and type conflicts are refused and counted") {
  Limits limits;
  limits.max_series = 2;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto c = m.series(MetricType::Counter, "c", "", {});
  CHECK(m.series(MetricType::Gauge, "c", "", {}) == -1);
  CHECK_FALSE(m.record(c, -1, 0));
  CHECK_FALSE(m.record(c, 0.0 / 0.0, 0));
  CHECK_FALSE(m.record(99, 1, 0));
  CHECK(stats.metric_values_rejected == 3);
  m.series(MetricType::Gauge, "g", "", {});
  CHECK(m.series(MetricType::Gauge, "g2", "", {}) == 0);
  CHECK(stats.series_dropped_limit == 1);
}

TEST_CASE("histograms keep sum, count, min, max and explicit buckets") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto h = m.series(MetricType::Histogram, "latency", "ms", {});
  for (double v : {3.0, 5.0, 7.0, 20000.0}) m.record(h, v, 1);
  const auto p = m.take().at(0);
  CHECK(p.count == 4);
  CHECK(p.value == 20015);
  CHECK(p.min == 3);
  CHECK(p.max == 20000);
  CHECK(p.buckets.size() == p.bounds.size() + 1);
  CHECK(p.buckets[1] == 2);               // (0, 5]: 3 and 5
  CHECK(p.buckets[2] == 1);               // (5, 10]: 7
  CHECK(p.buckets.back() == 1);           // (10000, +inf)
}

TEST_CASE("gauges report the last value and up-down counters may go negative") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto g = m.series(MetricType::Gauge, "g", "", {});
  const auto u = m.series(MetricType::UpDownCounter, "u", "", {});
  m.record(g, 5, 1);
  m.record(g, 3, 2);
  m.record(u, 2, 1);
  m.record(u, -5, 2);
  const auto points = m.take();
  CHECK(points.at(0).value == 3);
  CHECK(points.at(1).value == -3);
}
