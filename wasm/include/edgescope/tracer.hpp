// Open spans live in a slot table addressed by small integer handles (the C ABI hands them to
// JavaScript); a handle carries a generation so a stale handle (span already ended) is refused
// instead of touching another span. Handle 0 is the no-op span: calls on it do nothing, which is
// what a span refused by the open-span bound becomes.
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
  Tracer(IdGenerator& ids, const Sampler& sampler, const Limits& limits, Stats& stats);

  // A root span; `remote` is the incoming request's parsed trace context, if any.
  SpanHandle start_root(std::string name, SpanKind kind, double now_ms, const std::optional<TraceContext>& remote);
  // A child of an open span. Returns kNoopSpan when `parent` is not open.
  SpanHandle start_child(SpanHandle parent, std::string name, SpanKind kind, double now_ms);

  bool is_open(SpanHandle handle) const { return slot_of(handle) != nullptr; }
  bool is_recording(SpanHandle handle) const;
  // The span's data while it records, else nullptr (unsampled, no-op, or ended).
  Span* recording(SpanHandle handle);
  // Trace id, span id, flags and tracestate of an open span (also for unsampled spans, whose
  // context must still propagate with the sampled flag cleared).
  std::optional<TraceContext> context(SpanHandle handle) const;

  // Ends the span; a recorded span moves to the finished buffer (or is counted as dropped when
  // the buffer is full). Returns false for a handle that is not open.
  bool end(SpanHandle handle, double now_ms);

  std::vector<Span> take_finished();
  std::size_t finished_count() const { return finished_.size(); }
  std::size_t open_count() const { return open_count_; }

 private:
  struct Slot {
    bool in_use = false;
    bool recording = false;
    std::uint16_t generation = 0;
    Span span;  // ids and flags are kept for unsampled spans too
  };

  SpanHandle open_slot(Span span, bool recording);
  Slot* slot_of(SpanHandle handle);
  const Slot* slot_of(SpanHandle handle) const;

  IdGenerator& ids_;
  const Sampler& sampler_;
  const Limits& limits_;
  Stats& stats_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::size_t open_count_ = 0;
  std::vector<Span> finished_;
};

}  // namespace edgescope
