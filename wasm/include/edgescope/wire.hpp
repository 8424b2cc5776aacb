// What the encoders consume and produce.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope/attributes.hpp"
#include "edgescope/grow_array.hpp"
#include "edgescope/ids.hpp"
#include "edgescope/logs.hpp"
#include "edgescope/metrics.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/span.hpp"

namespace edgescope {

// Numbering is part of the C ABI.
enum class WireFormat : std::int32_t { NativeJson = 0, OtlpJson = 1, OtlpProto = 2 };
// Native JSON mixes signals in one payload; OTLP has one endpoint per signal (/v1/traces, ...).
enum class Signal : std::int32_t { Mixed = 0, Traces = 1, Metrics = 2, Logs = 3 };

struct Batch {
  RecordArray<Span> spans;
  RecordArray<MetricPoint> metrics;
  RecordArray<LogRecord> logs;
  std::size_t size() const { return spans.size() + metrics.size() + logs.size(); }
};

struct Resource {
  std::string service;    // service.name; it wins over a service.name in `attributes`
  Attributes attributes;  // every other resource attribute; both formats write them all
};

struct EncodeOptions {
  std::size_t max_payload_bytes = 65536;  // no payload is ever larger
  std::size_t max_records_per_payload = 0;  // 0: no limit besides the byte cap
};

// A body that carries its batch id (native JSON: "batchId":"<32 hex digits>") holds it at
// batch_id_at; the encoders write kBatchIdPlaceholder there, of the same length as every id, so
// the payload cap is computed with the id in place, and assign_batch_ids writes the real one.
constexpr std::size_t kNoBatchIdField = static_cast<std::size_t>(-1);
constexpr const char* kBatchIdPlaceholder = "00000000000000000000000000000000";
constexpr std::size_t kBatchIdHexDigits = 32;

struct Payload {
  Signal signal = Signal::Mixed;
  std::string body;
  std::uint32_t records = 0;
  BatchId batch_id;  // all-zero until assign_batch_ids
  std::size_t batch_id_at = kNoBatchIdField;
};

// Gives every payload a fresh batch id from `ids` and writes it into the bodies that carry one.
void assign_batch_ids(RecordArray<Payload>& payloads, IdGenerator& ids);

// The batch's metric points as OTLP Metrics, one per (type, exponential, name, unit): groups in
// order of first appearance, each the indices of its points in batch order. Both OTLP encoders
// pack by it (one copy of the grouping in the module).
RecordArray<GrowArray<std::size_t>> group_metric_points(const RecordArray<MetricPoint>& points);

// Stats::records_shrunk and records_dropped_oversize describe records, not encodings: when one
// drained batch is encoded in two formats (two exporters), a record that had to be shrunk or
// dropped in both still counts once. The ledger remembers, for one drained batch, which
// (signal, index in the batch) pairs each counter already took. Clear it on every new drain.
class OversizeLedger {
 public:
  void clear();
  // Increments the counter unless this record was already counted in it since the last clear.
  void count_shrunk(Signal signal, std::size_t index, Stats& stats);
  void count_dropped(Signal signal, std::size_t index, Stats& stats);

 private:
  static constexpr std::uint8_t kShrunk = 1;
  static constexpr std::uint8_t kDropped = 2;
  bool first(Signal signal, std::size_t index, std::uint8_t mark);
  // Indexed by Signal (Traces, Metrics, Logs); grown only when a record is counted, so the
  // common case (nothing oversized) allocates nothing.
  GrowArray<std::uint8_t> marks_[3];  // no std::vector growth path for bytes (grow_array.hpp)
};

// Encodes the whole batch into payloads that each respect the options. A record that cannot fit
// even alone is re-encoded compactly (long values cut, attributes past kCompactMaxAttributes and
// all events dropped, counted in the record's dropped counts and in Stats::records_shrunk); if
// it still cannot fit it is dropped (Stats::records_dropped_oversize). `ledger` belongs to the
// drained batch: pass the same one for every format encoded from that batch.
RecordArray<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, OversizeLedger& ledger, Stats& stats);
// One format per drained batch: every shrunk or dropped record of this call is counted.
RecordArray<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, Stats& stats);

RecordArray<Payload> encode_native_json(const Batch& batch, const Resource& resource,
                                        const EncodeOptions& options, OversizeLedger& ledger, Stats& stats);
RecordArray<Payload> encode_otlp_json(const Batch& batch, const Resource& resource,
                                      const EncodeOptions& options, OversizeLedger& ledger, Stats& stats);
RecordArray<Payload> encode_otlp_proto(const Batch& batch, const Resource& resource,
                                       const EncodeOptions& options, OversizeLedger& ledger, Stats& stats);

}  // namespace edgescope
