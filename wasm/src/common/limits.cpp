#include "edgescope/limits.hpp"

namespace edgescope {
namespace {

// One switch for reading and for adding; S is Stats or const Stats.
template <typename S>
auto stat_field(S& s, StatId id) -> decltype(&s.spans_dropped_open_limit) {
  switch (id) {
    case StatId::SpansDroppedOpenLimit: return &s.spans_dropped_open_limit;
    case StatId::SpansDroppedBufferFull: return &s.spans_dropped_buffer_full;
    case StatId::LogsDroppedBufferFull: return &s.logs_dropped_buffer_full;
    case StatId::SeriesDroppedLimit: return &s.series_dropped_limit;
    case StatId::MetricValuesRejected: return &s.metric_values_rejected;
    case StatId::AttributesDropped: return &s.attributes_dropped;
    case StatId::ValuesTruncated: return &s.values_truncated;
    case StatId::StringsRepaired: return &s.strings_repaired;
    case StatId::RecordsDroppedOversize: return &s.records_dropped_oversize;
    case StatId::RecordsShrunk: return &s.records_shrunk;
    case StatId::NamesDroppedInternLimit: return &s.names_dropped_intern_limit;
    case StatId::SpansDroppedByteBudget: return &s.spans_dropped_byte_budget;
    case StatId::LogsDroppedByteBudget: return &s.logs_dropped_byte_budget;
    case StatId::SeriesDroppedByteBudget: return &s.series_dropped_byte_budget;
    case StatId::NamesDroppedByteBudget: return &s.names_dropped_byte_budget;
    case StatId::AttributesDroppedByteBudget: return &s.attributes_dropped_byte_budget;
    case StatId::NamesRefusedEmpty: return &s.names_refused_empty;
    case StatId::RecordsDroppedUnnamed: return &s.records_dropped_unnamed;
    case StatId::MetricTypeConflicts: return &s.metric_type_conflicts;
    case StatId::AttributeValuesRejected: return &s.attribute_values_rejected;
    case StatId::ValuesUnconvertible: return &s.values_unconvertible;
    case StatId::SeriesDroppedIncompleteTags: return &s.series_dropped_incomplete_tags;
    case StatId::NamesEvicted: return &s.names_evicted;
    case StatId::SeriesEvicted: return &s.series_evicted;
    case StatId::ValuesRedacted: return &s.values_redacted;
  }
  return nullptr;
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
