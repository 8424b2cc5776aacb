#include "edgescope/limits.hpp"

namespace edgescope {

std::uint64_t read_stat(const Stats& s, StatId id) {
  switch (id) {
    case StatId::SpansDroppedOpenLimit: return s.spans_dropped_open_limit;
    case StatId::SpansDroppedBufferFull: return s.spans_dropped_buffer_full;
    case StatId::LogsDroppedBufferFull: return s.logs_dropped_buffer_full;
    case StatId::SeriesDroppedLimit: return s.series_dropped_limit;
    case StatId::MetricValuesRejected: return s.metric_values_rejected;
    case StatId::AttributesDropped: return s.attributes_dropped;
    case StatId::ValuesTruncated: return s.values_truncated;
    case StatId::StringsRepaired: return s.strings_repaired;
    case StatId::RecordsDroppedOversize: return s.records_dropped_oversize;
    case StatId::RecordsShrunk: return s.records_shrunk;
    case StatId::NamesDroppedInternLimit: return s.names_dropped_intern_limit;
  }
  return 0;
}

}  // namespace edgescope
