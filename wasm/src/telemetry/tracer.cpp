#include "edgescope/tracer.hpp"

namespace edgescope {

bool is_valid_span_kind(int kind) { return kind >= 1 && kind <= 5; }
bool is_valid_status_code(int code) { return code >= 0 && code <= 2; }

namespace {
// handle = (generation << 16) | (index + 1); index + 1 keeps 0 free for the no-op span.
constexpr std::uint32_t kIndexBits = 16;
constexpr std::uint32_t kIndexMask = (1u << kIndexBits) - 1;
constexpr std::uint16_t kGenerationMask = 0x7FFF;  // keeps handles positive as int32
}  // namespace

Tracer::Tracer(IdGenerator& ids, const Sampler& sampler, const Limits& limits, Stats& stats)
    : ids_(ids), sampler_(sampler), limits_(limits), stats_(stats) {}

SpanHandle Tracer::open_slot(Span span, bool recording) {
  const std::size_t cap = limits_.max_open_spans < kIndexMask ? limits_.max_open_spans : kIndexMask;
  if (open_count_ >= cap) {
    ++stats_.spans_dropped_open_limit;
    return kNoopSpan;
  }
  std::uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  slot.in_use = true;
  slot.recording = recording;
  slot.generation = static_cast<std::uint16_t>((slot.generation + 1) & kGenerationMask);
  slot.span = std::move(span);
  ++open_count_;
  return static_cast<SpanHandle>((static_cast<std::uint32_t>(slot.generation) << kIndexBits) | (index + 1));
}

Tracer::Slot* Tracer::slot_of(SpanHandle handle) {
  return const_cast<Slot*>(static_cast<const Tracer*>(this)->slot_of(handle));
}

const Tracer::Slot* Tracer::slot_of(SpanHandle handle) const {
  if (handle <= 0) return nullptr;
  const std::uint32_t raw = static_cast<std::uint32_t>(handle);
  const std::uint32_t index_plus_one = raw & kIndexMask;
  if (index_plus_one == 0 || index_plus_one > slots_.size()) return nullptr;
  const Slot& slot = slots_[index_plus_one - 1];
  if (!slot.in_use || slot.generation != (raw >> kIndexBits)) return nullptr;
  return &slot;
}

SpanHandle Tracer::start_root(std::string name, SpanKind kind, double now_ms,
                              const std::optional<TraceContext>& remote) {
  Span span;
  std::optional<bool> parent_sampled;
  if (remote) {
    span.trace_id = remote->trace_id;
    span.parent_span_id = remote->span_id;
    span.tracestate = remote->tracestate;
    parent_sampled = remote->sampled();
  } else {
    span.trace_id = ids_.next_trace_id();
  }
  span.span_id = ids_.next_span_id();
  const bool sampled = sampler_.sample(span.trace_id, parent_sampled);
  span.flags = sampled ? 0x01 : 0x00;
  span.name = std::move(name);
  span.kind = kind;
  span.start_ms = now_ms;
  return open_slot(std::move(span), sampled);
}

SpanHandle Tracer::start_child(SpanHandle parent, std::string name, SpanKind kind, double now_ms) {
  const Slot* parent_slot = slot_of(parent);
  if (!parent_slot) return kNoopSpan;
  Span span;
  span.trace_id = parent_slot->span.trace_id;
  span.parent_span_id = parent_slot->span.span_id;
  span.flags = parent_slot->span.flags;
  span.tracestate = parent_slot->span.tracestate;
  span.span_id = ids_.next_span_id();
  span.name = std::move(name);
  span.kind = kind;
  span.start_ms = now_ms;
  return open_slot(std::move(span), parent_slot->recording);
}

bool Tracer::is_recording(SpanHandle handle) const {
  const Slot* slot = slot_of(handle);
  return slot && slot->recording;
}

Span* Tracer::recording(SpanHandle handle) {
  Slot* slot = slot_of(handle);
  return slot && slot->recording ? &slot->span : nullptr;
}

std::optional<TraceContext> Tracer::context(SpanHandle handle) const {
  const Slot* slot = slot_of(handle);
  if (!slot) return std::nullopt;
  TraceContext ctx;
  ctx.trace_id = slot->span.trace_id;
  ctx.span_id = slot->span.span_id;
  ctx.flags = slot->span.flags;
  ctx.tracestate = slot->span.tracestate;
  return ctx;
}

bool Tracer::end(SpanHandle handle, double now_ms) {
  Slot* slot = slot_of(handle);
  if (!slot) return false;
  if (slot->recording) {
    if (finished_.size() >= limits_.max_finished_spans) {
      ++stats_.spans_dropped_buffer_full;
    } else {
      slot->span.end_ms = now_ms < slot->span.start_ms ? slot->span.start_ms : now_ms;
      finished_.push_back(std::move(slot->span));
    }
  }
  slot->span = Span{};
  slot->in_use = false;
  slot->recording = false;
  free_.push_back(static_cast<std::uint32_t>((static_cast<std::uint32_t>(handle) & kIndexMask) - 1));
  --open_count_;
  return true;
}

std::vector<Span> Tracer::take_finished() {
  std::vector<Span> out;
  out.swap(finished_);
  return out;
}

}  // namespace edgescope
