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

void LogBuffer::append(LogRecord record) {
  if (records_.size() >= limits_.max_logs) {
    ++stats_.logs_dropped_buffer_full;
    return;
  }
  records_.push_back(std::move(record));
}

std::vector<LogRecord> LogBuffer::take() {
  std::vector<LogRecord> out;
  out.swap(records_);
  return out;
}

}  // namespace edgescope
