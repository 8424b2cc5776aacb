// Open spans are addressed by handles, positive int32s that the C ABI hands to JavaScript:
// handle = generation << 16 | (slot index + 1), a 15-bit generation and a 16-bit index. A handle
// is never given out twice: each reuse of a slot raises its generation, and a slot whose
// generation has reached its maximum is retired instead of wrapping round (a wrapped generation
// would bring an old handle back to life on an unrelated span). So a stale handle (span already
// ended) is always refused. The price is a finite supply: 65,535 slots x 32,767 generations,
// about 2.1 billion spans for the life of one core instance; past that every new span is the
// no-op span, counted in spans_dropped_open_limit. Handle 0 is the no-op span: calls on it do
// nothing, which is also what a span refused by the open-span bound becomes.
//
// Keep rules (sampling.hpp): with rules set, a span of a trace the head sampler rejected is
// *provisional*: it records like a sampled span (so the rules can read its status, events and
// attributes) but its propagated context keeps sampled = 0, and when it ends it waits in a pending
// list instead of the finished buffer. Spans of one trace in this core form one group, decided
// once, when the group's first local root ends: kept (every pending span moves to the finished
// buffer marked with the rule) or discarded (dropped unencoded). Spans still open then, and spans
// of the trace started later (background work, a child of an ended span restarted from its
// context), follow the decision; the last kRememberedDecisions decisions are remembered for that.
// Pending spans count against max_finished_spans with the finished ones (refusals counted in
// spans_dropped_buffer_full), so nothing grows without bound. Without rules nothing here runs.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edgescope/grow_array.hpp"
#include "edgescope/limits.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/slot_id.hpp"
#include "edgescope/sampling.hpp"
#include "edgescope/span.hpp"
#include "edgescope/trace_context.hpp"

namespace edgescope {

using SpanHandle = std::int32_t;
// The attribute a tail-selected (kept) span carries: the rule that kept its trace.
constexpr const char* kKeptByKey = "edgescope.sampling.kept_by";
constexpr SpanHandle kNoopSpan = 0;

class Tracer {
 public:
  static constexpr std::uint32_t kMaxGeneration = 0x7FFF;  // keeps handles positive as int32
  static constexpr std::uint32_t kMaxSlots = 0xFFFF;       // index + 1 fits the low 16 bits

  static constexpr std::size_t kRememberedDecisions = 64;

  // `max_slots` (at most kMaxSlots) bounds the slot table; tests lower it to reach the end of
  // the handle supply quickly.
  Tracer(IdGenerator& ids, const Sampler& sampler, const Limits& limits, Stats& stats,
         std::uint32_t max_slots = kMaxSlots);
  // Keep rules for head-unsampled traces (nullptr or inactive rules: plain head sampling). The
  // rules must outlive the tracer; set them before starting spans.
  void set_keep_rules(const KeepRules* rules) { keep_ = rules && rules->active() ? rules : nullptr; }
  bool keeps() const { return keep_ != nullptr; }

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

  bool is_provisional(SpanHandle handle) const {
    const Slot* slot = slot_of(handle);
    return slot && slot->provisional;
  }
  // A span started by start_root (its parent, if any, is remote).
  bool is_local_root(SpanHandle handle) const {
    const Slot* slot = slot_of(handle);
    return slot && slot->local_root;
  }

  // What ending a span did to the accounted bytes the caller holds for it (`bytes` passed to
  // end): moved into the finished buffer, or released. A pending provisional span moves neither
  // until its group is decided, when the bytes of every span of the group are reported.
  struct Ended {
    bool ended = false;  // false: the handle was not open
    std::size_t finished_bytes = 0;
    std::size_t released_bytes = 0;
    explicit operator bool() const { return ended; }
  };
  // Ends the span; a recorded span moves to the finished buffer (or is counted as dropped when
  // the buffer is full).
  Ended end(SpanHandle handle, double now_ms, std::size_t bytes = 0);

  // The keep decision the last end() made, if it made one (then cleared by this call).
  struct Decision {
    bool made = false;
    KeptBy kept_by = KeptBy::None;  // None: discarded
    std::size_t spans = 0;          // pending spans kept or discarded with the root
  };
  Decision take_decision() {
    Decision d = decision_;
    decision_ = Decision{};
    return d;
  }
  std::size_t pending_count() const { return pending_.size(); }

  RecordArray<Span> take_finished();
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
    bool provisional = false;  // recording until its group is decided (implies recording)
    bool local_root = false;
    std::uint32_t span = 0;  // index into spans_ while in use
  };
  // A decided trace, remembered so its later spans follow the decision.
  struct Decided {
    TraceId trace;  // invalid (zero): an empty entry
    KeptBy kept_by = KeptBy::None;
  };

  // recording: 0 not, 1 recording, 2 provisional in `group`.
  SpanHandle open_slot(Span span, int recording, bool local_root, SpanId group);
  // The mode of a new local root of an unsampled trace under keep rules, and its group.
  int join_group(Span& span, SpanId& group);
  void decide(Span& root, std::size_t root_bytes, Ended& out);
  void mark_kept(Span& span, KeptBy rule);
  bool finish(Span&& span);  // into the finished buffer; false (counted) when it is full
  Slot* slot_of(SpanHandle handle);
  const Slot* slot_of(SpanHandle handle) const;
  const Span& span_of(const Slot& slot) const { return spans_[slot.span]; }

  IdGenerator& ids_;
  const Sampler& sampler_;
  const Limits& limits_;
  Stats& stats_;
  std::uint32_t max_slots_;
  GrowArray<Slot> slots_;
  IndexList free_slots_;  // in slots_, with generations left
  // Keep rules' state. A group is named by its first local root's span id; the open groups are
  // found through the open provisional spans themselves (no table of their own), an ended
  // provisional span stays in its spans_ entry until its group is decided.
  const KeepRules* keep_ = nullptr;
  std::array<Decided, kRememberedDecisions> decided_{};  // a ring of the latest decisions
  std::size_t decided_next_ = 0;
  GrowArray<SpanId> group_of_;                // per spans_ entry, while provisional
  IndexList pending_;        // spans_ entries of ended provisional spans
  IndexList pending_bytes_;  // their accounted bytes (a record is < 4 GiB)
  Decision decision_;
  RecordArray<Span> spans_;                // ids and flags are kept for unsampled spans too
  IndexList free_spans_;  // in spans_
  std::size_t open_count_ = 0;
  std::size_t retired_slots_ = 0;
  RecordArray<Span> finished_;
};

}  // namespace edgescope
