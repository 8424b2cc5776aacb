// libFuzzer target: hostile bytes drive spans (typed and array attributes, events, statuses,
// remote parents), logs and metrics of every type into a Telemetry, whose drain is encoded as
// OTLP protobuf. Every payload must be a complete, well-formed OTLP export request, read by the
// strict wire walker (otlp_proto_walker.hpp: tags, wire types, lengths in bounds, nested
// messages, UTF-8 strings, id lengths, no unknown or repeated singular field), no larger than the
// cap, and hold the records it says; across payloads every drained record arrives once, in
// order, or is counted as dropped for size.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "edgescope/telemetry.hpp"
#include "otlp_proto_walker.hpp"

using namespace edgescope;

namespace {

[[noreturn]] void violated(const char* what, int line, const std::string& detail = "") {
  std::fprintf(stderr, "fuzz_otlp_proto.cpp:%d: invariant violated: %s %s\n", line, what, detail.c_str());
  __builtin_trap();
}
#define INVARIANT(cond, ...) \
  do {                       \
    if (!(cond)) violated(#cond, __LINE__, ##__VA_ARGS__); \
  } while (0)

double hostile_double(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return 1700000000123.0 + in.ConsumeIntegralInRange<int>(-1000000, 1000000) / 4096.0;
    case 1: return in.ConsumeIntegralInRange<int>(-1000, 1000) / 8.0;
    case 2: return std::nan("");
    case 3: return in.ConsumeBool() ? HUGE_VAL : -HUGE_VAL;
    case 4: {
      const auto bits = in.ConsumeIntegral<std::uint64_t>();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    default: return in.ConsumeFloatingPoint<double>();
  }
}

// Hostile text repeated: records past the cap (shrunk or dropped) are reachable from small inputs.
std::string hostile_text(FuzzedDataProvider& in, std::size_t max_length) {
  const std::string raw = in.ConsumeRandomLengthString(max_length);
  const std::size_t repeat = in.ConsumeIntegralInRange<std::size_t>(1, 48);
  std::string out;
  for (std::size_t i = 0; i < repeat && out.size() < 2 * max_length; ++i) out += raw;
  return out;
}

AttributeValue hostile_scalar(FuzzedDataProvider& in, int type) {
  switch (type) {
    case 0: return AttributeValue::of_string(hostile_text(in, 100));
    case 1: return AttributeValue::of_int(in.ConsumeIntegral<std::int64_t>());
    case 2: return AttributeValue::of_double(hostile_double(in));
    default: return AttributeValue::of_bool(in.ConsumeBool());
  }
}

// Stages up to `max` attributes of every type under hostile keys.
void stage_attributes(Telemetry& t, FuzzedDataProvider& in, std::size_t max) {
  const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, max);
  for (std::size_t i = 0; i < n; ++i) {
    const NameId key = t.intern(in.ConsumeRandomLengthString(48));
    const int type = in.ConsumeIntegralInRange<int>(0, 5);
    if (type == 0) {
      t.stage_string(key, hostile_text(in, 600));
    } else if (type < 4) {
      t.stage(key, hostile_scalar(in, type));
    } else if (type == 4) {
      t.stage(key, AttributeValue::of_bool(in.ConsumeBool()));
    } else {
      const int element = in.ConsumeIntegralInRange<int>(0, 3);
      RecordArray<AttributeValue> elements(in.ConsumeIntegralInRange<std::size_t>(0, kMaxArrayElements + 8));
      for (auto& e : elements) e = hostile_scalar(in, element);
      t.stage(key, AttributeValue::of_array(std::move(elements)));
    }
  }
}

std::string span_id_bytes(SpanId id) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(id >> (56 - 8 * i));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzedDataProvider in(data, size);
  TelemetryOptions options;
  options.service = in.ConsumeRandomLengthString(64);
  const std::size_t cap = 256 + in.ConsumeIntegralInRange<std::size_t>(0, 8192);
  options.encode.max_payload_bytes = cap;
  options.encode.max_records_per_payload = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  Telemetry t(std::move(options));

  stage_attributes(t, in, 4);
  t.set_resource_from_stage();

  const std::size_t spans = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  SpanHandle parent = kNoopSpan;
  std::vector<SpanHandle> open;
  for (std::size_t i = 0; i < spans; ++i) {
    const NameId name = t.intern("s" + in.ConsumeRandomLengthString(300));
    const auto kind = static_cast<SpanKind>(in.ConsumeIntegralInRange<int>(1, 5));
    const double start = hostile_double(in);
    SpanHandle span;
    if (i == 0 && in.ConsumeBool()) {
      span = t.start_remote_span(name, kind, start, input.substr(0, 64), input.substr(0, 128), nullptr);
    } else {
      span = t.start_span(in.ConsumeBool() ? parent : kNoopSpan, name, kind, start);
    }
    stage_attributes(t, in, 40);
    t.apply_staged_to_span(span);
    for (std::size_t e = in.ConsumeIntegralInRange<std::size_t>(0, 4); e > 0; --e) {
      stage_attributes(t, in, 4);
      t.add_event(span, t.intern(in.ConsumeRandomLengthString(64)), hostile_double(in));
    }
    t.set_status(span, static_cast<StatusCode>(in.ConsumeIntegralInRange<int>(0, 2)), hostile_text(in, 200));
    const std::size_t logs = in.ConsumeIntegralInRange<std::size_t>(0, 3);
    for (std::size_t l = 0; l < logs; ++l) {
      static const LogLevel kLevels[] = {LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error, LogLevel::Fatal};
      stage_attributes(t, in, 6);
      t.log(kLevels[in.ConsumeIntegralInRange<int>(0, 4)], hostile_text(in, 400), in.ConsumeBool() ? span : kNoopSpan,
            hostile_double(in));
    }
    if (in.ConsumeBool()) parent = span;
    open.push_back(span);
  }
  for (auto it = open.rbegin(); it != open.rend(); ++it) t.end_span(*it, hostile_double(in));

  const std::size_t updates = in.ConsumeIntegralInRange<std::size_t>(0, 12);
  for (std::size_t i = 0; i < updates; ++i) {
    const auto type = static_cast<MetricType>(in.ConsumeIntegralInRange<int>(0, 3));
    // A few names, so points group under shared Metrics (and types sometimes conflict).
    const NameId name = t.intern("m" + std::to_string(in.ConsumeIntegralInRange<int>(0, 3)) + in.ConsumeRandomLengthString(4));
    const NameId unit = in.ConsumeBool() ? t.intern(in.ConsumeRandomLengthString(8)) : kNoName;
    stage_attributes(t, in, 3);
    const SeriesId id = t.series(type, name, unit, hostile_double(in));
    t.record(id, hostile_double(in), hostile_double(in));
  }

  t.drain(hostile_double(in));
  const Batch batch = t.drained();
  const std::uint64_t dropped_before = t.stats().records_dropped_oversize;
  const RecordArray<Payload>& payloads = t.encode_drained(WireFormat::OtlpProto);
  const std::uint64_t dropped = t.stats().records_dropped_oversize - dropped_before;

  otlp_walk::Walker walker;
  std::size_t found[4] = {};
  std::vector<std::string> span_ids;
  for (const Payload& p : payloads) {
    INVARIANT(p.body.size() <= cap);
    INVARIANT(p.signal != Signal::Mixed);
    INVARIANT(p.batch_id_at == kNoBatchIdField);
    otlp_walk::Node request;
    std::string why;
    INVARIANT(walker.walk(otlp_walk::request_type(p.signal), p.body, request, why), why);
    const auto records = otlp_walk::records(p.signal, request);
    INVARIANT(records.size() == p.records && p.records > 0);
    found[static_cast<int>(p.signal)] += records.size();
    if (p.signal == Signal::Traces) {
      for (const auto* span : records) span_ids.push_back(span->str(2));
    }
  }
  INVARIANT(found[1] + found[2] + found[3] + dropped == batch.size());
  // Spans arrive in drained order, the dropped ones left out.
  std::size_t at = 0;
  for (const Span& s : batch.spans) {
    if (at < span_ids.size() && span_ids[at] == span_id_bytes(s.span_id)) ++at;
  }
  INVARIANT(at == span_ids.size());
  return 0;
}
