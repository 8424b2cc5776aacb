// One instrumented service inside one isolate: tracer, metrics, logs and the drain that turns
// what they recorded into payloads. This is the object behind a C ABI handle.
//
// Memory: every byte kept between calls is charged to a byte budget (limits.hpp, accounting.hpp):
// spans (open, finished and drained until released), logs, the series table, interned names, the
// stage and the resource. A record is refused (counted) when its fixed part does not fit; an
// attribute, event, status message or rename is refused (counted in Stats and in the record's
// dropped_attributes / dropped_events) when it would push its record past max_record_bytes or its
// pool past its budget.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/accounting.hpp"
#include "edgescope/attributes.hpp"
#include "edgescope/limits.hpp"
#include "edgescope/logs.hpp"
#include "edgescope/metrics.hpp"
#include "edgescope/name_table.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/redaction.hpp"
#include "edgescope/tracer.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {

// Slow work (issue "slow work flagged"): a span longer than its kind's threshold gets
// `edgescope.slow = true` and increments the counter `edgescope.slow` tagged `kind` (request,
// fetch, query; queries also `span.name`). A request is a local root SERVER span; a fetch a
// CLIENT span with `http.request.method`; a query a CLIENT span with `db.system` or
// `db.system.name`. < 0: off. Requests are checked whether or not they record; fetches and
// queries only when their span records (their kind is known from attributes).
struct SlowThresholds {
  double request_ms = -1;
  double fetch_ms = -1;
  double query_ms = 100;
};

struct TelemetryOptions {
  std::string service;
  double sample_ratio = 1.0;
  EncodeOptions encode;
  Limits limits;
  std::array<std::uint64_t, 4> seed{};
};

class Telemetry {
 public:
  explicit Telemetry(const TelemetryOptions& options);
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // Names and attribute keys are interned once; the hot calls then pass small integers
  // (name_table.hpp). A refused name is a negative id (kNameEmpty, kNameRefused); passed to any
  // call below, it refuses what that call would have named, and counts it.
  NameId intern(std::string_view raw);
  bool is_interned(NameId id) const { return names_.find(id) != nullptr; }
  const std::string& interned(NameId id) const;  // "" for an id that is not live

  // Attributes are staged, then consumed by the next span/event/log/series/resource call. The
  // stage holds at most max_attributes keys (last write wins) and max_record_bytes.
  void stage(NameId key_id, AttributeValue value);
  void stage_string(NameId key_id, std::string_view raw);
  void clear_stage();

  // Refusals the host made itself (is_host_stat), so they are counted with the core's own.
  void count(StatId id, std::uint64_t n) { add_stat(stats_, id, n); }

  SpanHandle start_span(SpanHandle parent, NameId name_id, SpanKind kind, double now_ms);
  SpanHandle start_remote_span(NameId name_id, SpanKind kind, double now_ms, std::string_view traceparent,
                               std::string_view tracestate, bool* rejected_header);
  void apply_staged_to_span(SpanHandle span);
  void add_event(SpanHandle span, NameId name_id, double now_ms);
  // OpenTelemetry trace API, "Set Status": Unset is ignored, Ok is final, the message is kept
  // only with Error.
  void set_status(SpanHandle span, StatusCode code, std::string_view message);
  void rename_span(SpanHandle span, NameId name_id);
  bool end_span(SpanHandle span, double now_ms);
  const Tracer& tracer() const { return tracer_; }

  // Keep rules (sampling.hpp) and slow thresholds; all or nothing: false with `error` naming the
  // bad field leaves the previous settings. Set before the first span.
  bool set_sampling(KeepRules keep, const SlowThresholds& slow, std::string& error);
  // The bucket bound of exponential histograms created from now on (default 160, the SDK's
  // MaxSize); false outside [kMinMaxBuckets, kMaxSeriesBuckets].
  bool set_max_buckets(std::uint32_t max_buckets) { return metrics_.set_max_buckets(max_buckets); }

  // A series for the staged tags. unit_id kNoName: no unit. A new series' first delta window
  // starts at `now_ms` (without it: the latest time any call gave).
  SeriesId series(MetricType type, NameId name_id, NameId unit_id, double now_ms);
  SeriesId series(MetricType type, NameId name_id, NameId unit_id) { return series(type, name_id, unit_id, clock_ms_); }
  bool record(SeriesId id, double value, double now_ms);

  void log(LogLevel level, std::string_view message, SpanHandle span, double now_ms);
  // A log correlated with a span that has already ended (work that outlives its span, such as
  // ctx.waitUntil tasks): the caller kept that span's context.
  void log_in_context(LogLevel level, std::string_view message, const TraceContext& context, double now_ms);

  // Resource attributes (at most max_resource_bytes: OTLP repeats them in every payload). Set
  // them before recording: every record is charged the envelope they make.
  void set_resource_from_stage();

  // Moves everything finished into the drained batch (releasing any previous one), then evicts
  // the names and series idle during the window that ends here; the next window starts at
  // `now_ms`, the start time of its delta metric points. Without `now_ms`: the latest time any
  // call gave.
  std::size_t drain(double now_ms);
  std::size_t drain() { return drain(clock_ms_); }
  const IdList& evicted_names() const { return evicted_names_; }
  const IdList& evicted_series() const { return metrics_.evicted(); }
  const Batch& drained() const { return drained_; }
  // Encodes the drained batch; the payloads stay owned here until the next encode or release.
  const RecordArray<Payload>& encode_drained(WireFormat format);
  const RecordArray<Payload>& payloads() const { return payloads_; }
  void release();

  std::size_t pending() const { return tracer_.finished_count() + metrics_.dirty_count() + logs_.size(); }
  const Stats& stats() const { return stats_; }
  const Limits& limits() const { return options_.limits; }

  // Accounted bytes held now, per budget.
  struct Usage {
    std::size_t spans, logs, series, names, stage, resource;
  };
  Usage usage() const;

 // Replaces the redaction policy (all built-in categories are on from the start). Returns false
  // and sets `error` naming the bad entry, leaving the current policy in place.
  bool set_redaction(RedactionConfig config, std::string& error);

 private:
  // Host text as a record keeps it: repaired, redacted, then cut to max_bytes (redaction.hpp:
  // redact first, so a cut cannot break a secret into a shape no scanner recognises).
  std::string clean_text(std::string_view raw, std::size_t max_bytes);
  void append_log(LogLevel level, std::string_view message, const std::optional<TraceContext>& context, double now_ms);
  struct OpenSpan {
    RecordBytes bytes;
    std::size_t tracestate_bytes = 0;  // children copy the tracestate
  };
  void observe(double now_ms) {
    if (now_ms > clock_ms_) clock_ms_ = now_ms;
  }
  SpanHandle open_span(SpanHandle parent, const std::string& name, SpanKind kind, double now_ms,
                       const std::optional<TraceContext>& remote);
  OpenSpan* recording_span(SpanHandle handle, Span*& span);
  // Moves the staged attributes into a record's attributes; returns how many were refused,
  // including those the stage itself refused.
  std::uint32_t consume_stage(Attributes& into, RecordBytes& bytes, std::size_t record_cap, BytePool& pool);
  void update_envelope();
  // Slow-work flag and counter for a span about to end (SlowThresholds).
  void flag_slow(SpanHandle handle, double now_ms);
  // +1 on an internal counter (edgescope.slow, edgescope.sampling.traces); refusals are counted
  // by the registry like any series.
  void count_internal(const char* name, const char* unit, RecordArray<Tag> tags, double now_ms);
  // redaction_.key_denied(key), remembered for the last few keys by id: the deny list is matched
  // once per key, not once per attribute. A fixed table (64 entries), so it costs no budget.
  bool key_denied(NameId key_id, const std::string& key);
  struct DeniedEntry {
    NameId id = 0;  // 0: empty (no name has id 0)
    bool denied = false;
  };
  std::array<DeniedEntry, 64> denied_{};

  TelemetryOptions options_;
  Stats stats_;
  IdGenerator ids_;
  Sampler sampler_;
  KeepRules keep_;
  SlowThresholds slow_;
  std::size_t kept_by_reserve_ = 0;  // bytes a span reserves for the kept_by mark under keep rules
  Tracer tracer_;
  MetricRegistry metrics_;
  LogBuffer logs_;
  NameTable names_;
  Resource resource_;
  BytePool span_pool_;
  BytePool log_pool_;
  BytePool stage_pool_;
  BytePool resource_pool_;
  RecordBytes resource_bytes_;
  std::size_t envelope_bytes_ = 0;
  // Open spans' accounting, indexed by the handle's slot (slot_id.hpp), so at most as many
  // entries as the tracer has slots (max_open_spans); `handle` 0 marks a free entry and a stale
  // handle's generation does not match. O(1), and no hash map code in the module (size budget:
  // scripts/size-budget.mjs).
  struct OpenEntry {
    SpanHandle handle = 0;
    OpenSpan span;
  };
  GrowArray<OpenEntry> open_;  // no std::vector growth path of its own (grow_array.hpp)
  OpenSpan* open_entry(SpanHandle handle);
  std::size_t finished_span_bytes_ = 0;
  std::size_t drained_span_bytes_ = 0;
  std::size_t drained_log_bytes_ = 0;
  Attributes staged_;
  RecordBytes staged_bytes_;
  std::uint32_t staged_dropped_ = 0;
  IdList evicted_names_;
  std::uint64_t window_ = 0;
  double clock_ms_ = 0;
  RedactionPolicy redaction_;  // applied once, when a value enters
  Batch drained_;
  OversizeLedger ledger_;  // per drained batch: shrunk/oversize records count once whatever the formats
  RecordArray<Payload> payloads_;
};

}  // namespace edgescope
