#include "edgescope/telemetry.hpp"

#include <cmath>

#include "edgescope/trace_context.hpp"

namespace edgescope {

Telemetry::Telemetry(TelemetryOptions options)
    : options_(std::move(options)),
      ids_(options_.seed),
      sampler_(options_.sample_ratio),
      tracer_(ids_, sampler_, options_.limits, stats_),
      metrics_(options_.limits, stats_),
      logs_(options_.limits, stats_) {
  resource_.service = sanitize_text(options_.service, options_.limits.max_name_bytes, stats_);
  names_.emplace_back("edgescope.overflow");
  name_ids_.emplace(names_.front(), 0);
}

std::int32_t Telemetry::intern(std::string_view raw) {
  std::string name = sanitize_text(raw, options_.limits.max_name_bytes, stats_);
  const auto found = name_ids_.find(name);
  if (found != name_ids_.end()) return found->second;
  if (names_.size() >= options_.limits.max_interned) {
    ++stats_.names_dropped_intern_limit;
    return 0;
  }
  const auto id = static_cast<std::int32_t>(names_.size());
  name_ids_.emplace(name, id);
  names_.push_back(std::move(name));
  return id;
}

const std::string& Telemetry::interned(std::int32_t id) const {
  return is_interned(id) ? names_[static_cast<std::size_t>(id)] : names_.front();
}

void Telemetry::stage(std::int32_t key_id, AttributeValue value) {
  staged_.push_back(Attribute{interned(key_id), std::move(value)});
}

void Telemetry::stage_string(std::int32_t key_id, std::string_view raw) {
  stage(key_id, AttributeValue::of_string(sanitize_text(raw, options_.limits.max_attribute_value_bytes, stats_)));
}

SpanHandle Telemetry::start_span(SpanHandle parent, std::int32_t name_id, SpanKind kind, double now_ms) {
  if (parent == kNoopSpan) return tracer_.start_root(interned(name_id), kind, now_ms, std::nullopt);
  return tracer_.start_child(parent, interned(name_id), kind, now_ms);
}

SpanHandle Telemetry::start_remote_span(std::int32_t name_id, SpanKind kind, double now_ms,
                                        std::string_view traceparent, std::string_view tracestate,
                                        bool* rejected_header) {
  std::optional<TraceContext> remote;
  if (!traceparent.empty()) {
    remote = parse_traceparent(traceparent);
    if (rejected_header) *rejected_header = !remote.has_value();
    // tracestate is only meaningful next to a valid traceparent (section 3.3.1).
    if (remote) remote->tracestate = normalize_tracestate(tracestate);
  }
  return tracer_.start_root(interned(name_id), kind, now_ms, remote);
}

void Telemetry::apply_staged_to_span(SpanHandle handle) {
  Span* span = tracer_.recording(handle);
  if (span) {
    for (auto& a : staged_) set_attribute(span->attributes, std::move(a), options_.limits.max_attributes, stats_);
  }
  staged_.clear();
}

void Telemetry::add_event(SpanHandle handle, std::int32_t name_id, double now_ms) {
  Span* span = tracer_.recording(handle);
  if (span) {
    if (span->events.size() >= options_.limits.max_events_per_span) {
      ++span->dropped_events;
      ++stats_.attributes_dropped;
    } else {
      SpanEvent event;
      event.name = interned(name_id);
      event.time_ms = now_ms;
      for (auto& a : staged_) set_attribute(event.attributes, std::move(a), options_.limits.max_attributes, stats_);
      span->events.push_back(std::move(event));
    }
  }
  staged_.clear();
}

void Telemetry::set_status(SpanHandle handle, StatusCode code, std::string_view message) {
  Span* span = tracer_.recording(handle);
  if (!span) return;
  span->status = code;
  // The message is only meaningful with an error (OpenTelemetry trace API, "Set Status").
  span->status_message = code == StatusCode::Error ? sanitize_text(message, options_.limits.max_message_bytes, stats_)
                                                   : std::string{};
}

void Telemetry::rename_span(SpanHandle handle, std::int32_t name_id) {
  Span* span = tracer_.recording(handle);
  if (span) span->name = interned(name_id);
}

SeriesId Telemetry::series(MetricType type, std::int32_t name_id, std::int32_t unit_id) {
  std::vector<Tag> tags;
  tags.reserve(staged_.size());
  for (auto& a : staged_) {
    if (tags.size() >= options_.limits.max_attributes) {
      ++stats_.attributes_dropped;
      continue;
    }
    tags.push_back(Tag{std::move(a.key), std::move(a.value)});
  }
  staged_.clear();
  return metrics_.series(type, interned(name_id), interned(unit_id), std::move(tags));
}

void Telemetry::log(LogLevel level, std::string_view message, SpanHandle span, double now_ms) {
  LogRecord record;
  record.time_ms = now_ms;
  record.level = level;
  record.message = sanitize_text(message, options_.limits.max_message_bytes, stats_);
  for (auto& a : staged_) set_attribute(record.attributes, std::move(a), options_.limits.max_attributes, stats_);
  staged_.clear();
  if (const auto ctx = tracer_.context(span)) {
    record.trace_id = ctx->trace_id;
    record.span_id = ctx->span_id;
  }
  logs_.append(std::move(record));
}

void Telemetry::set_resource_from_stage() {
  for (auto& a : staged_) set_attribute(resource_.attributes, std::move(a), options_.limits.max_attributes, stats_);
  staged_.clear();
}

std::size_t Telemetry::drain() {
  payloads_.clear();
  drained_.spans = tracer_.take_finished();
  drained_.metrics = metrics_.take();
  drained_.logs = logs_.take();
  return drained_.size();
}

const std::vector<Payload>& Telemetry::encode_drained(WireFormat format) {
  payloads_ = encode(format, drained_, resource_, options_.encode, stats_);
  return payloads_;
}

void Telemetry::release() {
  drained_ = Batch{};
  payloads_.clear();
  payloads_.shrink_to_fit();
}

}  // namespace edgescope
