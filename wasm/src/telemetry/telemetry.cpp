#include "edgescope/telemetry.hpp"

#include "edgescope/slot_id.hpp"

#include <algorithm>
#include <cmath>

#include "edgescope/trace_context.hpp"
#include "edgescope/utf8.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope {

Telemetry::Telemetry(const TelemetryOptions& options)
    : options_(options),
      ids_(options_.seed),
      sampler_(options_.sample_ratio),
      tracer_(ids_, sampler_, options_.limits, stats_),
      metrics_(options_.limits, stats_),
      logs_(options_.limits, stats_),
      names_(options_.limits, stats_),
      span_pool_(options_.limits.max_span_bytes),
      log_pool_(options_.limits.max_log_bytes),
      stage_pool_(options_.limits.max_record_bytes),
      resource_pool_(options_.limits.max_resource_bytes) {
  resource_.service = sanitize_text(options_.service, options_.limits.max_name_bytes, stats_);
  update_envelope();
}

void Telemetry::update_envelope() {
  envelope_bytes_ = kEnvelopeOverhead + json_text_bytes(resource_.service) + resource_bytes_.used;
  metrics_.set_record_overhead(envelope_bytes_);
}

NameId Telemetry::intern(std::string_view raw) { return names_.intern(raw, window_); }

const std::string& Telemetry::interned(NameId id) const {
  static const std::string none;
  const std::string* name = names_.find(id);
  return name ? *name : none;
}

namespace {

// An array as the OpenTelemetry spec allows it (attributes.hpp): scalars of one type, and no NaN
// or infinity among the elements kept (JSON has neither, as for a double attribute).
bool acceptable_array(const AttributeValue& value) {
  if (!value.is_valid_array()) return false;
  for (std::size_t i = 0; i < value.elements.size() && i < kMaxArrayElements; ++i) {
    const auto& e = value.elements[i];
    if (e.type == AttributeType::Double && !std::isfinite(e.number)) return false;
  }
  return true;
}

bool is_int_array(const AttributeValue& value) {
  return value.type == AttributeType::Array && !value.elements.empty() && value.elements.front().type == AttributeType::Int;
}

// An array as a record keeps it (attributes.hpp, "Arrays"): at most kMaxArrayElements elements,
// its strings cleaned like any host text (`clean`: repaired, redacted, cut) within `max_bytes` in
// all. A longer array becomes a prefix, the string where the bytes run out cut on a code point
// boundary (and left out when nothing of it remains), and the whole cut counts once in
// values_truncated, as one long string does.
// Shrinking only: resize() would also bring vector<AttributeValue>'s grow path into the module.
void keep_first(RecordArray<AttributeValue>& elements, std::size_t n) {
  while (elements.size() > n) elements.pop_back();
}

template <typename Clean>
void bound_array(AttributeValue& value, std::size_t max_bytes, Stats& stats, Clean clean) {
  const std::uint64_t truncated_before = stats.values_truncated;
  bool cut = value.elements.size() > kMaxArrayElements;
  if (cut) keep_first(value.elements, kMaxArrayElements);
  if (!value.elements.empty() && value.elements.front().type == AttributeType::String) {
    std::size_t left = max_bytes;
    std::size_t kept = 0;
    for (auto& e : value.elements) {
      const std::uint64_t before = stats.values_truncated;
      std::string text = clean(e.text, left);
      if (stats.values_truncated != before) {  // the bytes ran out in this string
        cut = true;
        if (!text.empty()) e.text = std::move(text), ++kept;
        break;
      }
      e.text = std::move(text);
      left -= e.text.size();
      ++kept;
    }
    keep_first(value.elements, kept);
  }
  stats.values_truncated = truncated_before + (cut ? 1 : 0);
}

}  // namespace

void Telemetry::stage(NameId key_id, AttributeValue value) {
  const std::string* key = names_.use(key_id, window_);
  if (key == nullptr) {  // its key was refused at intern (counted there); the attribute goes too
    ++stats_.attributes_dropped;
    ++staged_dropped_;
    return;
  }
  if ((value.type == AttributeType::Double && !std::isfinite(value.number)) ||
      (value.type == AttributeType::Array && !acceptable_array(value))) {
    ++stats_.attribute_values_rejected;  // JSON has no NaN or infinities; a string would lie about the type
    ++staged_dropped_;
    return;
  }
  const bool denied = redaction_.active() && key_denied(key_id, *key);
  if (value.type == AttributeType::Array && !denied) {
    // An array's strings enter here (a scalar string enters through stage_string).
    bound_array(value, options_.limits.max_attribute_value_bytes, stats_,
                [this](std::string_view raw, std::size_t max_bytes) { return clean_text(raw, max_bytes); });
  }
  if (redaction_.active()) {
    // A denied key loses its value whatever its type; an integer (or an integer array's element)
    // may be a card number. Strings were scanned when they entered (clean_text).
    if (denied || value.type == AttributeType::Int || is_int_array(value)) {
      stats_.values_redacted += redaction_.redact_value(value, denied);
    }
  }
  Attribute attribute{*key, std::move(value)};
  const std::size_t bytes = attribute_bytes(attribute);
  staged_dropped_ += count_refusal(put_attribute(staged_, std::move(attribute), bytes, options_.limits.max_attributes,
                                                 staged_bytes_, options_.limits.max_record_bytes, stage_pool_),
                                   stats_);
}

void Telemetry::stage_string(NameId key_id, std::string_view raw) {
  const std::string* key = names_.find(key_id);
  if (key == nullptr) {
    stage(key_id, AttributeValue{});  // refused and counted there, without copying the value
    return;
  }
  {
    // A value that cannot fit whatever its repair is refused before it is copied: its bytes are
    // at least its length (cut at the value limit) plus quotes.
    const std::size_t at_least = kAttributeOverhead + json_text_bytes(*key) + 2 +
                                 std::min(raw.size(), options_.limits.max_attribute_value_bytes);
    const bool replaces = std::any_of(staged_.begin(), staged_.end(), [&](const Attribute& a) { return a.key == *key; });
    if (!replaces && at_least > stage_pool_.cap() - stage_pool_.used()) {
      names_.use(key_id, window_);
      ++stats_.attributes_dropped_byte_budget;
      ++staged_dropped_;
      return;
    }
  }
  stage(key_id, AttributeValue::of_string(clean_text(raw, options_.limits.max_attribute_value_bytes)));
}

// How far past a cut the scanners look, so a secret straddling the cut is still recognised and
// masked whole: longer than a card number, a key=value pair with a short value, or the head of a
// JWT (whose signature may be cut off; a JWT is masked from its first segment on).
constexpr std::size_t kRedactionLookahead = 512;

std::string Telemetry::clean_text(std::string_view raw, std::size_t max_bytes) {
  if (!redaction_.active()) return sanitize_text(raw, max_bytes, stats_);
  Stats wide;  // the wide cut below is not the one the record sees
  std::string text = sanitize_text(raw, max_bytes + kRedactionLookahead, wide);
  stats_.strings_repaired += wide.strings_repaired;
  stats_.values_redacted += redaction_.redact_text(text);
  if (truncate_redacted(text, max_bytes) || wide.values_truncated > 0) ++stats_.values_truncated;
  return text;
}

bool Telemetry::set_redaction(RedactionConfig config, std::string& error) {
  denied_.fill(DeniedEntry{});  // the answers were the old policy's
  return RedactionPolicy::build(std::move(config), redaction_, error);
}

bool Telemetry::key_denied(NameId key_id, const std::string& key) {
  // A name id never names another string (name_table.hpp: a reused slot has a new generation),
  // so an entry stays true for as long as the policy does.
  DeniedEntry& entry = denied_[static_cast<std::uint32_t>(key_id) % denied_.size()];
  if (entry.id != key_id) entry = DeniedEntry{key_id, redaction_.key_denied(key)};
  return entry.denied;
}

void Telemetry::clear_stage() {
  staged_.clear();
  staged_bytes_.shrink(staged_bytes_.used, stage_pool_);
  staged_dropped_ = 0;
}

std::uint32_t Telemetry::consume_stage(Attributes& into, RecordBytes& bytes, std::size_t record_cap, BytePool& pool) {
  std::uint32_t refused = staged_dropped_;
  // One allocation for the lot instead of growing one attribute at a time (at most max_attributes).
  into.reserve(std::min(into.size() + staged_.size(), options_.limits.max_attributes));
  for (auto& a : staged_) {
    const std::size_t b = attribute_bytes(a);
    refused += count_refusal(put_attribute(into, std::move(a), b, options_.limits.max_attributes, bytes, record_cap, pool),
                             stats_);
  }
  clear_stage();
  return refused;
}

SpanHandle Telemetry::open_span(SpanHandle parent, const std::string& name, SpanKind kind, double now_ms,
                                const std::optional<TraceContext>& remote) {
  std::size_t tracestate_bytes = 0;
  if (parent != kNoopSpan) {
    const OpenSpan* p = open_entry(parent);
    if (p == nullptr) return kNoopSpan;  // the tracer refuses a child of a span that is not open
    tracestate_bytes = p->tracestate_bytes;
  } else if (remote && !remote->tracestate.empty()) {
    tracestate_bytes = json_text_bytes(remote->tracestate);
  }
  // Unsampled spans cost this too: the tracer keeps their name and context while they are open.
  OpenSpan open;
  open.tracestate_bytes = tracestate_bytes;
  // Under keep rules every span reserves room for the kept_by mark the decision may add.
  if (!open.bytes.grow(kSpanOverhead + envelope_bytes_ + json_text_bytes(name) + tracestate_bytes + kept_by_reserve_,
                       options_.limits.max_record_bytes, span_pool_)) {
    ++stats_.spans_dropped_byte_budget;
    return kNoopSpan;
  }
  const SpanHandle handle = parent == kNoopSpan ? tracer_.start_root(name, kind, now_ms, remote)
                                                : tracer_.start_child(parent, name, kind, now_ms);
  if (handle == kNoopSpan) {
    open.bytes.shrink(open.bytes.used, span_pool_);
    return kNoopSpan;
  }
  const std::uint32_t index = slot_index_plus_one(handle) - 1;
  if (open_.size() <= index) open_.resize(index + 1);
  open_[index].handle = handle;
  open_[index].span = open;
  return handle;
}

SpanHandle Telemetry::start_span(SpanHandle parent, NameId name_id, SpanKind kind, double now_ms) {
  observe(now_ms);
  const std::string* name = names_.use(name_id, window_);
  if (name == nullptr) {
    ++stats_.records_dropped_unnamed;
    return kNoopSpan;
  }
  return open_span(parent, *name, kind, now_ms, std::nullopt);
}

SpanHandle Telemetry::start_remote_span(NameId name_id, SpanKind kind, double now_ms, std::string_view traceparent,
                                        std::string_view tracestate, bool* rejected_header) {
  observe(now_ms);
  if (rejected_header) *rejected_header = false;
  const std::string* name = names_.use(name_id, window_);
  if (name == nullptr) {
    ++stats_.records_dropped_unnamed;
    return kNoopSpan;
  }
  std::optional<TraceContext> remote;
  if (!traceparent.empty()) {
    remote = parse_traceparent(traceparent);
    if (rejected_header) *rejected_header = !remote.has_value();
    // tracestate is only meaningful next to a valid traceparent (section 3.3.1).
    if (remote) remote->tracestate = normalize_tracestate(tracestate);
  }
  return open_span(kNoopSpan, *name, kind, now_ms, remote);
}

Telemetry::OpenSpan* Telemetry::open_entry(SpanHandle handle) {
  const std::uint32_t index_plus_one = handle > 0 ? slot_index_plus_one(handle) : 0;
  if (index_plus_one == 0 || index_plus_one > open_.size()) return nullptr;
  OpenEntry& entry = open_[index_plus_one - 1];
  return entry.handle == handle ? &entry.span : nullptr;
}

Telemetry::OpenSpan* Telemetry::recording_span(SpanHandle handle, Span*& span) {
  span = tracer_.recording(handle);
  if (span == nullptr) return nullptr;
  return open_entry(handle);
}

void Telemetry::apply_staged_to_span(SpanHandle handle) {
  Span* span = nullptr;
  if (OpenSpan* open = recording_span(handle, span)) {
    span->dropped_attributes +=
        consume_stage(span->attributes, open->bytes, options_.limits.max_record_bytes, span_pool_);
  }
  clear_stage();
}

void Telemetry::add_event(SpanHandle handle, NameId name_id, double now_ms) {
  observe(now_ms);
  const std::string* name = names_.use(name_id, window_);
  Span* span = nullptr;
  OpenSpan* open = recording_span(handle, span);
  if (open == nullptr) {
    clear_stage();
    return;
  }
  if (name == nullptr) {
    ++span->dropped_events;
    ++stats_.records_dropped_unnamed;
  } else if (span->events.size() >= options_.limits.max_events_per_span) {
    ++span->dropped_events;
    ++stats_.attributes_dropped;
  } else if (!open->bytes.grow(kEventOverhead + json_text_bytes(*name), options_.limits.max_record_bytes, span_pool_)) {
    ++span->dropped_events;
    ++stats_.attributes_dropped_byte_budget;
  } else {
    SpanEvent event;
    event.name = *name;
    event.time_ms = now_ms;
    event.dropped_attributes = consume_stage(event.attributes, open->bytes, options_.limits.max_record_bytes, span_pool_);
    span->events.push_back(std::move(event));
  }
  clear_stage();
}

void Telemetry::set_status(SpanHandle handle, StatusCode code, std::string_view message) {
  Span* span = nullptr;
  OpenSpan* open = recording_span(handle, span);
  // OpenTelemetry trace API, "Set Status": setting Unset is ignored, and Ok is final.
  if (open == nullptr || code == StatusCode::Unset || span->status == StatusCode::Ok) return;
  // The message is only meaningful with an error.
  std::string text = code == StatusCode::Error ? clean_text(message, options_.limits.max_message_bytes)
                                               : std::string{};
  const std::size_t old_bytes = span->status_message.empty() ? 0 : json_text_bytes(span->status_message);
  const std::size_t new_bytes = text.empty() ? 0 : json_text_bytes(text);
  if (new_bytes > old_bytes && !open->bytes.grow(new_bytes - old_bytes, options_.limits.max_record_bytes, span_pool_)) {
    ++stats_.attributes_dropped_byte_budget;  // the status is kept, its message is not
    text.clear();
    open->bytes.shrink(old_bytes, span_pool_);
  } else if (new_bytes < old_bytes) {
    open->bytes.shrink(old_bytes - new_bytes, span_pool_);
  }
  span->status = code;
  span->status_message = std::move(text);
}

void Telemetry::rename_span(SpanHandle handle, NameId name_id) {
  const std::string* name = names_.use(name_id, window_);
  Span* span = nullptr;
  OpenSpan* open = recording_span(handle, span);
  if (name == nullptr || open == nullptr) return;  // a refused name was counted at intern
  const std::size_t old_bytes = json_text_bytes(span->name);
  const std::size_t new_bytes = json_text_bytes(*name);
  if (new_bytes > old_bytes && !open->bytes.grow(new_bytes - old_bytes, options_.limits.max_record_bytes, span_pool_)) {
    ++stats_.attributes_dropped_byte_budget;
    return;
  }
  if (new_bytes < old_bytes) open->bytes.shrink(old_bytes - new_bytes, span_pool_);
  span->name = *name;
}

bool Telemetry::end_span(SpanHandle handle, double now_ms) {
  observe(now_ms);
  OpenSpan* open = open_entry(handle);
  if (open == nullptr || !tracer_.is_open(handle)) return false;
  flag_slow(handle, now_ms);
  const Tracer::Ended ended = tracer_.end(handle, now_ms, open->bytes.used);
  // Kept for the drain, or released: unsampled, discarded by the keep rules, or refused by the
  // finished-span bound. A provisional span's bytes stay held until its trace is decided.
  finished_span_bytes_ += ended.finished_bytes;
  span_pool_.give(ended.released_bytes);
  open_[slot_index_plus_one(handle) - 1] = OpenEntry{};
  if (tracer_.keeps()) {
    const Tracer::Decision decision = tracer_.take_decision();
    if (decision.made) {
      count_internal("edgescope.sampling.traces", "{trace}",
                     {Tag{"decision", decision.kept_by == KeptBy::None ? "discarded" : kept_by_name(decision.kept_by)}},
                     now_ms);
    }
  }
  return true;
}

void Telemetry::flag_slow(SpanHandle handle, double now_ms) {
  const Span* base = tracer_.open_span(handle);
  const double duration = now_ms - base->start_ms;
  const char* kind = nullptr;
  double threshold = -1;
  Span* span = nullptr;
  OpenSpan* open = recording_span(handle, span);
  if (base->kind == SpanKind::Server && tracer_.is_local_root(handle)) {
    kind = "request";
    threshold = slow_.request_ms;
  } else if (span != nullptr && span->kind == SpanKind::Client) {
    for (const Attribute& a : span->attributes) {
      if (a.key == "db.system" || a.key == "db.system.name") {
        kind = "query";
        threshold = slow_.query_ms;
        break;
      }
      if (a.key == "http.request.method") {
        kind = "fetch";
        threshold = slow_.fetch_ms;
      }
    }
  }
  if (kind == nullptr || threshold < 0 || !(duration > threshold)) return;
  if (open != nullptr) {
    Attribute mark{"edgescope.slow", AttributeValue::of_bool(true)};
    const std::size_t bytes = attribute_bytes(mark);
    span->dropped_attributes += count_refusal(put_attribute(span->attributes, std::move(mark), bytes, options_.limits.max_attributes,
                                                            open->bytes, options_.limits.max_record_bytes, span_pool_),
                                              stats_);
  }
  RecordArray<Tag> tags{Tag{"kind", kind}};
  // Queries are told apart by span name (bounded by the series limits; name query spans by
  // operation and table, not by their SQL text).
  if (kind[0] == 'q') tags.emplace_back("span.name", base->name);
  count_internal("edgescope.slow", "{operation}", std::move(tags), now_ms);
}

void Telemetry::count_internal(const char* name, const char* unit, RecordArray<Tag> tags, double now_ms) {
  const SeriesId id = metrics_.series(MetricType::Counter, name, unit, std::move(tags), now_ms);
  if (id > 0) metrics_.record(id, 1, now_ms);
}

bool Telemetry::set_sampling(KeepRules keep, const SlowThresholds& slow, std::string& error) {
  const auto bad_list = [&error](const RecordArray<std::string>& list, const char* field) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const char* problem = pattern_problem(list[i]);
      if (*problem != 0) {
        error = std::string(field) + "[" + edgescope::decimal(i) + "] " + problem;
        return true;
      }
    }
    return false;
  };
  if (keep.status_at_least < 0 || keep.status_at_least > 999) {
    error = "keep.statusAtLeast must be 100..999 (0: off)";
  } else if (!(keep.slower_than_ms < 0 || std::isfinite(keep.slower_than_ms))) {
    error = "keep.slowerThanMs must be a finite number of milliseconds";
  } else if (bad_list(keep.routes, "keep.routes") || bad_list(keep.span_names, "keep.spanNames")) {
  } else if (!std::isfinite(slow.request_ms) || !std::isfinite(slow.fetch_ms) || !std::isfinite(slow.query_ms)) {
    error = "slow thresholds must be finite numbers of milliseconds (negative: off)";
  } else {
    keep_ = std::move(keep);
    slow_ = slow;
    tracer_.set_keep_rules(&keep_);
    kept_by_reserve_ = 0;
    if (tracer_.keeps()) {
      kept_by_reserve_ = attribute_bytes(Attribute{kKeptByKey, AttributeValue::of_string("status")});
    }
    return true;
  }
  return false;
}

SeriesId Telemetry::series(MetricType type, NameId name_id, NameId unit_id, double now_ms) {
  observe(now_ms);
  static const std::string no_unit;
  const std::string* name = names_.use(name_id, window_);
  const std::string* unit = unit_id == kNoName ? &no_unit : names_.use(unit_id, window_);
  SeriesId id = kSeriesRefused;
  if (name == nullptr || unit == nullptr) {
    ++stats_.records_dropped_unnamed;
  } else if (staged_dropped_ > 0) {
    // A series without one of its tags would merge into another series: refuse it instead.
    ++stats_.series_dropped_incomplete_tags;
  } else {
    RecordArray<Tag> tags;
    tags.reserve(staged_.size());
    for (auto& a : staged_) {
      // A series' identity (metrics.cpp series_key) has no array form yet: an array tag is its
      // JSON text, cut to one value's limit, as the shim sent arrays before they were typed.
      if (a.value.type == AttributeType::Array) {
        std::string text = a.value.to_text();
        if (text.size() > options_.limits.max_attribute_value_bytes) {
          text.resize(truncate_utf8(text, options_.limits.max_attribute_value_bytes).size());
          ++stats_.values_truncated;
        }
        a.value = AttributeValue::of_string(std::move(text));
      }
      tags.emplace_back(std::move(a.key), std::move(a.value));
    }
    id = metrics_.series(type, *name, *unit, std::move(tags), now_ms);
  }
  clear_stage();
  return id;
}

bool Telemetry::record(SeriesId id, double value, double now_ms) {
  observe(now_ms);
  return metrics_.record(id, value, now_ms);
}

void Telemetry::log(LogLevel level, std::string_view message, SpanHandle span, double now_ms) {
  // Only the ids correlate a log (OTLP LogRecord traceId/spanId): the tracestate is not copied.
  std::optional<TraceContext> context;
  if (const Span* open = tracer_.open_span(span)) {
    context.emplace();
    context->trace_id = open->trace_id;
    context->span_id = open->span_id;
    context->flags = open->flags;
  }
  append_log(level, message, context, now_ms);
}

void Telemetry::log_in_context(LogLevel level, std::string_view message, const TraceContext& context, double now_ms) {
  append_log(level, message, context, now_ms);
}

void Telemetry::append_log(LogLevel level, std::string_view message, const std::optional<TraceContext>& context,
                           double now_ms) {
  observe(now_ms);
  if (!logs_.has_room()) {
    clear_stage();
    return;
  }
  LogRecord record;
  record.time_ms = now_ms;
  record.level = level;
  record.message = clean_text(message, options_.limits.max_message_bytes);
  RecordBytes bytes;
  if (!bytes.grow(kLogOverhead + envelope_bytes_ + json_text_bytes(record.message), options_.limits.max_record_bytes,
                  log_pool_)) {
    ++stats_.logs_dropped_byte_budget;
    clear_stage();
    return;
  }
  record.dropped_attributes = consume_stage(record.attributes, bytes, options_.limits.max_record_bytes, log_pool_);
  if (context) {
    record.trace_id = context->trace_id;
    record.span_id = context->span_id;
  }
  logs_.append(std::move(record), bytes.used);
}

void Telemetry::set_resource_from_stage() {
  consume_stage(resource_.attributes, resource_bytes_, options_.limits.max_resource_bytes, resource_pool_);
  update_envelope();
}

std::size_t Telemetry::drain(double now_ms) {
  observe(now_ms);
  release();
  drained_.spans = tracer_.take_finished();
  drained_span_bytes_ = finished_span_bytes_;
  finished_span_bytes_ = 0;
  drained_.metrics = metrics_.take(now_ms);
  drained_.logs = logs_.take(drained_log_bytes_);
  evicted_names_.clear();
  names_.evict_idle(window_, evicted_names_);
  ++window_;
  return drained_.size();
}

const RecordArray<Payload>& Telemetry::encode_drained(WireFormat format) {
  // Free the previous format's payloads first: only one set is ever alive (the memory ceiling).
  payloads_ = RecordArray<Payload>{};  // the storage too
  payloads_ = encode(format, drained_, resource_, options_.encode, ledger_, stats_);
  assign_batch_ids(payloads_, ids_);
  return payloads_;
}

void Telemetry::release() {
  drained_ = Batch{};
  ledger_.clear();
  payloads_ = RecordArray<Payload>{};  // the storage too
  span_pool_.give(drained_span_bytes_);
  drained_span_bytes_ = 0;
  log_pool_.give(drained_log_bytes_);
  drained_log_bytes_ = 0;
}

Telemetry::Usage Telemetry::usage() const {
  return Usage{span_pool_.used(), log_pool_.used(), metrics_.bytes(), names_.bytes(), stage_pool_.used(),
               resource_pool_.used()};
}

}  // namespace edgescope
