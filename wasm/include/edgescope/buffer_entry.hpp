// An offline buffer entry: one payload waiting for its collector, as a store keeps it (a KV value,
// a Durable Object row, a memory slot). The header is versioned binary so that an entry written
// by one build is read, or refused with a reason, by a later one (a Worker deploy does not empty
// KV). Only the header crosses into the core; the body stays in JavaScript.
//
//   offset   bytes  field
//   0        3      magic "ESB"
//   3        1      version (1)
//   4        8      created: ms since the epoch (f64 little-endian)
//   12       1      format (WireFormat)
//   13       1      signal (Signal): mixed for native, traces/metrics/logs for OTLP
//   14       4      records (u32 LE, at least 1)
//   18       16     batch id: 128 bits, most significant byte first (the order of its hex digits)
//   34       1      splits: how many times the payload was halved after a 413 (0..32)
//   35       4      split path (u32 LE): bit i = the half taken at split i; bits >= splits are 0
//   39       2      exporter id length n (u16 LE, at most 256)
//   41       n      exporter id (UTF-8)
//   41 + n   4      body length (u32 LE)
//   45 + n          body
//
// A split payload's batch id is written as text "<32 hex digits>-0-1..." (one "-0"/"-1" per
// split, helper-design section 2), which the splits/path fields hold exactly. A payload of n
// records is halved at most ceil(log2 n) <= 32 times.
//
// Every field has one encoding (the decoder refuses anything else), so a decoded header
// re-encodes to the same bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgescope/ids.hpp"
#include "edgescope/wire.hpp"

namespace edgescope {

constexpr char kEntryMagic[] = "ESB";
constexpr std::uint8_t kEntryVersion = 1;
constexpr std::size_t kMaxExporterIdBytes = 256;
constexpr std::uint32_t kMaxBatchSplits = 32;
constexpr std::size_t kEntryFixedBytes = 45;  // the header without its exporter id
constexpr std::size_t kMaxEntryHeaderBytes = kEntryFixedBytes + kMaxExporterIdBytes;
// ECMA-262 "Time Values and Time Range": a Date holds at most 8.64e15 ms either side of the epoch.
constexpr double kMaxTimeValueMs = 8.64e15;

struct EntryBatchId {
  BatchId id;
  std::uint32_t splits = 0;
  std::uint32_t path = 0;  // bit i: 0 for the first half at split i, 1 for the second
  bool operator==(const EntryBatchId& other) const {
    return id == other.id && splits == other.splits && path == other.path;
  }
};

struct EntryHeader {
  double created = 0;
  WireFormat format = WireFormat::NativeJson;
  Signal signal = Signal::Mixed;
  std::uint32_t records = 0;
  EntryBatchId batch_id;
  std::string exporter;
  std::uint32_t body_bytes = 0;
  bool operator==(const EntryHeader& other) const;
};

// False with `why` naming the field unless every field is in range (the decoder's rules).
bool validate_entry_header(const EntryHeader& header, std::string& why);
// The header's bytes; `header` must validate.
std::string encode_entry_header(const EntryHeader& header);
// Decodes the header at the start of `bytes` (which may continue with the body). Returns the
// header's length (where the body starts), or 0 with `why` saying what is wrong: bad magic, an
// unknown version, too few bytes, a field out of range.
std::size_t decode_entry_header(std::string_view bytes, EntryHeader& out, std::string& why);

// "<32 lowercase hex digits>" then "-0" or "-1" per split. False with `why` otherwise.
bool parse_batch_id(std::string_view text, EntryBatchId& out, std::string& why);
std::string format_batch_id(const EntryBatchId& id);

}  // namespace edgescope
