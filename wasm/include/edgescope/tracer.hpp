// Open spans are addressed by handles, positive int32s that the C ABI hands to JavaScript:
// handle = generation << 16 | (slot index + 1), a 15-bit generation and a 16-bit index. A handle
// is never given out twice: each reuse of a slot raises its generation, and a slot whose
// generation has reached its maximum is retired instead of wrapping round (a wrapped generation
// would bring an old handle back to life on an unrelated span). So a stale handle (span already
// ended) is always refused. The price is a finite supply: 65,535 slots x 32,767 generations,
// about 2.1 billion spans for the life of one core instance; past that every new span is the
// no-op span, counted in spans_dropped_open_limit. Handle 0 is the no-op span: calls on it do
// nothing, which is also what a span refused by the open-span bound becomes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/limits.hpp"
#include "edgescope/sampling.hpp"
#include "edgescope/span.hpp"
#include "edgescope/trace_context.hpp"

namespace edgescope {

using SpanHandle = std::int32_t;
constexpr SpanHandle kNoopSpan = 0;

class Tracer {
 public:
  static constexpr std::uint32_t kMaxGeneration = 0x7FFF;  // keeps handles positive as int32
  static constexpr std::uint32_t kMaxSlots = 0xFFFF;       // index + 1 fits the low 16 bits

  // `max_slots` (at most kMaxSlots) bounds the slot table; tests lower it to reach the end of
  // the handle supply quickly.
  Tracer(IdGenerator& ids, const Sampler& sampler, const Limits& limits, Stats& stats,
         std::uint32_t max_slots = kMaxSlots);

  // A root span; `remote` is the incoming request's parsed trace context, if any.
  SpanHandle start_root(std::string name, SpanKind kind, double now_ms, const std::optional<TraceContext>& remote);
  // A child of an open span. Returns kNoopSpan when `parent` is not open.
  SpanHandle start_child(SpanHandle parent, std::string name, SpanKind kind, double now_ms);

  bool is_open(SpanHandle handle) const { return slot_of(handle) != nullptr; }
  bool is_recording(SpanHandle handle) const;
  // The span's data while it records, else nullptr (unsampled, no-op, or ended).
  Span* recording(SpanHandle handle);
  const Span* recording(SpanHandle handle) const;
  // Trace id, span id, flags and tracestate of an open span (also for unsampled spans, whose
  // context must still propagate with the sampled flag cleared).
  std::optional<TraceContext> context(SpanHandle handle) const;
  // The same without a copy: the open span (recording or not), else nullptr. Valid until the
  // next call that starts or ends a span.
  const Span* open_span(SpanHandle handle) const {
    const Slot* slot = slot_of(handle);
    return slot ? &span_of(*slot) : nullptr;
  }

  // Ends the span; a recorded span moves to the finished buffer (or is counted as dropped when
  // the buffer is full). Returns false for a handle that is not open.
  bool end(SpanHandle handle, double now_ms);

  std::vector<Span> take_finished();
  std::size_t finished_count() const { return finished_.size(); }
  std::size_t open_count() const { return open_count_; }
  // Slots whose generations are used up; they are never handed out again.
  std::size_t retired_slots() const { return retired_slots_; }

 private:
  // A slot only hands out handles; the span itself lives in spans_, whose entries are reused
  // freely (nothing outside refers to them), so a retired slot costs just these 8 bytes.
  struct Slot {
    std::uint16_t generation = 0;  // of the latest handle given out; 0 before the first
    bool in_use = false;
    bool recording = false;
    std::uint32_t span = 0;  // index into spans_ while in use
  };

  SpanHandle open_slot(Span span, bool recording);
  Slot* slot_of(SpanHandle handle);
  const Slot* slot_of(SpanHandle handle) const;
  const Span& span_of(const Slot& slot) const { return spans_[slot.span]; }

  IdGenerator& ids_;
  const Sampler& sampler_;
  const Limits& limits_;
  Stats& stats_;
  std::uint32_t max_slots_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;  // in slots_, with generations left
  std::vector<Span> spans_;                // ids and flags are kept for unsampled spans too
  std::vector<std::uint32_t> free_spans_;  // in spans_
  std::size_t open_count_ = 0;
  std::size_t retired_slots_ = 0;
  std::vector<Span> finished_;
};

}  // namespace edgescope
