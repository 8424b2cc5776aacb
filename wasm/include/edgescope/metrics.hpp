// Metrics aggregated per series between drains: one point per series per drain, not one record
// per call, so a hot counter costs an add, not an allocation. Each drain reports the delta since
// the previous one (OTLP aggregationTemporality DELTA), which is what stays correct when every
// isolate reports independently and a backend sums them.
//
// The series bounds (max_series, max_series_bytes) apply to a drain window: a series that nothing
// recorded to or looked up during a whole window is evicted at the drain that closes it. Its id
// carries a generation, so an evicted id is refused, never taken for the series reusing its slot.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/accounting.hpp"
#include "edgescope/attributes.hpp"
#include "edgescope/limits.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/slot_id.hpp"
#include "edgescope/monitoring/exp_histogram.hpp"

namespace edgescope {

// A point's type is one of these four. kExplicitHistogram and kExponentialHistogram ask series()
// for a histogram with that aggregation; plain Histogram takes it from the unit: a duration ("s", "ms") gets the
// exponential histogram (mergeable percentiles), anything else explicit buckets.
// The largest bucket bound a series may have (MetricRegistry::set_max_buckets).
constexpr std::uint32_t kMaxSeriesBuckets = 4096;

enum class MetricType : std::uint8_t { Counter = 0, UpDownCounter = 1, Gauge = 2, Histogram = 3 };
constexpr MetricType kExplicitHistogram = static_cast<MetricType>(4);     // series() requests only
constexpr MetricType kExponentialHistogram = static_cast<MetricType>(5);  // (the ABI's type 4 and 5)
bool is_valid_metric_type(int type);

// A metric tag keeps its type (an http.response.status_code of 200 is a number on the wire).
struct Tag {
  std::string key;
  AttributeValue value;
  Tag() = default;
  Tag(std::string k, AttributeValue v) : key(std::move(k)), value(std::move(v)) {}
  Tag(std::string k, std::string text) : key(std::move(k)), value(AttributeValue::of_string(std::move(text))) {}
};

// Explicit histogram bounds (the OpenTelemetry SDK default), for histograms that are not
// durations or that ask for explicit buckets.
const GrowArray<double>& default_histogram_bounds();
const GrowArray<double>& seconds_histogram_bounds();

struct MetricPoint {
  MetricType type = MetricType::Counter;
  std::string name;
  std::string unit;
  RecordArray<Tag> tags;  // sorted by key
  // Start of the delta window: the previous drain (collection) time, or the series' creation time
  // in its first window (OTLP metrics data model, "Temporality": a delta point covers
  // (start, time] and consecutive points of a series abut).
  double start_ms = 0;
  double time_ms = 0;     // last recording
  double value = 0;       // counter/up-down: delta sum; gauge: last value; histogram: sum
  std::uint64_t count = 0;
  double min = 0;
  double max = 0;
  // GrowArray: no std::vector growth path for 8-byte elements (grow_array.hpp).
  GrowArray<double> bounds;            // explicit histogram only
  GrowArray<std::uint64_t> buckets;    // explicit histogram only: bounds.size() + 1 counts
  bool exponential = false;            // histogram: `sketch` holds the window's values, not bounds
  monitoring::ExpHistogram sketch;     // OTLP ExponentialHistogram, delta: this window only
};

// > 0: a series; 0: refused (series bound, counted); -1: the name is used by another type (counted).
using SeriesId = std::int32_t;
constexpr SeriesId kSeriesRefused = 0;
constexpr SeriesId kSeriesTypeConflict = -1;

class MetricRegistry {
 public:
  MetricRegistry(const Limits& limits, Stats& stats) : limits_(limits), stats_(stats), pool_(limits.max_series_bytes) {}
  MetricRegistry(const MetricRegistry&) = delete;
  MetricRegistry& operator=(const MetricRegistry&) = delete;

  // Finds or creates a series. Tags are sorted by key (duplicate keys: last wins). A new series
  // starts its first delta window at `now_ms`.
  SeriesId series(MetricType type, std::string name, std::string unit, RecordArray<Tag> tags, double now_ms);

  // Records one value. Returns false (and counts) for an unknown or evicted series, a non-finite
  // value or a negative counter increment.
  bool record(SeriesId id, double value, double now_ms);

  // The points recorded since the last take, then resets the deltas, evicts the series idle
  // during the window that ends here (ids in evicted()) and starts the next window at `now_ms`.
  RecordArray<MetricPoint> take(double now_ms);
  const IdList& evicted() const { return evicted_; }

  // The bucket bound of exponential histogram series created from now on. Their memory is
  // reserved against the series budget when they are created (both sides full), so the bound is
  // capped where one series still fits a record (max_record_bytes): false, unchanged, outside
  // [monitoring::kMinMaxBuckets, kMaxSeriesBuckets].
  bool set_max_buckets(std::uint32_t max_buckets);
  std::uint32_t max_buckets() const { return max_buckets_; }

  // Added to every new series' accounted size (the payload envelope, accounting.hpp).
  void set_record_overhead(std::size_t bytes) { record_overhead_ = bytes; }

  std::size_t dirty_count() const { return dirty_; }
  std::size_t series_count() const { return by_key_.size(); }
  std::size_t bytes() const { return pool_.used(); }

 private:
  struct Series {
    MetricPoint point;
    std::string key;  // (name, unit, tags) as series_key writes it; empty: a free slot
    std::uint64_t last_used = 0;
    std::uint64_t created_window = 0;
    double created_ms = 0;
    std::size_t bytes = 0;
    std::uint16_t generation = 0;
    bool dirty = false;
  };
  Series* find(SeriesId id);
  SeriesId id_of(std::uint32_t index) const;
  void evict(std::uint32_t index);
  // The first place in by_key_ whose series key is not less than `key` (binary search).
  std::uint32_t* key_place(const std::string& key);

  const Limits& limits_;
  Stats& stats_;
  BytePool pool_;
  std::size_t record_overhead_ = 0;
  std::uint32_t max_buckets_ = monitoring::kDefaultMaxBuckets;
  RecordArray<Series> slots_;
  IndexList free_;
  // Live slot indices sorted by their series key: O(log n) lookups without hash-table code in
  // the module (size budget). A key starts with its length-prefixed name, so a name's series are
  // adjacent: that is how a name belongs to one type at a time (the type of its series).
  IndexList by_key_;
  IdList evicted_;
  std::size_t dirty_ = 0;
  std::uint64_t window_ = 0;
  double last_drain_ms_ = 0;
};

}  // namespace edgescope
