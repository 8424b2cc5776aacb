#include <doctest/doctest.h>

#include "edgescope/metrics.hpp"

using namespace edgescope;

TEST_CASE("a series aggregates between drains and reports deltas") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto id = m.series(MetricType::Counter, "hits", "1", {{"route", "/a"}}, 90);
  CHECK(m.series(MetricType::Counter, "hits", "1", {{"route", "/a"}}, 91) == id);
  CHECK(m.series(MetricType::Counter, "hits", "1", {{"route", "/b"}}, 92) != id);
  for (int i = 0; i < 5; ++i) CHECK(m.record(id, 2, 100 + i));
  auto points = m.take(150);
  REQUIRE(points.size() == 1);
  CHECK(points[0].value == 10);
  CHECK(points[0].count == 5);
  CHECK(points[0].time_ms == 104);
  CHECK(m.series(MetricType::Counter, "hits", "1", {{"route", "/a"}}, 155) == id);  // looked up: not idle
  CHECK(m.take(160).empty());  // nothing recorded since
  CHECK(m.record(id, 1, 200));
  CHECK(m.take(210).at(0).value == 1);
}

TEST_CASE("a delta point starts at the previous drain, or at the series' creation in its first window") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto id = m.series(MetricType::Counter, "hits", "", {}, 100);
  m.record(id, 1, 130);  // the first recording is later than the creation
  CHECK(m.take(200).at(0).start_ms == 100);
  m.record(id, 1, 250);
  m.record(id, 1, 260);
  const auto second = m.take(300).at(0);
  CHECK(second.start_ms == 200);  // the collection that ended the previous window
  CHECK(second.time_ms == 260);
  m.record(id, 1, 320);
  CHECK(m.take(400).at(0).start_ms == 300);
}

TEST_CASE("tags are order-insensitive, typed, and the last duplicate wins") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto a = m.series(MetricType::Gauge, "g", "", {{"x", "1"}, {"y", "2"}}, 0);
  const auto b = m.series(MetricType::Gauge, "g", "", {{"y", "2"}, {"x", "0"}, {"x", "1"}}, 0);
  CHECK(a == b);
  const auto number = m.series(MetricType::Gauge, "g", "", {{"x", AttributeValue::of_int(1)}, {"y", "2"}}, 0);
  CHECK(number != a);  // 1 and "1" are different tag values
  // Length-prefixed identity: moving bytes between a key and its value is another series.
  CHECK(m.series(MetricType::Gauge, "g", "", {{"ab", "c"}}, 0) != m.series(MetricType::Gauge, "g", "", {{"a", "bc"}}, 0));
}

TEST_CASE("invalid values and type conflicts are refused and counted") {
  Limits limits;
  limits.max_series = 2;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto c = m.series(MetricType::Counter, "c", "", {}, 0);
  CHECK(m.series(MetricType::Gauge, "c", "", {}, 0) == kSeriesTypeConflict);
  CHECK(m.series(MetricType::Gauge, "c", "", {{"k", "v"}}, 0) == kSeriesTypeConflict);
  CHECK(stats.metric_type_conflicts == 2);
  CHECK_FALSE(m.record(c, -1, 0));
  CHECK_FALSE(m.record(c, 0.0 / 0.0, 0));
  CHECK_FALSE(m.record(99, 1, 0));
  CHECK(stats.metric_values_rejected == 3);
  m.series(MetricType::Gauge, "g", "", {}, 0);
  CHECK(m.series(MetricType::Gauge, "g2", "", {}, 0) == kSeriesRefused);
  CHECK(stats.series_dropped_limit == 1);
}

TEST_CASE("the series bound applies to a drain window: idle series are evicted and their ids refused") {
  Limits limits;
  limits.max_series = 2;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto a = m.series(MetricType::Counter, "a", "", {}, 0);
  const auto b = m.series(MetricType::Counter, "b", "", {}, 0);
  CHECK(m.series(MetricType::Counter, "c", "", {}, 0) == kSeriesRefused);
  m.record(a, 1, 1);
  m.record(b, 1, 1);
  m.take(10);        // both were used in this window: kept
  m.record(a, 1, 11);
  m.take(20);        // b idle for a whole window: evicted
  REQUIRE(m.evicted().size() == 1);
  CHECK(m.evicted()[0] == b);
  CHECK(stats.series_evicted == 1);
  const auto c = m.series(MetricType::Counter, "c", "", {}, 21);
  CHECK(c > 0);       // room again
  CHECK(c != b);      // the reused slot has a new generation
  CHECK_FALSE(m.record(b, 1, 22));  // the evicted id names nothing
  CHECK(m.record(c, 1, 22));
  const auto points = m.take(30);
  REQUIRE(points.size() == 1);
  CHECK(points[0].name == "c");
  CHECK(points[0].start_ms == 21);  // a new series starts at its creation
}

TEST_CASE("a name's type is held only while one of its series lives") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  m.series(MetricType::Counter, "x", "", {}, 0);
  CHECK(m.series(MetricType::Gauge, "x", "", {}, 0) == kSeriesTypeConflict);
  m.take(1);
  m.take(2);  // idle for a window: evicted, and the name is free for another type
  CHECK(m.series(MetricType::Gauge, "x", "", {}, 3) > 0);
}

TEST_CASE("a name's type belongs to that exact name while any one of its series lives") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto kept = m.series(MetricType::Counter, "req", "", {{"route", "/a"}}, 0);
  m.series(MetricType::Counter, "req", "", {{"route", "/b"}}, 0);
  // A name that begins with another, or is the start of another, is another name.
  CHECK(m.series(MetricType::Gauge, "requests", "", {}, 0) > 0);
  CHECK(m.series(MetricType::Gauge, "re", "", {}, 0) > 0);
  CHECK(m.series(MetricType::Histogram, "req", "s", {}, 0) == kSeriesTypeConflict);
  m.take(1);
  CHECK(m.record(kept, 1, 2));
  m.take(3);  // all but "/a" idle for a window: evicted
  CHECK(m.evicted().size() == 3);
  CHECK(m.series(MetricType::Gauge, "req", "", {}, 4) == kSeriesTypeConflict);  // "/a" still holds it
  CHECK(m.series(MetricType::Counter, "req", "", {{"route", "/b"}}, 4) > 0);
  CHECK(m.series(MetricType::Counter, "requests", "", {}, 4) > 0);  // its gauge was evicted
  CHECK(stats.metric_type_conflicts == 2);
}

TEST_CASE("the series table's byte budget refuses new series, and eviction gives the bytes back") {
  Limits limits;
  limits.max_series_bytes = 5000;  // each of these series costs about 2440 accounted bytes
  Stats stats;
  MetricRegistry m(limits, stats);
  const std::string big(900, 'v');
  CHECK(m.series(MetricType::Counter, "a", "", {{"k", big}}, 0) > 0);
  CHECK(m.series(MetricType::Counter, "b", "", {{"k", big}}, 0) > 0);
  CHECK(m.series(MetricType::Counter, "c", "", {{"k", big}}, 0) == kSeriesRefused);
  CHECK(stats.series_dropped_byte_budget == 1);
  CHECK(m.bytes() <= limits.max_series_bytes);
  m.take(1);
  m.take(2);
  CHECK(m.bytes() == 0);
  CHECK(m.series(MetricType::Counter, "c", "", {{"k", big}}, 3) > 0);
}

TEST_CASE("histograms keep sum, count, min, max and explicit buckets") {
  Limits limits;
  Stats stats;
  MetricRegistry m(limits, stats);
  const auto h = m.series(kExplicitHistogram, "latency", "ms", {}, 0);  // a duration asking for explicit buckets
  for (double v : {3.0, 5.0, 7.0, 20000.0}) m.record(h, v, 1);
  const auto p = m.take(2).at(0);
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
  const auto g = m.series(MetricType::Gauge, "g", "", {}, 0);
  const auto u = m.series(MetricType::UpDownCounter, "u", "", {}, 0);
  m.record(g, 5, 1);
  m.record(g, 3, 2);
  m.record(u, 2, 1);
  m.record(u, -5, 2);
  const auto points = m.take(3);
  CHECK(points.at(0).value == 3);
  CHECK(points.at(1).value == -3);
}
