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

SpanHandle Tracer::open_slot(Span span, int recording, bool local_root, SpanId group) {
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
    slots_.push_back(Slot{});
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
  slot.recording = recording != 0;
  slot.provisional = recording == 2;
  slot.local_root = local_root;
  slot.span = storage;
  if (keep_) {
    if (group_of_.size() < spans_.size()) group_of_.resize(spans_.size());
    group_of_[storage] = group;
  }
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
  if (sampled || !keep_) return open_slot(std::move(span), sampled ? 1 : 0, true, 0);
  SpanId group = 0;
  const int mode = join_group(span, group);
  return open_slot(std::move(span), mode, true, group);
}

int Tracer::join_group(Span& span, SpanId& group) {
  // An undecided group of this trace has its root open (it is decided when that root ends).
  for (const Slot& slot : slots_) {
    if (slot.in_use && slot.provisional && spans_[slot.span].trace_id == span.trace_id) {
      group = group_of_[slot.span];
      return 2;
    }
  }
  // A kept trace stays kept: a span of it started after the decision (the shim restarts a child of
  // an ended span from its context) is exported and marked like the rest. A discarded trace does
  // not bind what comes later: a new local root in it (another request of the same trace, or
  // background work that outlived the decision) starts a group of its own and is decided on its
  // own merits, so an error or a slow request there is still kept.
  for (const Decided& d : decided_) {
    if (d.trace == span.trace_id && d.kept_by != KeptBy::None) {
      mark_kept(span, d.kept_by);
      return 1;
    }
  }
  group = span.span_id;
  return 2;
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
  const int mode = parent_slot->provisional ? 2 : parent_slot->recording ? 1 : 0;
  const SpanId group = mode == 2 ? group_of_[parent_slot->span] : 0;
  if (mode == 1 && keep_ && (span.flags & 0x01) == 0) {
    // A child of a span its trace's decision kept: marked like the rest of the trace.
    for (const Attribute& a : parent_span.attributes) {
      if (a.key == kKeptByKey) {
        span.attributes.push_back(a);
        break;
      }
    }
  }
  return open_slot(std::move(span), mode, false, group);
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

bool Tracer::finish(Span&& span) {
  if (finished_.size() >= limits_.max_finished_spans) {
    ++stats_.spans_dropped_buffer_full;
    return false;
  }
  finished_.push_back(std::move(span));
  return true;
}

Tracer::Ended Tracer::end(SpanHandle handle, double now_ms, std::size_t bytes) {
  Ended out;
  Slot* slot = slot_of(handle);
  if (!slot) return out;
  out.ended = true;
  Span& span = spans_[slot->span];
  if (slot->recording) span.end_ms = now_ms < span.start_ms ? span.start_ms : now_ms;
  bool keep_entry = false;  // a pending span stays in its spans_ entry
  if (slot->provisional) {
    if (span.span_id == group_of_[slot->span]) {
      decide(span, bytes, out);
    } else if (pending_.size() + finished_.size() >= limits_.max_finished_spans) {
      ++stats_.spans_dropped_buffer_full;  // pending spans share the finished buffer's bound
      out.released_bytes = bytes;
    } else {
      pending_.push_back(slot->span);
      pending_bytes_.push_back(static_cast<std::uint32_t>(bytes));
      keep_entry = true;
    }
  } else if (slot->recording && finish(std::move(span))) {
    out.finished_bytes = bytes;
  } else {
    out.released_bytes = bytes;
  }
  if (!keep_entry) {
    span = Span{};
    free_spans_.push_back(slot->span);
  }
  slot->in_use = false;
  slot->recording = false;
  slot->provisional = false;
  if (slot->generation >= kMaxGeneration) {
    ++retired_slots_;  // its next generation would wrap: never hand it out again
  } else {
    free_slots_.push_back(slot_index_plus_one(handle) - 1);
  }
  --open_count_;
  return out;
}

namespace {

bool span_failed(const Span& span) {
  if (span.status == StatusCode::Error) return true;
  for (const SpanEvent& e : span.events) {
    if (e.name == "exception") return true;  // OpenTelemetry semantic conventions, exceptions on spans
  }
  return false;
}

const AttributeValue* attribute(const Span& span, std::string_view key) {
  for (const Attribute& a : span.attributes) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

}  // namespace

void Tracer::mark_kept(Span& span, KeptBy rule) {
  if (span.attributes.size() >= limits_.max_attributes) {
    ++span.dropped_attributes;
    ++stats_.attributes_dropped;
    return;
  }
  span.attributes.push_back(Attribute{kKeptByKey, AttributeValue::of_string(kept_by_name(rule))});
}

void Tracer::decide(Span& root, std::size_t root_bytes, Ended& out) {
  const KeepRules& rules = *keep_;
  const SpanId id = root.span_id;
  const TraceId trace = root.trace_id;
  bool failed = rules.errors && span_failed(root);
  bool named = any_pattern_matches(rules.span_names, root.name);
  for (const std::uint32_t entry : pending_) {
    if (group_of_[entry] != id) continue;
    failed = failed || (rules.errors && span_failed(spans_[entry]));
    named = named || any_pattern_matches(rules.span_names, spans_[entry].name);
  }
  KeptBy rule = KeptBy::None;
  const AttributeValue* status = attribute(root, "http.response.status_code");
  const AttributeValue* route = attribute(root, "http.route");
  if (route == nullptr) route = attribute(root, "url.path");
  if (failed) {
    rule = KeptBy::Error;
  } else if (rules.status_at_least > 0 && status &&
             ((status->type == AttributeType::Int && status->integer >= rules.status_at_least) ||
              (status->type == AttributeType::Double && status->number >= rules.status_at_least))) {
    rule = KeptBy::Status;
  } else if (rules.slower_than_ms >= 0 && root.end_ms - root.start_ms > rules.slower_than_ms) {
    rule = KeptBy::Slow;
  } else if (route && route->type == AttributeType::String && any_pattern_matches(rules.routes, route->text)) {
    rule = KeptBy::Route;
  } else if (named) {
    rule = KeptBy::SpanName;
  }
  std::size_t spans = 0;
  const auto settle = [&](Span& span, std::size_t bytes) {
    ++spans;
    if (rule != KeptBy::None) {
      mark_kept(span, rule);
      if (finish(std::move(span))) {
        out.finished_bytes += bytes;
        return;
      }
    }
    out.released_bytes += bytes;  // discarded before it was ever encoded
  };
  std::size_t left = 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    const std::uint32_t entry = pending_[i];
    if (group_of_[entry] == id) {
      settle(spans_[entry], pending_bytes_[i]);
      spans_[entry] = Span{};
      free_spans_.push_back(entry);
    } else {
      pending_[left] = entry;
      pending_bytes_[left] = pending_bytes_[i];
      ++left;
    }
  }
  while (pending_.size() > left) {  // pop_back: no resize code in the module (size budget)
    pending_.pop_back();
    pending_bytes_.pop_back();
  }
  settle(root, root_bytes);
  // Spans of the trace still open follow the decision (background work ending later).
  for (Slot& slot : slots_) {
    if (!slot.in_use || !slot.provisional || group_of_[slot.span] != id || spans_[slot.span].span_id == id) continue;
    slot.provisional = false;
    if (rule != KeptBy::None) mark_kept(spans_[slot.span], rule);
    else slot.recording = false;
  }
  decided_[decided_next_] = Decided{trace, rule};
  decided_next_ = (decided_next_ + 1) % kRememberedDecisions;
  decision_ = Decision{true, rule, spans};
}

RecordArray<Span> Tracer::take_finished() {
  RecordArray<Span> out;
  out.swap(finished_);
  return out;
}

}  // namespace edgescope
