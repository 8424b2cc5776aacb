#include "edgescope/limits.hpp"

#include <cstddef>
#include <type_traits>

namespace edgescope {
namespace {

// Where each counter lives in Stats, by StatId: one byte each, for reading and for adding (a
// switch with a case per counter was 0.3 KB of module code; size budget: scripts/size-budget.mjs).
#define ES_STAT(field) static_cast<std::uint8_t>(offsetof(Stats, field))
constexpr std::uint8_t kStatOffsets[kStatCount] = {
    ES_STAT(spans_dropped_open_limit),     // SpansDroppedOpenLimit
    ES_STAT(spans_dropped_buffer_full),    // SpansDroppedBufferFull
    ES_STAT(logs_dropped_buffer_full),     // LogsDroppedBufferFull
    ES_STAT(series_dropped_limit),         // SeriesDroppedLimit
    ES_STAT(metric_values_rejected),       // MetricValuesRejected
    ES_STAT(attributes_dropped),           // AttributesDropped
    ES_STAT(values_truncated),             // ValuesTruncated
    ES_STAT(strings_repaired),             // StringsRepaired
    ES_STAT(records_dropped_oversize),     // RecordsDroppedOversize
    ES_STAT(records_shrunk),               // RecordsShrunk
    ES_STAT(names_dropped_intern_limit),   // NamesDroppedInternLimit
    ES_STAT(spans_dropped_byte_budget),    // SpansDroppedByteBudget
    ES_STAT(logs_dropped_byte_budget),     // LogsDroppedByteBudget
    ES_STAT(series_dropped_byte_budget),   // SeriesDroppedByteBudget
    ES_STAT(names_dropped_byte_budget),    // NamesDroppedByteBudget
    ES_STAT(attributes_dropped_byte_budget),  // AttributesDroppedByteBudget
    ES_STAT(names_refused_empty),          // NamesRefusedEmpty
    ES_STAT(records_dropped_unnamed),      // RecordsDroppedUnnamed
    ES_STAT(metric_type_conflicts),        // MetricTypeConflicts
    ES_STAT(attribute_values_rejected),    // AttributeValuesRejected
    ES_STAT(values_unconvertible),         // ValuesUnconvertible
    ES_STAT(series_dropped_incomplete_tags),  // SeriesDroppedIncompleteTags
    ES_STAT(names_evicted),                // NamesEvicted
    ES_STAT(series_evicted),               // SeriesEvicted
    ES_STAT(values_redacted),              // ValuesRedacted
};
#undef ES_STAT
static_assert(sizeof(Stats) == kStatCount * sizeof(std::uint64_t), "every counter has a StatId");
static_assert(static_cast<std::int32_t>(StatId::ValuesRedacted) == kStatCount - 1, "one offset per StatId");

// S is Stats or const Stats; null for an id that names no counter.
template <typename S>
auto stat_field(S& s, StatId id) -> decltype(&s.spans_dropped_open_limit) {
  const auto index = static_cast<std::int32_t>(id);
  if (index < 0 || index >= kStatCount) return nullptr;
  using Byte = std::conditional_t<std::is_const_v<S>, const unsigned char, unsigned char>;
  using Field = std::remove_pointer_t<decltype(&s.spans_dropped_open_limit)>;
  return reinterpret_cast<Field*>(reinterpret_cast<Byte*>(&s) + kStatOffsets[index]);
}

}  // namespace

std::uint64_t read_stat(const Stats& s, StatId id) {
  const std::uint64_t* field = stat_field(s, id);
  return field ? *field : 0;
}

bool is_host_stat(StatId id) { return id == StatId::ValuesUnconvertible || id == StatId::MetricTypeConflicts; }

void add_stat(Stats& s, StatId id, std::uint64_t n) {
  if (std::uint64_t* field = stat_field(s, id)) *field += n;
}

std::size_t read_limit(const Limits& l, LimitId id) {
  switch (id) {
    case LimitId::MaxAttributeValueBytes: return l.max_attribute_value_bytes;
    case LimitId::MaxAttributes: return l.max_attributes;
    case LimitId::MaxEventsPerSpan: return l.max_events_per_span;
    case LimitId::MaxNameBytes: return l.max_name_bytes;
    case LimitId::MaxMessageBytes: return l.max_message_bytes;
    case LimitId::MaxOpenSpans: return l.max_open_spans;
    case LimitId::MaxFinishedSpans: return l.max_finished_spans;
    case LimitId::MaxLogs: return l.max_logs;
    case LimitId::MaxSeries: return l.max_series;
    case LimitId::MaxInterned: return l.max_interned;
    case LimitId::MaxRecordBytes: return l.max_record_bytes;
    case LimitId::MaxSpanBytes: return l.max_span_bytes;
    case LimitId::MaxLogBytes: return l.max_log_bytes;
    case LimitId::MaxSeriesBytes: return l.max_series_bytes;
    case LimitId::MaxNameTableBytes: return l.max_name_table_bytes;
    case LimitId::MaxResourceBytes: return l.max_resource_bytes;
    case LimitId::MemoryCeilingBytes: return kMemoryCeilingBytes;
  }
  return 0;
}

}  // namespace edgescope
