// One instrumented service inside one isolate: tracer, metrics, logs and the drain that turns
// what they recorded into payloads. This is the object behind a C ABI handle.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edgescope/attributes.hpp"
#include "edgescope/limits.hpp"
#include "edgescope/logs.hpp"
#include "edgescope/metrics.hpp"
#include "edgescope/tracer.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {

struct TelemetryOptions {
  std::string service;
  double sample_ratio = 1.0;
  EncodeOptions encode;
  Limits limits;
  std::array<std::uint64_t, 4> seed{};
};

class Telemetry {
 public:
  explicit Telemetry(TelemetryOptions options);
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // Names and attribute keys are interned once; the hot calls then pass small integers.
  // Returns 0 (the id of "edgescope.overflow") past Limits::max_interned (counted).
  std::int32_t intern(std::string_view raw);
  const std::string& interned(std::int32_t id) const;
  bool is_interned(std::int32_t id) const { return id >= 0 && static_cast<std::size_t>(id) < names_.size(); }

  // Attributes are staged, then consumed by the next span/event/log/series/resource call.
  void stage(std::int32_t key_id, AttributeValue value);
  void stage_string(std::int32_t key_id, std::string_view raw);
  void clear_stage() { staged_.clear(); }

  SpanHandle start_span(SpanHandle parent, std::int32_t name_id, SpanKind kind, double now_ms);
  SpanHandle start_remote_span(std::int32_t name_id, SpanKind kind, double now_ms, std::string_view traceparent,
                               std::string_view tracestate, bool* rejected_header);
  void apply_staged_to_span(SpanHandle span);
  void add_event(SpanHandle span, std::int32_t name_id, double now_ms);
  void set_status(SpanHandle span, StatusCode code, std::string_view message);
  void rename_span(SpanHandle span, std::int32_t name_id);
  bool end_span(SpanHandle span, double now_ms) { return tracer_.end(span, now_ms); }
  Tracer& tracer() { return tracer_; }

  SeriesId series(MetricType type, std::int32_t name_id, std::int32_t unit_id);
  bool record(SeriesId id, double value, double now_ms) { return metrics_.record(id, value, now_ms); }

  void log(LogLevel level, std::string_view message, SpanHandle span, double now_ms);

  void set_resource_from_stage();

  // Moves everything finished into the drained batch (replacing any previous one).
  std::size_t drain();
  const Batch& drained() const { return drained_; }
  // Encodes the drained batch; the payloads stay owned here until the next encode or release.
  const std::vector<Payload>& encode_drained(WireFormat format);
  const std::vector<Payload>& payloads() const { return payloads_; }
  void release();

  std::size_t pending() const { return tracer_.finished_count() + metrics_.dirty_count() + logs_.size(); }
  const Stats& stats() const { return stats_; }
  const Limits& limits() const { return options_.limits; }

 private:
  TelemetryOptions options_;
  Stats stats_;
  IdGenerator ids_;
  Sampler sampler_;
  Tracer tracer_;
  MetricRegistry metrics_;
  LogBuffer logs_;
  Resource resource_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::int32_t> name_ids_;
  std::vector<Attribute> staged_;
  Batch drained_;
  std::vector<Payload> payloads_;
};

}  // namespace edgescope
