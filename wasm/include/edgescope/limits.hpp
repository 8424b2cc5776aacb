// Hard bounds on everything the core holds. A Worker isolate has 128 MB and may live for hours,
// and wasm memory never shrinks, so nothing grows without a bound; what a bound refuses is counted
// in Stats (never dropped silently) and the shim reports the counters after each drain.
//
// Two kinds of bound:
// - counts (records, attributes, series, names), the shape limits users see;
// - bytes (accounting.hpp), what actually bounds memory: a count times a length is not a bound
//   anyone can afford (4096 spans x 128 attributes x 4 KiB would be 2 GiB).
//
// Memory ceiling (kMemoryCeilingBytes). With the default Limits, one core instance's linear
// memory stays under it whatever the input, because every byte the core keeps between calls is
// inside one of these budgets:
//   spans  (open + finished + drained, until released)   max_span_bytes         4 MiB
//   logs   (buffered + drained, until released)           max_log_bytes          2 MiB
//   series (the table; the drained copy is at most this)  max_series_bytes  2 x  2 MiB
//   names                                                 max_name_table_bytes   1 MiB
//   stage, resource                                       max_record_bytes + max_resource_bytes
//   payloads of one format (accounted bytes are at least the encoded bytes, envelope included)
//                                                         spans + logs + series  8 MiB
//   fixed: slot tables sized by the counts (span slots, finished/drained vectors, hash tables),
//   the scratch buffer (bindings, <= 1 MiB), static data and the 256 KiB stack     ~ 4 MiB
// That is about 23 MiB in use; allocator fragmentation and the runtime's geometric memory growth
// (each grow asks for 20% more than needed) are the margin up to the ceiling. Each further core
// instance in the same module (one per Telemetry) adds its own budgets.
// tests/js/memory-ceiling.test.js feeds the worst case through the real module and checks
// memory.buffer.byteLength against this number.
#pragma once
#include <cstddef>
#include <cstdint>

namespace edgescope {

constexpr std::size_t kMemoryCeilingBytes = 32u << 20;

struct Limits {
  std::size_t max_attribute_value_bytes = 4096;  // longer string values are cut (counted)
  std::size_t max_attributes = 128;              // per span, event, log record, series or stage
  std::size_t max_events_per_span = 128;
  std::size_t max_name_bytes = 1024;             // span, metric, event names, attribute keys
  std::size_t max_message_bytes = 16384;         // log messages, status messages
  std::size_t max_open_spans = 4096;
  std::size_t max_finished_spans = 4096;         // waiting for the next drain
  std::size_t max_logs = 4096;
  std::size_t max_series = 2000;                 // distinct (type, name, unit, tags) in a window
  std::size_t max_interned = 16384;              // names in a window

  // Byte budgets, in accounted bytes (accounting.hpp).
  std::size_t max_record_bytes = 128u << 10;       // one span with its events, one log, one series, the stage
  std::size_t max_span_bytes = 4u << 20;           // all open, finished and drained spans
  std::size_t max_log_bytes = 2u << 20;            // all buffered and drained logs
  std::size_t max_series_bytes = 2u << 20;         // the series table
  std::size_t max_name_table_bytes = 1u << 20;     // interned names
  std::size_t max_resource_bytes = 4u << 10;       // resource attributes (repeated in every OTLP payload)
};

// Every refusal and every repair, by cause. Monotonic for the life of the core instance.
struct Stats {
  std::uint64_t spans_dropped_open_limit = 0;
  std::uint64_t spans_dropped_buffer_full = 0;
  std::uint64_t logs_dropped_buffer_full = 0;
  std::uint64_t series_dropped_limit = 0;
  std::uint64_t metric_values_rejected = 0;  // NaN, infinity, negative counter increments, unknown series
  std::uint64_t attributes_dropped = 0;      // past max_attributes / max_events_per_span, or an unnamed key
  std::uint64_t values_truncated = 0;
  std::uint64_t strings_repaired = 0;        // invalid UTF-8 replaced with U+FFFD
  std::uint64_t records_dropped_oversize = 0;  // one record larger than the payload cap
  std::uint64_t records_shrunk = 0;            // re-encoded compactly to fit the payload cap
  std::uint64_t names_dropped_intern_limit = 0;
  std::uint64_t spans_dropped_byte_budget = 0;
  std::uint64_t logs_dropped_byte_budget = 0;
  std::uint64_t series_dropped_byte_budget = 0;
  std::uint64_t names_dropped_byte_budget = 0;
  std::uint64_t attributes_dropped_byte_budget = 0;  // attributes, events, status messages, renames
  std::uint64_t names_refused_empty = 0;
  std::uint64_t records_dropped_unnamed = 0;  // spans, events, metric values whose name was refused
  std::uint64_t metric_type_conflicts = 0;    // a value for a name already used by another type
  std::uint64_t attribute_values_rejected = 0;  // NaN and infinities (JSON has neither)
  std::uint64_t values_unconvertible = 0;     // host values with no faithful form, sent as text
  std::uint64_t series_dropped_incomplete_tags = 0;  // a tag was refused, so the series would merge
  std::uint64_t names_evicted = 0;            // idle for a drain window
  std::uint64_t series_evicted = 0;           // idle for a drain window
  std::uint64_t values_redacted = 0;          // secrets and personal data masked on entry (redaction.hpp)
};

// Stable numbering of the Stats fields across the C ABI (bindings/edgescope.h); the shim's
// STAT_NAMES (js/core/tables.js) lists them in this order, checked by tests/js/shared-tables.test.js.
enum class StatId : std::int32_t {
  SpansDroppedOpenLimit = 0,
  SpansDroppedBufferFull = 1,
  LogsDroppedBufferFull = 2,
  SeriesDroppedLimit = 3,
  MetricValuesRejected = 4,
  AttributesDropped = 5,
  ValuesTruncated = 6,
  StringsRepaired = 7,
  RecordsDroppedOversize = 8,
  RecordsShrunk = 9,
  NamesDroppedInternLimit = 10,
  SpansDroppedByteBudget = 11,
  LogsDroppedByteBudget = 12,
  SeriesDroppedByteBudget = 13,
  NamesDroppedByteBudget = 14,
  AttributesDroppedByteBudget = 15,
  NamesRefusedEmpty = 16,
  RecordsDroppedUnnamed = 17,
  MetricTypeConflicts = 18,
  AttributeValuesRejected = 19,
  ValuesUnconvertible = 20,
  SeriesDroppedIncompleteTags = 21,
  NamesEvicted = 22,
  SeriesEvicted = 23,
  ValuesRedacted = 24,
};
constexpr std::int32_t kStatCount = 25;

std::uint64_t read_stat(const Stats& stats, StatId id);
// Counters the host may add to: refusals it makes itself (a value it cannot convert, a metric type
// conflict it remembered) so every refusal lands in the one table.
bool is_host_stat(StatId id);
void add_stat(Stats& stats, StatId id, std::uint64_t n);

// Stable numbering of the Limits fields across the C ABI (es_limit); the shim reads its string
// cuts from here instead of keeping copies (js/core/tables.js LIMIT_NAMES is in this order).
enum class LimitId : std::int32_t {
  MaxAttributeValueBytes = 0,
  MaxAttributes = 1,
  MaxEventsPerSpan = 2,
  MaxNameBytes = 3,
  MaxMessageBytes = 4,
  MaxOpenSpans = 5,
  MaxFinishedSpans = 6,
  MaxLogs = 7,
  MaxSeries = 8,
  MaxInterned = 9,
  MaxRecordBytes = 10,
  MaxSpanBytes = 11,
  MaxLogBytes = 12,
  MaxSeriesBytes = 13,
  MaxNameTableBytes = 14,
  MaxResourceBytes = 15,
  MemoryCeilingBytes = 16,
};
constexpr std::int32_t kLimitCount = 17;

std::size_t read_limit(const Limits& limits, LimitId id);

}  // namespace edgescope
