// Log records, correlated with the span that was current when they were written.
#pragma once
#include <cstdint>
#include <string>

#include "edgescope/attributes.hpp"
#include "edgescope/ids.hpp"
#include "edgescope/record_array.hpp"

namespace edgescope {

// Values are OpenTelemetry SeverityNumber (logs data model), so OTLP needs no mapping table.
enum class LogLevel : std::uint8_t { Debug = 5, Info = 9, Warn = 13, Error = 17, Fatal = 21 };
bool is_valid_log_level(int level);
const char* log_level_name(LogLevel level);

struct LogRecord {
  double time_ms = 0;
  LogLevel level = LogLevel::Info;
  std::string message;
  Attributes attributes;
  TraceId trace_id;  // zero when written outside any span
  SpanId span_id = 0;
  std::uint32_t dropped_attributes = 0;  // refused by Limits::max_attributes (OTLP droppedAttributesCount)
};

// Records waiting for the next drain. The count bound lives here; the byte budget is charged by
// Telemetry::log as the record is built (its attributes are checked one by one).
class LogBuffer {
 public:
  LogBuffer(const Limits& limits, Stats& stats) : limits_(limits), stats_(stats) {}
  // Counts the record as dropped when the buffer is full (then returns false).
  bool has_room();
  // `bytes`: the record's accounted size, already charged to the log pool.
  void append(LogRecord record, std::size_t bytes);
  // Takes every record; `bytes` receives their accounted size.
  RecordArray<LogRecord> take(std::size_t& bytes);
  std::size_t size() const { return records_.size(); }

 private:
  const Limits& limits_;
  Stats& stats_;
  RecordArray<LogRecord> records_;
  std::size_t bytes_ = 0;
};

}  // namespace edgescope
