// Hard bounds on everything the core holds between drains. A Worker isolate has 128 MB and may
// live for hours, so nothing grows without a bound; what a bound refuses is counted in Stats
// (never dropped silently) and the shim reports the counters after each drain.
#pragma once
#include <cstddef>
#include <cstdint>

namespace edgescope {

struct Limits {
  std::size_t max_attribute_value_bytes = 4096;  // longer string values are cut (counted)
  std::size_t max_attributes = 128;              // per span, event, log record or series
  std::size_t max_events_per_span = 128;
  std::size_t max_name_bytes = 1024;             // span, metric, event names, attribute keys
  std::size_t max_message_bytes = 16384;         // log messages, status messages
  std::size_t max_open_spans = 4096;
  std::size_t max_finished_spans = 4096;         // waiting for the next drain
  std::size_t max_logs = 4096;
  std::size_t max_series = 2000;                 // distinct (type, name, unit, tags)
  std::size_t max_interned = 16384;
};

// Every refusal and every repair, by cause. Monotonic for the life of the core instance.
struct Stats {
  std::uint64_t spans_dropped_open_limit = 0;
  std::uint64_t spans_dropped_buffer_full = 0;
  std::uint64_t logs_dropped_buffer_full = 0;
  std::uint64_t series_dropped_limit = 0;
  std::uint64_t metric_values_rejected = 0;  // NaN, infinity, negative counter increments
  std::uint64_t attributes_dropped = 0;      // past max_attributes / max_events_per_span
  std::uint64_t values_truncated = 0;
  std::uint64_t strings_repaired = 0;        // invalid UTF-8 replaced with U+FFFD
  std::uint64_t records_dropped_oversize = 0;  // one record larger than the payload cap
  std::uint64_t records_shrunk = 0;            // re-encoded compactly to fit the payload cap
  std::uint64_t names_dropped_intern_limit = 0;
};

// Stable numbering of the Stats fields across the C ABI (bindings/edgescope.h).
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
};
constexpr std::int32_t kStatCount = 11;

std::uint64_t read_stat(const Stats& stats, StatId id);

}  // namespace edgescope
