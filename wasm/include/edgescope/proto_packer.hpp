// Packs encoded OTLP protobuf records into payloads no larger than a byte cap, the protobuf twin
// of PayloadPacker (payload_packer.hpp). Every OTLP export request has the same shape:
//   Export*ServiceRequest { 1: Resource* { 1: resource, 2: Scope* { 1: scope, 2: record... } } }
// (collector/*/v1/*_service.proto, trace/metrics/logs v1: ResourceSpans, ScopeSpans, Span ...).
// A record is a Span or a LogRecord; for metrics it is a data point, and the consecutive points
// of one metric share one Metric { head fields, data_field: Sum|Gauge|Histogram { 1: point...,
// tail fields } }. A group cut by a full payload is opened again in the next one. Every length
// prefix depends on what it wraps, so sizes are tracked exactly as varints grow: the cap is a
// promise. Records are written once, into the pending payload body; framing is added on sealing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope/grow_array.hpp"
#include "edgescope/proto_writer.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {

struct ProtoGroup {
  std::size_t id = 0;        // consecutive records with the same id share one Metric
  std::string head;          // the Metric's fields before its data (name, unit), encoded
  std::uint32_t data_field = 0;  // the Metric's data oneof member: 5 gauge, 7 sum, 9 histogram
  std::string tail;          // the data message's fields after its points (temporality, ...)
};

class ProtoPacker {
 public:
  // resource, scope: the encoded Resource and InstrumentationScope messages (content only).
  ProtoPacker(Signal signal, std::string resource, std::string scope, const EncodeOptions& options);

  // Whether a record of `record_bytes` fits in an otherwise empty payload (inside `group`).
  bool fits_alone(std::size_t record_bytes, const ProtoGroup* group = nullptr) const;
  // Makes room for a record that fits_alone, sealing the current payload first when it is full,
  // and writes the record's tag and length. Returns the body the caller then appends exactly
  // `record_bytes` bytes of record content to. `group` must outlive finish().
  std::string& add(std::size_t record_bytes, const ProtoGroup* group = nullptr);
  RecordArray<Payload> finish();

 private:
  struct Run {  // records of one group, body_[begin, end)
    const ProtoGroup* group;
    std::size_t begin;
    std::size_t end;
  };
  // The encoded size of one Metric holding `points` bytes of data points, its tag included.
  static std::size_t group_bytes(const ProtoGroup& g, std::size_t points);
  // The payload's size if the scope's records take `records` bytes.
  std::size_t total(std::size_t records) const;
  // The scope's records size now, the open run's frame included.
  std::size_t records_bytes() const;
  void seal();

  Signal signal_;
  std::string resource_;
  std::string scope_;
  EncodeOptions options_;
  std::string body_;        // records (and runs' points), each with its tag and length
  std::size_t closed_ = 0;  // bytes of body_'s records outside the open run, with run frames
  GrowArray<Run> runs_;  // no std::vector growth path of its own (grow_array.hpp)
  bool run_open_ = false;  // runs_.back() still takes points
  std::uint32_t records_ = 0;
  RecordArray<Payload> done_;
};

// Writes one record's message content (a Span, a LogRecord, a data point), compact or not.
using EmitRecord = void (*)(const void* record, bool compact, proto::ProtoSink& sink);

// Encodes one record and packs it, with encode()'s policy (wire.hpp) for a record too large for
// a payload of its own: re-encoded compactly, else dropped; both counted in the ledger. One
// function for every record type (a function pointer, not a template): the module stays small.
void pack_proto_record(ProtoPacker& packer, const ProtoGroup* group, Signal signal, std::size_t index,
                       const void* record, EmitRecord emit, proto::ProtoSink& sink, OversizeLedger& ledger,
                       Stats& stats);

}  // namespace edgescope
