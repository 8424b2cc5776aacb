#include "edgescope/tracer.hpp"

#include "edgescope/slot_id.hpp"

namespace edgescope {

bool is_valid_span_kind(int kind) { return kind >= 1 && kind <= 5; }
bool is_valid_status_code(int code) { return code >= 0 && code <= 2; }

namespace {
// Handles are slot ids (slot_id.hpp); index + 1 keeps 0 free for the no-op span.
static_assert(Tracer::kMaxSlots <= kSlotIndexMask, "index + 1 must fit the index bits");
static_assert(Tracer::kMaxGeneration == kMaxSlotGeneration, "handles must stay positive int32s");
}  // namespace

Tracer::Tracer(IdGenerator& ids, const Sampler& sampler, const Limits& limits, Stats& stats,
               std::uint32_t max_slots)
    : ids_(ids),
      sampler_(sampler),
      limits_(limits),
      stats_(stats),
      max_slots_(max_slots < kMaxSlots ? max_slots : kMaxSlots) {}

SpanHandle Tracer::open_slot(Span span, bool recording) {
  // Refused spans become the no-op span, counted: over the open-span bound, or (after about
  // 2.1 billion spans) with no slot left that has an unused generation.
  if (open_count_ >= limits_.max_open_spans) {
    ++stats_.spans_dropped_open_limit;
    return kNoopSpan;
  }
  std::uint32_t index;
  if (!free_slots_.empty()) {
    index = free_slots_.back();
    free_slots_.pop_back();
  } else if (slots_.size() < max_slots_) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    ++stats_.spans_dropped_open_limit;
    return kNoopSpan;
  }
  std::uint32_t storage;
  if (!free_spans_.empty()) {
    storage = free_spans_.back();
    free_spans_.pop_back();
    spans_[storage] = std::move(span);
  } else {
    storage = static_cast<std::uint32_t>(spans_.size());
    spans_.push_back(std::move(span));
  }
  Slot& slot = slots_[index];
  // Slots at kMaxGeneration are retired in end(), so this never wraps.
  slot.generation = static_cast<std::uint16_t>(slot.generation + 1);
  slot.in_use = true;
  slot.recording = recording;
  slot.span = storage;
  ++open_count_;
  return static_cast<SpanHandle>(slot_id(slot.generation, index));
}

Tracer::Slot* Tracer::slot_of(SpanHandle handle) {
  return const_cast<Slot*>(static_cast<const Tracer*>(this)->slot_of(handle));
}

const Tracer::Slot* Tracer::slot_of(SpanHandle handle) const {
  if (handle <= 0) return nullptr;
  const std::uint32_t index_plus_one = slot_index_plus_one(handle);
  if (index_plus_one == 0 || index_plus_one > slots_.size()) return nullptr;
  const Slot& slot = slots_[index_plus_one - 1];
  if (!slot.in_use || slot.generation != slot_generation(handle)) return nullptr;
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
  const Span& parent_span = span_of(*parent_slot);
  Span span;
  span.trace_id = parent_span.trace_id;
  span.parent_span_id = parent_span.span_id;
  span.flags = parent_span.flags;
  span.tracestate = parent_span.tracestate;
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
  return slot && slot->recording ? &spans_[slot->span] : nullptr;
}

const Span* Tracer::recording(SpanHandle handle) const {
  const Slot* slot = slot_of(handle);
  return slot && slot->recording ? &spans_[slot->span] : nullptr;
}

std::optional<TraceContext> Tracer::context(SpanHandle handle) const {
  const Slot* slot = slot_of(handle);
  if (!slot) return std::nullopt;
  const Span& span = span_of(*slot);
  TraceContext ctx;
  ctx.trace_id = span.trace_id;
  ctx.span_id = span.span_id;
  ctx.flags = span.flags;
  ctx.tracestate = span.tracestate;
  return ctx;
}

bool Tracer::end(SpanHandle handle, double now_ms) {
  Slot* slot = slot_of(handle);
  if (!slot) return false;
  Span& span = spans_[slot->span];
  if (slot->recording) {
    if (finished_.size() >= limits_.max_finished_spans) {
      ++stats_.spans_dropped_buffer_full;
    } else {
      span.end_ms = now_ms < span.start_ms ? span.start_ms : now_ms;
      finished_.push_back(std::move(span));
    }
  }
  span = Span{};
  free_spans_.push_back(slot->span);
  slot->in_use = false;
  slot->recording = false;
  if (slot->generation >= kMaxGeneration) {
    ++retired_slots_;  // its next generation would wrap: never hand it out again
  } else {
    free_slots_.push_back(slot_index_plus_one(handle) - 1);
  }
  --open_count_;
  return true;
}

std::vector<Span> Tracer::take_finished() {
  std::vector<Span> out;
  out.swap(finished_);
  return out;
}

}  // namespace edgescope
