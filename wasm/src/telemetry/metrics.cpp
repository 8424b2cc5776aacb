#include "edgescope/metrics.hpp"

#include "edgescope/slot_id.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgescope {
namespace {

// The identity of a series as one string: length-prefixed parts, so no name, unit, key or value
// (all may contain any byte) can make two different series collide.
void append_part(std::string& key, std::string_view part) {
  const auto n = static_cast<std::uint32_t>(part.size());
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  key.append(part);
}

void append_value(std::string& key, const AttributeValue& v) {
  key.push_back(static_cast<char>(v.type));
  switch (v.type) {
    case AttributeType::String: append_part(key, v.text); break;
    case AttributeType::Int: key.append(reinterpret_cast<const char*>(&v.integer), sizeof v.integer); break;
    case AttributeType::Double: {
      const double canonical = v.number == 0 ? 0.0 : v.number;  // -0 == 0, as operator== says
      key.append(reinterpret_cast<const char*>(&canonical), sizeof canonical);
      break;
    }
    case AttributeType::Bool: key.push_back(v.boolean ? '\1' : '\0'); break;
  }
}

std::string series_key(const std::string& name, const std::string& unit, const RecordArray<Tag>& tags) {
  std::string key;
  append_part(key, name);
  append_part(key, unit);
  for (const auto& tag : tags) {
    append_part(key, tag.key);
    append_value(key, tag.value);
  }
  return key;
}

}  // namespace

bool is_valid_metric_type(int type) { return type >= 0 && type <= 5; }

namespace {
// What an exponential series holds at most: both sides' counts at the bucket bound, in memory
// and as encoded (a count's digits and separator fit in its 8 bytes at the counts a window sees),
// plus the scale, offsets, zero count and the p50/p95/p99 of the native form.
std::size_t exp_histogram_overhead(std::uint32_t max_buckets) { return 2 * std::size_t{max_buckets} * sizeof(std::uint64_t) + 256; }
}  // namespace

const GrowArray<double>& default_histogram_bounds() {
  static const GrowArray<double> bounds = {0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
  return bounds;
}

// Durations in seconds (unit "s"): the bucket boundaries the HTTP semantic conventions advise for
// http.server.request.duration; the SDK default above is for milliseconds.
const GrowArray<double>& seconds_histogram_bounds() {
  static const GrowArray<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
  return bounds;
}

bool MetricRegistry::set_max_buckets(std::uint32_t max_buckets) {
  if (max_buckets < monitoring::kMinMaxBuckets || max_buckets > kMaxSeriesBuckets) return false;
  max_buckets_ = max_buckets;
  return true;
}

SeriesId MetricRegistry::id_of(std::uint32_t index) const {
  return static_cast<SeriesId>(slot_id(slots_[index].generation, index));
}

std::uint32_t* MetricRegistry::key_place(const std::string& key) {
  return std::lower_bound(by_key_.begin(), by_key_.end(), key,
                          [this](std::uint32_t index, const std::string& k) { return slots_[index].key < k; });
}

MetricRegistry::Series* MetricRegistry::find(SeriesId id) {
  if (id <= 0) return nullptr;
  const std::uint32_t index_plus_one = slot_index_plus_one(id);
  if (index_plus_one == 0 || index_plus_one > slots_.size()) return nullptr;
  Series& s = slots_[index_plus_one - 1];
  if (s.key.empty() || s.generation != slot_generation(id)) return nullptr;
  return &s;
}

SeriesId MetricRegistry::series(MetricType type, std::string name, std::string unit, RecordArray<Tag> tags,
                                double now_ms) {
  bool exponential = false;
  if (type == kExplicitHistogram) type = MetricType::Histogram;
  else if (type == kExponentialHistogram) {
    type = MetricType::Histogram;
    exponential = true;
  }
  else if (type == MetricType::Histogram) exponential = unit == "s" || unit == "ms";
  std::string name_part;
  append_part(name_part, name);
  const auto owner = key_place(name_part);
  if (owner != by_key_.end() && slots_[*owner].key.compare(0, name_part.size(), name_part) == 0 &&
      slots_[*owner].point.type != type) {
    ++stats_.metric_type_conflicts;
    return kSeriesTypeConflict;
  }
  // Stable insertion sort by key (equal keys keep their given order, so the last one given wins
  // below): a series has a few tags, and std::stable_sort's merge machinery costs kilobytes of
  // module code (size budget: scripts/size-budget.mjs).
  for (std::size_t i = 1; i < tags.size(); ++i) {
    if (!(tags[i].key < tags[i - 1].key)) continue;
    Tag moving = std::move(tags[i]);
    std::size_t j = i;
    for (; j > 0 && moving.key < tags[j - 1].key; --j) tags[j] = std::move(tags[j - 1]);
    tags[j] = std::move(moving);
  }
  // Duplicate keys: keep the last one given.
  RecordArray<Tag> unique;
  unique.reserve(tags.size());
  for (auto& tag : tags) {
    if (!unique.empty() && unique.back().key == tag.key) unique.back() = std::move(tag);
    else unique.push_back(std::move(tag));
  }
  std::string key = series_key(name, unit, unique);
  if (exponential) key.push_back('\x01');  // tags are length-prefixed: no key ends like this otherwise
  const auto found = key_place(key);
  if (found != by_key_.end() && slots_[*found].key == key) {
    slots_[*found].last_used = window_;
    return id_of(*found);
  }
  const std::size_t cap = limits_.max_series < kSlotIndexMask ? limits_.max_series : kSlotIndexMask;
  if (by_key_.size() >= cap || (free_.empty() && slots_.size() >= cap)) {
    ++stats_.series_dropped_limit;
    return kSeriesRefused;
  }
  std::size_t bytes = kSeriesOverhead + (exponential ? exp_histogram_overhead(max_buckets_) : type == MetricType::Histogram ? kHistogramOverhead : 0) + record_overhead_ +
                      key.size() + name.size() + json_text_bytes(name) + json_text_bytes(unit);
  for (const auto& tag : unique) bytes += kAttributeOverhead + json_text_bytes(tag.key) + value_bytes(tag.value);
  if (bytes > limits_.max_record_bytes || !pool_.take(bytes)) {
    ++stats_.series_dropped_byte_budget;
    return kSeriesRefused;
  }
  const std::uint32_t index = take_free_slot(free_, slots_);
  Series& s = slots_[index];
  ++s.generation;
  // `found` still marks where the key goes: by_key_ is unchanged
  insert_index(by_key_, static_cast<std::size_t>(found - by_key_.begin()), index);
  s.key = std::move(key);
  s.last_used = window_;
  s.created_window = window_;
  s.created_ms = now_ms;
  s.bytes = bytes;
  s.dirty = false;
  s.point = MetricPoint{};
  s.point.type = type;
  s.point.unit = std::move(unit);
  s.point.tags = std::move(unique);
  s.point.exponential = exponential;
  if (exponential) s.point.sketch = monitoring::ExpHistogram(max_buckets_);
  if (type == MetricType::Histogram && !exponential) {
    s.point.bounds = s.point.unit == "s" ? seconds_histogram_bounds() : default_histogram_bounds();
    // clear + resize (zeros), not assign(n, 0): one vector<uint64_t> growth path in the module.
    s.point.buckets.clear();
    s.point.buckets.resize(s.point.bounds.size() + 1);
  }
  s.point.name = std::move(name);
  return id_of(index);
}

bool MetricRegistry::record(SeriesId id, double value, double now_ms) {
  Series* s = find(id);
  if (s == nullptr || !std::isfinite(value)) {
    ++stats_.metric_values_rejected;
    return false;
  }
  MetricPoint& p = s->point;
  if (p.type == MetricType::Counter && value < 0) {
    ++stats_.metric_values_rejected;
    return false;
  }
  // A sum that would overflow to infinity is refused like any non-finite value: native JSON has no
  // way to say infinity, and a backend summing deltas would be poisoned by it.
  if (p.type != MetricType::Gauge && s->dirty && !std::isfinite(p.value + value)) {
    ++stats_.metric_values_rejected;
    return false;
  }
  if (p.exponential) {
    if (!s->dirty) p.sketch.clear();  // a delta point: the previous window's values went with it
    if (!p.sketch.record(value)) {    // finite and summable by now; a count past 2^53 is refused
      ++stats_.metric_values_rejected;
      return false;
    }
  }
  s->last_used = window_;
  if (!s->dirty) {
    s->dirty = true;
    ++dirty_;
    p.count = 0;
    p.value = 0;
    p.min = value;
    p.max = value;
    std::fill(p.buckets.begin(), p.buckets.end(), 0);
  }
  p.time_ms = now_ms;
  ++p.count;
  p.min = std::min(p.min, value);
  p.max = std::max(p.max, value);
  switch (p.type) {
    case MetricType::Counter:
    case MetricType::UpDownCounter:
    case MetricType::Histogram: p.value += value; break;
    case MetricType::Gauge: p.value = value; break;
  }
  if (p.type == MetricType::Histogram && !p.exponential) {
    // Bucket i counts values in (bounds[i-1], bounds[i]]: OTLP ExplicitBucketHistogram.
    const auto it = std::lower_bound(p.bounds.begin(), p.bounds.end(), value);
    ++p.buckets[static_cast<std::size_t>(it - p.bounds.begin())];
  }
  return true;
}

void MetricRegistry::evict(std::uint32_t index) {
  Series& s = slots_[index];
  evicted_.push_back(id_of(index));
  by_key_.erase(key_place(s.key));  // keys are unique: the place holds this slot
  s.key = std::string();  // releases the key's memory, as the point's below
  s.point = MetricPoint{};
  pool_.give(s.bytes);
  s.bytes = 0;
  ++stats_.series_evicted;
  if (s.generation < kMaxSlotGeneration) free_.push_back(index);  // else retired (slot_id.hpp)
}

RecordArray<MetricPoint> MetricRegistry::take(double now_ms) {
  RecordArray<MetricPoint> out;
  out.reserve(dirty_);
  evicted_.clear();
  for (std::uint32_t index = 0; index < slots_.size(); ++index) {
    Series& s = slots_[index];
    if (s.key.empty()) continue;
    if (s.dirty) {
      out.push_back(s.point);
      out.back().start_ms = s.created_window == window_ ? s.created_ms : last_drain_ms_;
      s.dirty = false;
    } else if (s.last_used < window_) {
      evict(index);
    }
  }
  dirty_ = 0;
  last_drain_ms_ = now_ms;
  ++window_;
  return out;
}

}  // namespace edgescope
