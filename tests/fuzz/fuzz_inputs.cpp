// libFuzzer target: hostile bytes through every place the core takes outside input (traceparent,
// tracestate, names, attribute values, log messages) and the encoders. Invariants, not just "no
// crash": repaired text is valid UTF-8, a parsed traceparent formats back to a valid one, and every
// payload is valid UTF-8 JSON no larger than the cap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "edgescope/telemetry.hpp"
#include "edgescope/trace_context.hpp"
#include "edgescope/utf8.hpp"

using namespace edgescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string repaired;
  repair_utf8(input, repaired);
  if (!is_valid_utf8(repaired)) __builtin_trap();
  if (!is_valid_utf8(truncate_utf8(repaired, size / 2))) __builtin_trap();

  if (const auto ctx = parse_traceparent(input)) {
    if (!parse_traceparent(format_traceparent(ctx->trace_id, ctx->span_id, ctx->flags))) __builtin_trap();
  }
  const std::string state = normalize_tracestate(input);
  if (!state.empty() && normalize_tracestate(state) != state) __builtin_trap();

  TelemetryOptions options;
  options.service = std::string(input.substr(0, 64));
  if (options.service.empty()) options.service = "fuzz";
  options.encode.max_payload_bytes = 1024 + (size % 4096);
  options.encode.max_records_per_payload = size % 7;
  Telemetry t(std::move(options));
  bool rejected = false;
  const auto root = t.start_remote_span(t.intern(input), SpanKind::Server, 1, input, input, &rejected);
  t.stage_string(t.intern(input.substr(0, size / 3)), input);
  t.stage(t.intern("n"), AttributeValue::of_double(static_cast<double>(size) / 3.0));
  t.apply_staged_to_span(root);
  const auto child = t.start_span(root, t.intern(input.substr(size / 2)), SpanKind::Client, 2);
  t.add_event(child, t.intern(input), 3);
  t.set_status(child, StatusCode::Error, input);
  t.stage_string(t.intern("k"), input);
  t.record(t.series(MetricType::Histogram, t.intern(input), t.intern("ms")), static_cast<double>(size), 4);
  t.log(LogLevel::Warn, input, child, 5);
  t.end_span(child, 6);
  t.end_span(root, 7);
  t.drain();
  for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
    for (const auto& payload : t.encode_drained(format)) {
      if (payload.body.size() > 1024 + (size % 4096)) __builtin_trap();
      if (!is_valid_utf8(payload.body)) __builtin_trap();
      if (nlohmann::json::parse(payload.body, nullptr, false).is_discarded()) __builtin_trap();
    }
  }
  return 0;
}
