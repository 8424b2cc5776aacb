// Packs encoded records into payloads no larger than a byte cap. A payload is
//   open + section_0 + section_1 + ... + close
// where a non-empty section is section.open + records joined by "," + section.close and empty
// sections are left out. Sizes are computed exactly before appending, so the cap is a promise.
#pragma once
#include <string>
#include <vector>

#include "edgescope/wire.hpp"

namespace edgescope {

struct SectionFrame {
  std::string open;
  std::string close;
};

class PayloadPacker {
 public:
  PayloadPacker(Signal signal, std::string open, std::string close, std::vector<SectionFrame> sections,
                const EncodeOptions& options);

  // Whether `record_bytes` fits in an otherwise empty payload in `section`.
  bool fits_alone(std::size_t section, std::size_t record_bytes) const;
  // Appends a record that fits_alone; starts a new payload first when the current one is full.
  void add(std::size_t section, const std::string& record);
  std::vector<Payload> finish();

 private:
  std::size_t cost(std::size_t section, std::size_t record_bytes) const;
  void seal();

  Signal signal_;
  std::string open_;
  std::string close_;
  std::vector<SectionFrame> frames_;
  EncodeOptions options_;
  std::vector<std::string> bodies_;  // one per section, records joined by ","
  std::size_t size_ = 0;
  std::uint32_t records_ = 0;
  std::vector<Payload> done_;
};

}  // namespace edgescope

namespace edgescope {

// Bounds used when a record is re-encoded compactly because it did not fit the payload cap.
constexpr std::size_t kCompactValueBytes = 256;
constexpr std::size_t kCompactMaxAttributes = 32;

// Encodes each record (encode(record, compact, out)) and packs it; see encode() for the policy
// on records too large for one payload.
template <typename Record, typename EncodeFn>
void pack_all(PayloadPacker& packer, std::size_t section, const std::vector<Record>& records, EncodeFn encode,
              Stats& stats) {
  std::string buffer;
  for (const Record& record : records) {
    buffer.clear();
    encode(record, false, buffer);
    if (!packer.fits_alone(section, buffer.size())) {
      buffer.clear();
      encode(record, true, buffer);
      if (!packer.fits_alone(section, buffer.size())) {
        ++stats.records_dropped_oversize;
        continue;
      }
      ++stats.records_shrunk;
    }
    packer.add(section, buffer);
  }
}

}  // namespace edgescope
