// The C ABI (bindings/edgescope.h) over the pure core. Argument checking lives here so the core
// can assume well-formed calls; every refusal sets a message naming the argument.
#include "edgescope.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "abi_state.hpp"
#include "telemetry_handles.hpp"
#include "edgescope/telemetry.hpp"
#include "edgescope/trace_context.hpp"

using namespace edgescope;

namespace {

// The shared buffers (abi_state.cpp: es_scratch, es_io, es_error_*, es_output_*).
using abi::g_error;
using abi::g_io;
using abi::g_output;
using abi::g_scratch;
using abi::cat_num;
using abi::fail_num;
using abi::instance;
using abi::io_u32;
using abi::io_words;

// The telemetry instances behind the handles es_create gives out (handle = index + 1).
RecordArray<std::unique_ptr<Telemetry>> g_instances;

// One byte per handle, not std::vector<bool>: its bit-packed iterators are code of their own, and
// GrowArray<uint8_t> is in the module already (g_scratch).
GrowArray<uint8_t> g_remote_rejected;

int32_t fail(int32_t code, std::string message) { return abi::fail(code, std::move(message)); }
int32_t fail(int32_t code, const char* message) { return abi::fail(code, message); }

std::string_view scratch(uint32_t offset, uint32_t len) {
  if (static_cast<uint64_t>(offset) + len > g_scratch.size()) return {};
  return {reinterpret_cast<const char*>(g_scratch.data()) + offset, len};
}

bool scratch_fits(uint32_t total) { return total <= g_scratch.size(); }

int32_t read_i32(const uint8_t* at) {
  uint32_t value = static_cast<uint32_t>(at[0]) | static_cast<uint32_t>(at[1]) << 8 |
                   static_cast<uint32_t>(at[2]) << 16 | static_cast<uint32_t>(at[3]) << 24;
  return static_cast<int32_t>(value);
}

#define ES_SCRATCH(len)                                                             \
  if (!scratch_fits(len)) return fail(ES_ERR_ARGUMENT, "string length exceeds the scratch buffer")

// A name id argument is a live id, or a refusal es_intern returned (negative: the core refuses
// and counts what it would have named). 0 and stale ids are host bugs.
bool valid_name_id(const Telemetry& t, int32_t id) { return id < 0 || t.is_interned(id); }
bool valid_unit_id(const Telemetry& t, int32_t id) { return id == kNoName || valid_name_id(t, id); }

// How much of an array's string bytes es_stage_array copies beyond the value limit: more than
// the core's cleaning ever reads past a cut (a 512-byte redaction lookahead and a 4-byte repair
// margin, telemetry.cpp), so the copy is bounded whatever the host sends and the core still sees
// that the array is longer than it keeps (and counts the cut).
constexpr std::size_t kArrayCopySlack = 1024;

double read_f64(const uint8_t* at) {
  double value;
  std::memcpy(&value, at, sizeof value);  // little-endian: wasm, and every host the suite runs on
  return value;
}

uint32_t read_u32(const uint8_t* at) {
  return static_cast<uint32_t>(at[0]) | static_cast<uint32_t>(at[1]) << 8 | static_cast<uint32_t>(at[2]) << 16 |
         static_cast<uint32_t>(at[3]) << 24;
}

// The elements of es_stage_array's layout (edgescope.h), at most kMaxArrayElements + 1 of them
// (one more than the core keeps, so it sees and counts the cut). Empty string and "" for a
// well-formed layout; otherwise the reason.
std::string read_array(AttributeType type, uint32_t count, uint32_t len, std::size_t string_budget,
                       RecordArray<AttributeValue>& out) {
  const uint8_t* data = g_scratch.data();
  const std::size_t keep = count < kMaxArrayElements + 1 ? count : kMaxArrayElements + 1;
  out.reserve(keep);
  switch (type) {
    case AttributeType::String: {
      if (uint64_t{count} * 4 > len) return cat_num("array layout: ", count, " string lengths need more than ") + cat_num("", len, " bytes");
      uint64_t offset = uint64_t{count} * 4;
      for (uint32_t i = 0; i < count; ++i) {
        const uint32_t n = read_u32(data + std::size_t{i} * 4);
        if (offset + n > len) return cat_num("array layout: string ", i, " runs past the ") + cat_num("", len, " bytes given");
        if (out.size() < keep && string_budget > 0) {
          const std::size_t take = n < string_budget ? n : string_budget;
          out.push_back(AttributeValue::of_string(
              std::string(reinterpret_cast<const char*>(data) + static_cast<std::size_t>(offset), take)));
          string_budget -= take;
        }
        offset += n;
      }
      if (offset != len) return cat_num("array layout: ", static_cast<long long>(len - offset), " bytes after the last string");
      return {};
    }
    case AttributeType::Int:
    case AttributeType::Double: {
      if (uint64_t{count} * 8 != len) return cat_num("array layout: ", count, " numbers take ") + cat_num("", static_cast<long long>(count) * 8, " bytes, not ") + cat_num("", len);
      for (uint32_t i = 0; i < count; ++i) {
        const double value = read_f64(data + std::size_t{i} * 8);
        if (type == AttributeType::Double) {
          if (i < keep) out.push_back(AttributeValue::of_double(value));  // non-finite: the stage refuses it
        } else if (std::fabs(value) <= 9007199254740991.0 && std::floor(value) == value) {
          if (i < keep) out.push_back(AttributeValue::of_int(static_cast<int64_t>(value)));
        } else {
          // JS numbers are exact integers only within 2^53 (Number.MAX_SAFE_INTEGER).
          return cat_num("integer array element ", i, " is not a safe integer");
        }
      }
      return {};
    }
    case AttributeType::Bool: {
      if (count != len) return cat_num("array layout: ", count, " booleans take ") + cat_num("", count, " bytes, not ") + cat_num("", len);
      for (uint32_t i = 0; i < keep; ++i) out.push_back(AttributeValue::of_bool(data[i] != 0));
      return {};
    }
    case AttributeType::Array: break;
  }
  return "array element type must be 0 (string), 1 (int), 2 (double) or 3 (bool)";
}

// Stages a number attribute of `type` (1 int, 2 double, 3 bool; es_stage_batch's codes): one
// out-of-line place builds and stages the value for es_stage_int/double/bool, es_span_set_number
// and the batch, instead of an AttributeValue temporary at each (size budget:
// scripts/size-budget.mjs). An int that is not a safe integer (JS numbers are exact integers only
// within 2^53, Number.MAX_SAFE_INTEGER) is staged as NaN, which the stage refuses and counts;
// false then.
bool stage_number(Telemetry& t, int32_t key, int32_t type, double value) {
  bool safe = true;
  AttributeValue v;
  if (type == 3) {
    v = AttributeValue::of_bool(value != 0);
  } else if (type == 2) {
    v = AttributeValue::of_double(value);
  } else if (std::fabs(value) <= 9007199254740991.0 && std::floor(value) == value) {
    v = AttributeValue::of_int(static_cast<int64_t>(value));
  } else {
    v = AttributeValue::of_double(std::nan(""));
    safe = false;
  }
  t.stage(key, std::move(v));
  return safe;
}

// es_stage_batch's layout (edgescope.h): checked whole before anything is staged, so a malformed
// batch stages nothing.
// `malformed` is set when nothing was staged for that reason.
int32_t stage_batch(Telemetry& t, uint32_t count, uint32_t len, bool& malformed) {
  malformed = true;
  if (!scratch_fits(len)) return fail(ES_ERR_ARGUMENT, "attribute batch length exceeds the scratch buffer");
  const uint8_t* data = g_scratch.data();
  uint64_t at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (at + 5 > len) return fail(ES_ERR_ARGUMENT, cat_num("attribute batch: attribute ", i, " runs past the ") + cat_num("", len, " bytes given"));
    const uint8_t type = data[at + 4];
    at += 5;
    uint64_t need = 0;
    if (type == 0) {
      if (at + 4 > len) return fail_num(ES_ERR_ARGUMENT, "attribute batch: string length of attribute ", i, " runs past the end");
      need = 4 + uint64_t{read_u32(data + at)};
    } else if (type == 1 || type == 2) {
      need = 8;
    } else if (type == 3) {
      need = 1;
    } else {
      return fail_num(ES_ERR_ARGUMENT, "attribute batch: type of attribute ", i, " must be 0 (string), 1 (int), 2 (double) or 3 (bool)");
    }
    if (at + need > len) return fail(ES_ERR_ARGUMENT, cat_num("attribute batch: attribute ", i, " runs past the ") + cat_num("", len, " bytes given"));
    at += need;
  }
  if (at != len) return fail_num(ES_ERR_ARGUMENT, "attribute batch: ", static_cast<long long>(len - at), " bytes after the last attribute");
  malformed = false;
  int32_t unknown_key = 0;
  at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const int32_t key = read_i32(data + at);
    const uint8_t type = data[at + 4];
    at += 5;
    const std::size_t size = type == 0 ? 4 + read_u32(data + at) : type == 3 ? 1 : 8;
    if (!valid_name_id(t, key)) {
      t.stage(kNameRefused, AttributeValue{});  // counted, as es_stage_*'s refusal
      if (unknown_key == 0) unknown_key = key;
    } else if (type == 0) {
      t.stage_string(key, std::string_view(reinterpret_cast<const char*>(data + at + 4), size - 4));
    } else {
      // An unsafe integer is refused and counted, as by es_stage_int.
      stage_number(t, key, type, type == 3 ? (data[at] != 0 ? 1.0 : 0.0) : read_f64(data + at));
    }
    at += size;
  }
  if (unknown_key != 0) return fail_num(ES_ERR_ARGUMENT, "unknown name id ", unknown_key);
  return ES_OK;
}

// The refusals of an unknown name id (ES_KEY, ES_CONSUMING_KEY, ES_STAGE_KEY below), out of line
// like instance_or_fail.
int32_t unknown_name(int32_t key) { return fail_num(ES_ERR_ARGUMENT, "unknown name id ", key); }
int32_t unknown_consumed_name(Telemetry& t, int32_t key) {
  t.clear_stage();
  return unknown_name(key);
}
int32_t unknown_staged_name(Telemetry& t, int32_t key) {
  t.stage(kNameRefused, AttributeValue{});
  return unknown_name(key);
}

// es_intern's and es_intern_at's result for `name`: its id, or the refusal (one copy of both).
int32_t intern_name(Telemetry& t, std::string_view name) {
  const NameId id = t.intern(name);
  if (id == kNameEmpty) return fail(ES_ERR_ARGUMENT, "name is empty (span, event and metric names and attribute keys need one)");
  if (id < 0) return fail(ES_ERR_REJECTED, "name table full (max_interned or its byte budget); the name is refused");
  return id;
}

}  // namespace

namespace edgescope::abi {

Telemetry* instance(int32_t h) {
  if (h <= 0 || static_cast<std::size_t>(h) > g_instances.size()) return nullptr;
  return g_instances[static_cast<std::size_t>(h - 1)].get();
}

Telemetry* instance_or_fail(int32_t h) {
  Telemetry* t = instance(h);
  if (!t) fail_num(ES_ERR_HANDLE, "unknown core handle ", h);
  return t;
}

}  // namespace edgescope::abi

extern "C" {

int32_t es_create(uint32_t service_len, double sample_ratio, uint32_t max_payload_bytes, uint32_t max_records,
                  uint32_t s0, uint32_t s1, uint32_t s2, uint32_t s3, uint32_t s4, uint32_t s5, uint32_t s6,
                  uint32_t s7) {
  ES_SCRATCH(service_len);
  if (service_len == 0) return fail(ES_ERR_ARGUMENT, "service name is empty");
  if (!(sample_ratio >= 0.0 && sample_ratio <= 1.0)) return fail(ES_ERR_ARGUMENT, "sample ratio must be in [0, 1]");
  if (max_payload_bytes < 1024) return fail(ES_ERR_ARGUMENT, "max payload bytes must be at least 1024");
  TelemetryOptions options;
  options.service = std::string(scratch(0, service_len));
  options.sample_ratio = sample_ratio;
  options.encode.max_payload_bytes = max_payload_bytes;
  options.encode.max_records_per_payload = max_records;
  const auto word = [](uint32_t hi, uint32_t lo) { return (static_cast<uint64_t>(hi) << 32) | lo; };
  options.seed = {word(s0, s1), word(s2, s3), word(s4, s5), word(s6, s7)};
  g_instances.push_back(std::make_unique<Telemetry>(std::move(options)));
  g_remote_rejected.push_back(0);
  return static_cast<int32_t>(g_instances.size());
}

int32_t es_destroy(int32_t h) {
  ES_INSTANCE(t, h);
  (void)t;
  g_instances[static_cast<std::size_t>(h - 1)].reset();
  return ES_OK;
}

int32_t es_intern(int32_t h, uint32_t len) {
  ES_INSTANCE(t, h);
  ES_SCRATCH(len);
  return intern_name(*t, scratch(0, len));
}

#define ES_KEY(t, key)                                                          \
  if (!valid_name_id(*t, key)) return unknown_name(key)

// A call that consumes the stage and refuses its arguments still empties it: what was staged for
// it must not land on the next, unrelated record.
#define ES_CONSUMING_KEY(t, key)                                                \
  if (!valid_name_id(*t, key)) return unknown_consumed_name(*t, key)

// An attribute whose key id is stale (a host bug: evicted ids are reported by es_evicted) is
// refused like one with a refused key, so it is counted, and the call says why.
#define ES_STAGE_KEY(t, key)                                                    \
  if (!valid_name_id(*t, key)) return unknown_staged_name(*t, key)

int32_t es_stage_string(int32_t h, int32_t key, uint32_t len) {
  ES_INSTANCE(t, h);
  ES_STAGE_KEY(t, key);
  ES_SCRATCH(len);
  t->stage_string(key, scratch(0, len));
  return ES_OK;
}

int32_t es_stage_int(int32_t h, int32_t key, double value) {
  ES_INSTANCE(t, h);
  ES_STAGE_KEY(t, key);
  // Not a safe integer: refused and counted like any non-finite value.
  if (!stage_number(*t, key, 1, value)) return fail(ES_ERR_ARGUMENT, "integer attribute is not a safe integer");
  return ES_OK;
}

int32_t es_stage_double(int32_t h, int32_t key, double value) {
  ES_INSTANCE(t, h);
  ES_STAGE_KEY(t, key);
  stage_number(*t, key, 2, value);
  return ES_OK;
}

int32_t es_stage_bool(int32_t h, int32_t key, int32_t value) {
  ES_INSTANCE(t, h);
  ES_STAGE_KEY(t, key);
  stage_number(*t, key, 3, value != 0 ? 1.0 : 0.0);
  return ES_OK;
}

int32_t es_stage_array(int32_t h, int32_t key, int32_t type, uint32_t count, uint32_t len) {
  ES_INSTANCE(t, h);
  ES_STAGE_KEY(t, key);
  std::string problem;
  RecordArray<AttributeValue> elements;
  if (!scratch_fits(len)) {
    problem = "array length exceeds the scratch buffer";
  } else if (type < 0 || type > 3) {
    problem = "array element type must be 0 (string), 1 (int), 2 (double) or 3 (bool)";
  } else {
    problem = read_array(static_cast<AttributeType>(type), count, len,
                         t->limits().max_attribute_value_bytes + kArrayCopySlack, elements);
  }
  if (!problem.empty()) {
    // Refused and counted like a value the stage refuses, so the record's dropped count shows it.
    t->stage(key, AttributeValue::of_double(std::nan("")));
    return fail(ES_ERR_ARGUMENT, problem);
  }
  t->stage(key, AttributeValue::of_array(std::move(elements)));
  return ES_OK;
}

int32_t es_stage_clear(int32_t h) {
  ES_INSTANCE(t, h);
  t->clear_stage();
  return ES_OK;
}

int32_t es_span_start(int32_t h, int32_t parent, int32_t name, int32_t kind, double now) {
  ES_INSTANCE(t, h);
  ES_KEY(t, name);
  if (!is_valid_span_kind(kind)) return fail(ES_ERR_ARGUMENT, "span kind must be 1..5");
  const int32_t span = t->start_span(parent, name, static_cast<SpanKind>(kind), now);
  io_u32(ES_IO_RECORDING, t->tracer().is_recording(span) ? 1 : 0);
  return span;
}

int32_t es_span_start_remote(int32_t h, int32_t name, int32_t kind, double now, uint32_t tp_len, uint32_t ts_len) {
  ES_INSTANCE(t, h);
  ES_KEY(t, name);
  if (!is_valid_span_kind(kind)) return fail(ES_ERR_ARGUMENT, "span kind must be 1..5");
  if (static_cast<uint64_t>(tp_len) + ts_len > g_scratch.size()) {
    return fail(ES_ERR_ARGUMENT, "header lengths exceed the scratch buffer");
  }
  bool rejected = false;
  const int32_t span = t->start_remote_span(name, static_cast<SpanKind>(kind), now, scratch(0, tp_len),
                                            scratch(tp_len, ts_len), &rejected);
  g_remote_rejected[static_cast<std::size_t>(h - 1)] = rejected ? 1 : 0;
  io_u32(ES_IO_RECORDING, t->tracer().is_recording(span) ? 1 : 0);
  io_u32(ES_IO_REJECTED, rejected ? 1 : 0);
  return span;
}

int32_t es_remote_rejected(int32_t h) {
  ES_INSTANCE(t, h);
  (void)t;
  return g_remote_rejected[static_cast<std::size_t>(h - 1)] != 0 ? 1 : 0;
}

int32_t es_span_attributes(int32_t h, int32_t span) {
  ES_INSTANCE(t, h);
  t->apply_staged_to_span(span);
  return ES_OK;
}

int32_t es_span_event(int32_t h, int32_t span, int32_t name, double now) {
  ES_INSTANCE(t, h);
  ES_CONSUMING_KEY(t, name);
  t->add_event(span, name, now);
  return ES_OK;
}

int32_t es_span_status(int32_t h, int32_t span, int32_t code, uint32_t len) {
  ES_INSTANCE(t, h);
  ES_SCRATCH(len);
  if (!is_valid_status_code(code)) return fail(ES_ERR_ARGUMENT, "status code must be 0 (unset), 1 (ok) or 2 (error)");
  t->set_status(span, static_cast<StatusCode>(code), scratch(0, len));
  return ES_OK;
}

int32_t es_span_rename(int32_t h, int32_t span, int32_t name) {
  ES_INSTANCE(t, h);
  ES_KEY(t, name);
  t->rename_span(span, name);
  return ES_OK;
}

int32_t es_span_end(int32_t h, int32_t span, double now) {
  ES_INSTANCE(t, h);
  // The ended span's context, for children and logs that come after its end (edgescope.h).
  std::memset(g_io + ES_IO_CONTEXT, 0, 32);
  if (const Span* open = t->tracer().open_span(span)) {
    io_words(ES_IO_CONTEXT, open->trace_id.high, open->trace_id.low);
    io_u32(ES_IO_CONTEXT + 16, static_cast<uint32_t>(open->span_id >> 32));
    io_u32(ES_IO_CONTEXT + 20, static_cast<uint32_t>(open->span_id));
    io_u32(ES_IO_CONTEXT + 24, open->flags);
    io_u32(ES_IO_CONTEXT + 28, static_cast<uint32_t>(open->tracestate.size()));
    if (!open->tracestate.empty()) g_output = open->tracestate;
  }
  return t->end_span(span, now) ? ES_OK : 1;
}

int32_t es_span_recording(int32_t h, int32_t span) {
  ES_INSTANCE(t, h);
  return t->tracer().is_recording(span) ? 1 : 0;
}

int32_t es_span_context(int32_t h, int32_t span) {
  ES_INSTANCE(t, h);
  g_output.clear();
  const auto ctx = t->tracer().context(span);
  if (!ctx) return 0;
  g_output = format_traceparent(ctx->trace_id, ctx->span_id, ctx->flags);
  g_output.push_back('\n');
  g_output.append(ctx->tracestate);
  return static_cast<int32_t>(g_output.size());
}

int32_t es_series(int32_t h, int32_t type, int32_t name, int32_t unit, double now) {
  ES_INSTANCE(t, h);
  ES_CONSUMING_KEY(t, name);
  if (!valid_unit_id(*t, unit)) {
    t->clear_stage();
    return fail_num(ES_ERR_ARGUMENT, "unknown unit name id ", unit);
  }
  if (!is_valid_metric_type(type)) {
    t->clear_stage();
    return fail(ES_ERR_ARGUMENT, "metric type must be 0..5 (4, 5: a histogram with explicit or exponential buckets)");
  }
  const SeriesId id = t->series(static_cast<MetricType>(type), name, unit, now);
  if (id == kSeriesTypeConflict) {
    return fail(ES_ERR_TYPE_CONFLICT, "metric '" + t->interned(name) + "' is already recorded as another type");
  }
  return id;
}

int32_t es_record(int32_t h, int32_t series, double value, double now) {
  ES_INSTANCE(t, h);
  if (!t->record(series, value, now)) {
    return fail(ES_ERR_REJECTED, std::isfinite(value) ? "metric value rejected (negative counter increment or unknown series)"
                                                      : "metric value is not a finite number");
  }
  return ES_OK;
}

int32_t es_log(int32_t h, int32_t level, int32_t span, double now, uint32_t len) {
  ES_INSTANCE(t, h);
  if (!scratch_fits(len) || !is_valid_log_level(level)) {
    t->clear_stage();
    return fail(ES_ERR_ARGUMENT, scratch_fits(len) ? "log level must be 5, 9, 13, 17 or 21"
                                                   : "string length exceeds the scratch buffer");
  }
  t->log(static_cast<LogLevel>(level), scratch(0, len), span, now);
  return ES_OK;
}

int32_t es_log_context(int32_t h, int32_t level, double now, uint32_t len, uint32_t tp_len) {
  ES_INSTANCE(t, h);
  if (static_cast<uint64_t>(len) + tp_len > g_scratch.size() || !is_valid_log_level(level)) {
    t->clear_stage();
    return fail(ES_ERR_ARGUMENT, is_valid_log_level(level) ? "string lengths exceed the scratch buffer"
                                                           : "log level must be 5, 9, 13, 17 or 21");
  }
  const auto context = parse_traceparent(scratch(len, tp_len));
  if (context) {
    t->log_in_context(static_cast<LogLevel>(level), scratch(0, len), *context, now);
  } else {
    t->log(static_cast<LogLevel>(level), scratch(0, len), kNoopSpan, now);
  }
  return ES_OK;
}

static RecordArray<std::string> split_lines(std::string_view text) {
  RecordArray<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int32_t es_set_redaction(int32_t h, int32_t flags, uint32_t keys_len, uint32_t prefixes_len, uint32_t literals_len) {
  ES_INSTANCE(t, h);
  if (static_cast<uint64_t>(keys_len) + prefixes_len + literals_len > g_scratch.size()) {
    return fail(ES_ERR_ARGUMENT, "redaction lists exceed the scratch buffer");
  }
  if (flags < 0 || flags > 31) return fail(ES_ERR_ARGUMENT, "redaction flags must be 0..31");
  RedactionConfig config;
  config.default_keys = (flags & 1) != 0;
  config.keys_in_text = (flags & 2) != 0;
  config.auth_credentials = (flags & 4) != 0;
  config.jwts = (flags & 8) != 0;
  config.card_numbers = (flags & 16) != 0;
  config.extra_keys = split_lines(scratch(0, keys_len));
  config.value_prefixes = split_lines(scratch(keys_len, prefixes_len));
  config.literal_values = split_lines(scratch(keys_len + prefixes_len, literals_len));
  std::string error;
  if (!t->set_redaction(std::move(config), error)) return fail(ES_ERR_ARGUMENT, error);
  return ES_OK;
}

int32_t es_set_sampling(int32_t h, int32_t flags, int32_t status_at_least, double slower_than_ms, double request_ms,
                        double fetch_ms, double query_ms, uint32_t routes_len, uint32_t names_len) {
  ES_INSTANCE(t, h);
  if (static_cast<uint64_t>(routes_len) + names_len > g_scratch.size()) {
    return fail(ES_ERR_ARGUMENT, "sampling pattern lists exceed the scratch buffer");
  }
  if (flags < 0 || flags > 1) return fail(ES_ERR_ARGUMENT, "sampling flags must be 0..1");
  KeepRules keep;
  keep.errors = (flags & 1) != 0;
  keep.status_at_least = status_at_least;
  keep.slower_than_ms = slower_than_ms;
  keep.routes = split_lines(scratch(0, routes_len));
  keep.span_names = split_lines(scratch(routes_len, names_len));
  SlowThresholds slow;
  slow.request_ms = request_ms;
  slow.fetch_ms = fetch_ms;
  slow.query_ms = query_ms;
  std::string error;
  if (!t->set_sampling(std::move(keep), slow, error)) return fail(ES_ERR_ARGUMENT, error);
  return ES_OK;
}

int32_t es_set_max_buckets(int32_t h, int32_t max_buckets) {
  ES_INSTANCE(t, h);
  if (max_buckets < 0 || !t->set_max_buckets(static_cast<uint32_t>(max_buckets))) {
    return fail_num(ES_ERR_ARGUMENT, "histogram maxBuckets must be an integer from 4 to 4096, got ", max_buckets);
  }
  return ES_OK;
}

int32_t es_set_resource(int32_t h) {
  ES_INSTANCE(t, h);
  t->set_resource_from_stage();
  return ES_OK;
}

int32_t es_intern_at(int32_t h, uint32_t offset, uint32_t len) {
  ES_INSTANCE(t, h);
  if (static_cast<uint64_t>(offset) + len > g_scratch.size()) {
    return fail(ES_ERR_ARGUMENT, "name offset and length exceed the scratch buffer");
  }
  return intern_name(*t, scratch(offset, len));
}

int32_t es_stage_batch(int32_t h, uint32_t count, uint32_t len) {
  ES_INSTANCE(t, h);
  bool malformed = false;
  return stage_batch(*t, count, len, malformed);
}

int32_t es_span_set(int32_t h, int32_t span, uint32_t count, uint32_t len) {
  ES_INSTANCE(t, h);
  bool malformed = false;
  const int32_t status = stage_batch(*t, count, len, malformed);
  if (malformed) {
    t->clear_stage();  // a consuming call that refuses its arguments still empties the stage
    return status;
  }
  t->apply_staged_to_span(span);
  return status;
}

int32_t es_span_set_number(int32_t h, int32_t span, int32_t key, int32_t type, double value) {
  ES_INSTANCE(t, h);
  int32_t status = ES_OK;
  if (!valid_name_id(*t, key) || type < 1 || type > 3) {
    t->stage(kNameRefused, AttributeValue{});  // counted, as es_stage_*'s refusal
    status = fail(ES_ERR_ARGUMENT, type < 1 || type > 3 ? "number attribute type must be 1 (int), 2 (double) or 3 (bool)"
                                                        : cat_num("unknown name id ", key));
  } else {
    stage_number(*t, key, type, value);  // an unsafe integer is refused and counted, as by es_stage_int
  }
  t->apply_staged_to_span(span);
  return status;
}

int32_t es_log_batch(int32_t h, int32_t level, int32_t span, double now, uint32_t count, uint32_t attrs_len,
                     uint32_t message_len) {
  ES_INSTANCE(t, h);
  if (static_cast<uint64_t>(attrs_len) + message_len > g_scratch.size() || !is_valid_log_level(level)) {
    t->clear_stage();
    return fail(ES_ERR_ARGUMENT, is_valid_log_level(level) ? "string lengths exceed the scratch buffer"
                                                           : "log level must be 5, 9, 13, 17 or 21");
  }
  bool malformed = false;
  const int32_t status = stage_batch(*t, count, attrs_len, malformed);
  if (malformed) {
    t->clear_stage();  // refused whole: never written with its attributes silently missing
    return status;
  }
  t->log(static_cast<LogLevel>(level), scratch(attrs_len, message_len), span, now);
  return status;
}

}  // extern "C"
