// Packs encoded records into payloads no larger than a byte cap. A payload is
//   open + section_0 + section_1 + ... + close
// where a non-empty section is section.open + items joined by "," + section.close and empty
// sections are left out. An item is a record, or a run of consecutive records of one group
// (group.open + records joined by "," + group.close): OTLP puts all data points of one metric
// under one Metric. A group cut by a full payload is opened again in the next one. Sizes are
// computed exactly before appending, so the cap is a promise.
#pragma once
#include <cstddef>
#include <string>

#include "edgescope/record_array.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {

struct SectionFrame {
  std::string open;
  std::string close;
};

struct RecordGroup {
  std::size_t id = 0;  // records with the same id share one frame while they are consecutive
  std::string open;
  std::string close;
};

class PayloadPacker {
 public:
  PayloadPacker(Signal signal, std::string open, std::string close, RecordArray<SectionFrame> sections,
                const EncodeOptions& options);

  // The open string holds kBatchIdPlaceholder at `offset`: every payload records where its batch
  // id goes (Payload::batch_id_at).
  void carry_batch_id_at(std::size_t offset) { batch_id_at_ = offset; }
  // Whether `record_bytes` fits in an otherwise empty payload in `section` (inside `group`).
  bool fits_alone(std::size_t section, std::size_t record_bytes, const RecordGroup* group = nullptr) const;
  // Appends a record that fits_alone; starts a new payload first when the current one is full.
  void add(std::size_t section, const std::string& record, const RecordGroup* group = nullptr);
  RecordArray<Payload> finish();

 private:
  static constexpr std::size_t kNoGroup = static_cast<std::size_t>(-1);
  struct Section {
    std::string body;  // items so far, without the group close still pending
    std::size_t group = kNoGroup;
    std::string group_close;  // written when the group ends or the payload is sealed
  };
  // How much the payload grows if the record is appended now (its size if sealed is tracked
  // exactly, pending group closes included).
  std::size_t cost(std::size_t section, std::size_t record_bytes, const RecordGroup* group) const;
  void seal();

  Signal signal_;
  std::string open_;
  std::string close_;
  RecordArray<SectionFrame> frames_;
  EncodeOptions options_;
  RecordArray<Section> sections_;
  std::size_t size_ = 0;
  std::uint32_t records_ = 0;
  RecordArray<Payload> done_;
  std::size_t batch_id_at_ = kNoBatchIdField;
};

// Bounds used when a record is re-encoded compactly because it did not fit the payload cap.
constexpr std::size_t kCompactValueBytes = 256;
constexpr std::size_t kCompactMaxAttributes = 32;
// The attribute a compact record carries (true). A user attribute of that name is left out of a
// compact record (counted as dropped) so keys stay unique, as OTLP requires.
constexpr const char* kTruncatedKey = "edgescope.truncated";

// Encodes one record (encode(compact, out)) and packs it, following encode()'s policy for records
// too large for one payload; `signal` and `index` name the record in the drained batch for the
// ledger.
template <typename EncodeFn>
void pack_record(PayloadPacker& packer, std::size_t section, const RecordGroup* group, Signal signal,
                 std::size_t index, EncodeFn encode, std::string& buffer, OversizeLedger& ledger, Stats& stats) {
  buffer.clear();
  encode(false, buffer);
  if (!packer.fits_alone(section, buffer.size(), group)) {
    buffer.clear();
    encode(true, buffer);
    if (!packer.fits_alone(section, buffer.size(), group)) {
      ledger.count_dropped(signal, index, stats);
      return;
    }
    ledger.count_shrunk(signal, index, stats);
  }
  packer.add(section, buffer, group);
}

// pack_record for every record of a batch list, in order, ungrouped.
template <typename Record, typename EncodeFn>
void pack_all(PayloadPacker& packer, std::size_t section, Signal signal, const RecordArray<Record>& records,
              EncodeFn encode, OversizeLedger& ledger, Stats& stats) {
  std::string buffer;
  for (std::size_t i = 0; i < records.size(); ++i) {
    pack_record(
        packer, section, nullptr, signal, i,
        [&](bool compact, std::string& out) { encode(records[i], compact, out); }, buffer, ledger, stats);
  }
}

}  // namespace edgescope
