// What the encoders consume and produce.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope/attributes.hpp"
#include "edgescope/logs.hpp"
#include "edgescope/metrics.hpp"
#include "edgescope/span.hpp"

namespace edgescope {

// Numbering is part of the C ABI.
enum class WireFormat : std::int32_t { NativeJson = 0, OtlpJson = 1 };
// Native JSON mixes signals in one payload; OTLP has one endpoint per signal (/v1/traces, ...).
enum class Signal : std::int32_t { Mixed = 0, Traces = 1, Metrics = 2, Logs = 3 };

struct Batch {
  std::vector<Span> spans;
  std::vector<MetricPoint> metrics;
  std::vector<LogRecord> logs;
  std::size_t size() const { return spans.size() + metrics.size() + logs.size(); }
};

struct Resource {
  std::string service;
  Attributes attributes;  // OTLP resource attributes besides service.name
};

struct EncodeOptions {
  std::size_t max_payload_bytes = 65536;  // no payload is ever larger
  std::size_t max_records_per_payload = 0;  // 0: no limit besides the byte cap
};

struct Payload {
  Signal signal = Signal::Mixed;
  std::string body;
  std::uint32_t records = 0;
};

// Encodes the whole batch into payloads that each respect the options. A record that cannot fit
// even alone is re-encoded compactly (long values cut, events dropped; counted as shrunk); if it
// still cannot fit it is dropped and counted (Stats::records_dropped_oversize).
std::vector<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, Stats& stats);

std::vector<Payload> encode_native_json(const Batch& batch, const Resource& resource,
                                        const EncodeOptions& options, Stats& stats);
std::vector<Payload> encode_otlp_json(const Batch& batch, const Resource& resource,
                                      const EncodeOptions& options, Stats& stats);

}  // namespace edgescope
