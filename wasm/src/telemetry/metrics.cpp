#include "edgescope/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace edgescope {

bool is_valid_metric_type(int type) { return type >= 0 && type <= 3; }

const char* metric_type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter: return "counter";
    case MetricType::UpDownCounter: return "updowncounter";
    case MetricType::Gauge: return "gauge";
    case MetricType::Histogram: return "histogram";
  }
  return "counter";
}

const std::vector<double>& default_histogram_bounds() {
  static const std::vector<double> bounds = {0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};
  return bounds;
}

SeriesId MetricRegistry::series(MetricType type, std::string name, std::string unit, std::vector<Tag> tags) {
  std::stable_sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.key < b.key; });
  // Duplicate keys: keep the last one given.
  std::vector<Tag> unique;
  for (auto& tag : tags) {
    if (!unique.empty() && unique.back().key == tag.key) unique.back() = std::move(tag);
    else unique.push_back(std::move(tag));
  }
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const MetricPoint& p = series_[i].point;
    if (p.name != name) continue;
    if (p.type != type) return -1;
    if (p.unit != unit || p.tags.size() != unique.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < unique.size() && same; ++k) {
      same = p.tags[k].key == unique[k].key && p.tags[k].value == unique[k].value;
    }
    if (same) return static_cast<SeriesId>(i + 1);
  }
  if (series_.size() >= limits_.max_series) {
    ++stats_.series_dropped_limit;
    return 0;
  }
  Series s;
  s.point.type = type;
  s.point.name = std::move(name);
  s.point.unit = std::move(unit);
  s.point.tags = std::move(unique);
  if (type == MetricType::Histogram) {
    s.point.bounds = default_histogram_bounds();
    s.point.buckets.assign(s.point.bounds.size() + 1, 0);
  }
  series_.push_back(std::move(s));
  return static_cast<SeriesId>(series_.size());
}

bool MetricRegistry::record(SeriesId id, double value, double now_ms) {
  if (id <= 0 || static_cast<std::size_t>(id) > series_.size() || !std::isfinite(value)) {
    ++stats_.metric_values_rejected;
    return false;
  }
  Series& s = series_[static_cast<std::size_t>(id - 1)];
  MetricPoint& p = s.point;
  if (p.type == MetricType::Counter && value < 0) {
    ++stats_.metric_values_rejected;
    return false;
  }
  if (!s.dirty) {
    s.dirty = true;
    ++dirty_;
    p.start_ms = now_ms;
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
  if (p.type == MetricType::Histogram) {
    // Bucket i counts values in (bounds[i-1], bounds[i]]: OTLP ExplicitBucketHistogram.
    const auto it = std::lower_bound(p.bounds.begin(), p.bounds.end(), value);
    ++p.buckets[static_cast<std::size_t>(it - p.bounds.begin())];
  }
  return true;
}

std::vector<MetricPoint> MetricRegistry::take() {
  std::vector<MetricPoint> out;
  out.reserve(dirty_);
  for (auto& s : series_) {
    if (!s.dirty) continue;
    out.push_back(s.point);
    s.dirty = false;
  }
  dirty_ = 0;
  return out;
}

}  // namespace edgescope
