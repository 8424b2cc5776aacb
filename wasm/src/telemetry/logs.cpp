#include "edgescope/logs.hpp"

namespace edgescope {

bool is_valid_log_level(int level) {
  return level == 5 || level == 9 || level == 13 || level == 17 || level == 21;
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Fatal: return "fatal";
  }
  return "info";
}

bool LogBuffer::has_room() {
  if (records_.size() < limits_.max_logs) return true;
  ++stats_.logs_dropped_buffer_full;
  return false;
}

void LogBuffer::append(LogRecord record, std::size_t bytes) {
  records_.push_back(std::move(record));
  bytes_ += bytes;
}

RecordArray<LogRecord> LogBuffer::take(std::size_t& bytes) {
  RecordArray<LogRecord> out;
  out.swap(records_);
  bytes = bytes_;
  bytes_ = 0;
  return out;
}

}  // namespace edgescope
