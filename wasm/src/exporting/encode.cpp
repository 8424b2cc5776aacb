#include <algorithm>
#include <cstdint>
#include <string>

#include "edgescope/wire.hpp"
#include "edgescope/json_writer.hpp"
#include "edgescope/slot_id.hpp"

namespace edgescope {

void OversizeLedger::clear() {
  for (auto& marks : marks_) {
    marks = GrowArray<std::uint8_t>{};  // storage freed: a burst of oversized records must not pin memory for the isolate's life
  }
}

bool OversizeLedger::first(Signal signal, std::size_t index, std::uint8_t mark) {
  const auto slot = static_cast<std::size_t>(signal) - 1;  // Traces = 1 .. Logs = 3
  if (slot >= 3) return true;  // Mixed names no records; count rather than lose the event
  GrowArray<std::uint8_t>& marks = marks_[slot];
  if (index >= marks.size()) marks.resize(index + 1);
  if (marks[index] & mark) return false;
  marks[index] = static_cast<std::uint8_t>(marks[index] | mark);
  return true;
}

void OversizeLedger::count_shrunk(Signal signal, std::size_t index, Stats& stats) {
  if (first(signal, index, kShrunk)) ++stats.records_shrunk;
}

void OversizeLedger::count_dropped(Signal signal, std::size_t index, Stats& stats) {
  if (first(signal, index, kDropped)) ++stats.records_dropped_oversize;
}

RecordArray<GrowArray<std::size_t>> group_metric_points(const RecordArray<MetricPoint>& points) {
  // Group g's key is keys[g]; `sorted` holds the groups by key, for a binary search: O(log g)
  // per point without hash-table code in the module (size budget).
  RecordArray<std::string> keys;
  IndexList sorted;
  RecordArray<GrowArray<std::size_t>> members;
  std::string key;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const MetricPoint& p = points[i];
    // Length-prefixed: names may hold any character, NUL included.
    key.assign(1, static_cast<char>(static_cast<int>(p.type) + (p.exponential ? 8 : 0)));
    key.append(edgescope::decimal(p.name.size())).append(":").append(p.name).append(p.unit);
    auto found = std::lower_bound(sorted.begin(), sorted.end(), key,
                                  [&keys](std::uint32_t g, const std::string& k) { return keys[g] < k; });
    if (found == sorted.end() || keys[*found] != key) {
      const auto at = static_cast<std::size_t>(found - sorted.begin());
      insert_index(sorted, at, static_cast<std::uint32_t>(keys.size()));
      found = sorted.begin() + static_cast<std::ptrdiff_t>(at);
      keys.push_back(key);
      members.emplace_back();
    }
    members[*found].push_back(i);
  }
  return members;
}

void assign_batch_ids(RecordArray<Payload>& payloads, IdGenerator& ids) {
  std::string hex;
  for (Payload& payload : payloads) {
    payload.batch_id = ids.next_batch_id();
    if (payload.batch_id_at == kNoBatchIdField) continue;
    hex.clear();
    append_hex(hex, payload.batch_id);
    payload.body.replace(payload.batch_id_at, kBatchIdHexDigits, hex);  // same length: the cap holds
  }
}

RecordArray<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, OversizeLedger& ledger, Stats& stats) {
  switch (format) {
    case WireFormat::OtlpJson: return encode_otlp_json(batch, resource, options, ledger, stats);
    case WireFormat::OtlpProto: return encode_otlp_proto(batch, resource, options, ledger, stats);
    case WireFormat::NativeJson: break;
  }
  return encode_native_json(batch, resource, options, ledger, stats);
}

RecordArray<Payload> encode(WireFormat format, const Batch& batch, const Resource& resource,
                            const EncodeOptions& options, Stats& stats) {
  OversizeLedger ledger;
  return encode(format, batch, resource, options, ledger, stats);
}

}  // namespace edgescope
