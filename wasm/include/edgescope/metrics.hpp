// Metrics aggregated per series between drains: one point per series per drain, not one record
// per call, so a hot counter costs an add, not an allocation. Each drain reports the delta since
// the previous one (OTLP aggregationTemporality DELTA), which is what stays correct when every
// isolate reports independently and a backend sums them.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/attributes.hpp"
#include "edgescope/limits.hpp"

namespace edgescope {

enum class MetricType : std::uint8_t { Counter = 0, UpDownCounter = 1, Gauge = 2, Histogram = 3 };
bool is_valid_metric_type(int type);
const char* metric_type_name(MetricType type);

// A metric tag keeps its type (an http.response.status_code of 200 is a number on the wire).
struct Tag {
  std::string key;
  AttributeValue value;
  Tag() = default;
  Tag(std::string k, AttributeValue v) : key(std::move(k)), value(std::move(v)) {}
  Tag(std::string k, std::string text) : key(std::move(k)), value(AttributeValue::of_string(std::move(text))) {}
};

// Explicit histogram bounds (the OpenTelemetry SDK default). The mergeable log-bucket sketch
// replaces these later; points already carry sum/count/min/max so consumers need not change.
const std::vector<double>& default_histogram_bounds();

struct MetricPoint {
  MetricType type = MetricType::Counter;
  std::string name;
  std::string unit;
  std::vector<Tag> tags;  // sorted by key
  double start_ms = 0;    // start of the delta window
  double time_ms = 0;     // last recording
  double value = 0;       // counter/up-down: delta sum; gauge: last value; histogram: sum
  std::uint64_t count = 0;
  double min = 0;
  double max = 0;
  std::vector<double> bounds;          // histogram only
  std::vector<std::uint64_t> buckets;  // histogram only: bounds.size() + 1 counts
};

using SeriesId = std::int32_t;  // > 0; 0 means "refused" (series limit reached)

class MetricRegistry {
 public:
  MetricRegistry(const Limits& limits, Stats& stats) : limits_(limits), stats_(stats) {}

  // Finds or creates a series. Tags are sorted by key (duplicate keys: last wins).
  // Returns 0 when the series limit is reached (counted); -1 when `name` already names a
  // series of another type (a user error the shim reports with the name).
  SeriesId series(MetricType type, std::string name, std::string unit, std::vector<Tag> tags);

  // Records one value. Returns false (and counts) for an unknown series, a non-finite value or a
  // negative counter increment.
  bool record(SeriesId id, double value, double now_ms);

  // The points recorded since the last take, then resets the deltas. Series ids stay valid.
  std::vector<MetricPoint> take();
  std::size_t dirty_count() const { return dirty_; }
  std::size_t series_count() const { return series_.size(); }

 private:
  struct Series {
    MetricPoint point;
    bool dirty = false;
  };
  const Limits& limits_;
  Stats& stats_;
  std::vector<Series> series_;
  std::size_t dirty_ = 0;
};

}  // namespace edgescope
