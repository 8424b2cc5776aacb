#include "edgescope/buffer_entry.hpp"

#include <cstring>

#include "edgescope/utf8.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope {
namespace {

void put_u16(std::string& out, std::uint32_t v) {
  for (int shift = 0; shift < 16; shift += 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void put_u64_le(std::string& out, std::uint64_t v) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void put_u64_be(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}
std::uint64_t get_u64_be(std::string_view bytes, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

bool field_error(std::string& why, const char* field, const std::string& problem) {
  why = std::string("buffer entry field '") + field + "' " + problem;
  return false;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool EntryHeader::operator==(const EntryHeader& other) const {
  // Bitwise for `created`: the header round-trips the double exactly (and validated ones are never NaN).
  return std::memcmp(&created, &other.created, sizeof created) == 0 && format == other.format &&
         signal == other.signal && records == other.records && batch_id == other.batch_id &&
         exporter == other.exporter && body_bytes == other.body_bytes;
}

bool validate_entry_header(const EntryHeader& h, std::string& why) {
  if (!(h.created >= 0 && h.created <= kMaxTimeValueMs)) {
    return field_error(why, "created", "out of range: must be a time from 0 to 8.64e15 ms");
  }
  const auto format = static_cast<std::int32_t>(h.format);
  if (format < 0 || format > 2) {
    return field_error(why, "format", "out of range: " + edgescope::decimal(format) + " (0 native, 1 otlp-json, 2 otlp-proto)");
  }
  const auto signal = static_cast<std::int32_t>(h.signal);
  if (signal < 0 || signal > 3) {
    return field_error(why, "signal", "out of range: " + edgescope::decimal(signal) + " (0 mixed, 1 traces, 2 metrics, 3 logs)");
  }
  // Native JSON mixes signals in one payload; OTLP has one payload (and endpoint) per signal.
  if ((h.format == WireFormat::NativeJson) != (h.signal == Signal::Mixed)) {
    return field_error(why, "signal", h.format == WireFormat::NativeJson ? "must be mixed for a native payload"
                                                                          : "must be traces, metrics or logs for an OTLP payload");
  }
  if (h.records == 0) return field_error(why, "records", "out of range: 0 (at least 1)");
  if (h.batch_id.id.high == 0 && h.batch_id.id.low == 0) {
    return field_error(why, "batchId", "is all zeros (the core never makes that id)");
  }
  if (h.batch_id.splits > kMaxBatchSplits) {
    return field_error(why, "splits", "out of range: " + edgescope::decimal(h.batch_id.splits) + " (at most 32)");
  }
  if (h.batch_id.splits < 32 && (h.batch_id.path >> h.batch_id.splits) != 0) {
    return field_error(why, "split path", "has bits past its " + edgescope::decimal(h.batch_id.splits) + " splits");
  }
  if (h.exporter.size() > kMaxExporterIdBytes) {
    return field_error(why, "exporter", "out of range: " + edgescope::decimal(h.exporter.size()) + " bytes (at most 256)");
  }
  if (!is_valid_utf8(h.exporter)) return field_error(why, "exporter", "is not valid UTF-8");
  return true;
}

std::string encode_entry_header(const EntryHeader& h) {
  std::string out;
  out.reserve(kEntryFixedBytes + h.exporter.size());
  out.append(kEntryMagic, 3);
  out.push_back(static_cast<char>(kEntryVersion));
  std::uint64_t created_bits;
  std::memcpy(&created_bits, &h.created, sizeof created_bits);
  put_u64_le(out, created_bits);
  out.push_back(static_cast<char>(h.format));
  out.push_back(static_cast<char>(h.signal));
  put_u32(out, h.records);
  put_u64_be(out, h.batch_id.id.high);
  put_u64_be(out, h.batch_id.id.low);
  out.push_back(static_cast<char>(h.batch_id.splits));
  put_u32(out, h.batch_id.path);
  put_u16(out, static_cast<std::uint32_t>(h.exporter.size()));
  out.append(h.exporter);
  put_u32(out, h.body_bytes);
  return out;
}

std::size_t decode_entry_header(std::string_view bytes, EntryHeader& out, std::string& why) {
  const std::size_t present = bytes.size();
  const auto truncated = [&](std::size_t needed) {
    why = "buffer entry truncated: header needs " + edgescope::decimal(needed) + " bytes, " + edgescope::decimal(present) +
          " present";
    return std::size_t{0};
  };
  if (present == 0) return truncated(kEntryFixedBytes);
  // A short entry whose bytes so far match the magic is cut; anything else is not ours.
  if (std::memcmp(bytes.data(), kEntryMagic, present < 3 ? present : 3) != 0) {
    why = "not an edgescope buffer entry (bad magic)";
    return 0;
  }
  if (present < 4) return truncated(kEntryFixedBytes);
  const auto version = static_cast<unsigned char>(bytes[3]);
  if (version != kEntryVersion) {
    why = "buffer entry version " + edgescope::decimal(version) + " is not supported (this build reads " +
          edgescope::decimal(kEntryVersion) + ")";
    return 0;
  }
  if (present < kEntryFixedBytes) return truncated(kEntryFixedBytes);
  const std::size_t exporter_bytes = static_cast<std::size_t>(get_le(bytes, 39, 2));
  if (exporter_bytes > kMaxExporterIdBytes) {
    field_error(why, "exporter", "out of range: " + edgescope::decimal(exporter_bytes) + " bytes (at most 256)");
    return 0;
  }
  const std::size_t header_bytes = kEntryFixedBytes + exporter_bytes;
  if (present < header_bytes) return truncated(header_bytes);

  EntryHeader h;
  const std::uint64_t created_bits = get_le(bytes, 4, 8);
  std::memcpy(&h.created, &created_bits, sizeof h.created);
  const auto format = static_cast<unsigned char>(bytes[12]);
  const auto signal = static_cast<unsigned char>(bytes[13]);
  // Range-check the raw bytes before they become enum values.
  if (format > 2) {
    field_error(why, "format", "out of range: " + edgescope::decimal(format) + " (0 native, 1 otlp-json, 2 otlp-proto)");
    return 0;
  }
  if (signal > 3) {
    field_error(why, "signal", "out of range: " + edgescope::decimal(signal) + " (0 mixed, 1 traces, 2 metrics, 3 logs)");
    return 0;
  }
  h.format = static_cast<WireFormat>(format);
  h.signal = static_cast<Signal>(signal);
  h.records = static_cast<std::uint32_t>(get_le(bytes, 14, 4));
  h.batch_id.id.high = get_u64_be(bytes, 18);
  h.batch_id.id.low = get_u64_be(bytes, 26);
  h.batch_id.splits = static_cast<unsigned char>(bytes[34]);
  h.batch_id.path = static_cast<std::uint32_t>(get_le(bytes, 35, 4));
  h.exporter.assign(bytes.substr(41, exporter_bytes));
  h.body_bytes = static_cast<std::uint32_t>(get_le(bytes, 41 + exporter_bytes, 4));
  if (!validate_entry_header(h, why)) return 0;
  out = std::move(h);
  return header_bytes;
}

bool parse_batch_id(std::string_view text, EntryBatchId& out, std::string& why) {
  const auto refuse = [&]() {
    why = "buffer entry field 'batchId' must be 32 lowercase hex digits, then '-0' or '-1' per split (at most 32)";
    return false;
  };
  if (text.size() < kBatchIdHexDigits || (text.size() - kBatchIdHexDigits) % 2 != 0) return refuse();
  EntryBatchId id;
  for (std::size_t i = 0; i < kBatchIdHexDigits; ++i) {
    const int digit = hex_digit(text[i]);
    if (digit < 0) return refuse();
    std::uint64_t& word = i < 16 ? id.id.high : id.id.low;
    word = (word << 4) | static_cast<std::uint64_t>(digit);
  }
  const std::size_t splits = (text.size() - kBatchIdHexDigits) / 2;
  if (splits > kMaxBatchSplits) return refuse();
  for (std::size_t i = 0; i < splits; ++i) {
    const char dash = text[kBatchIdHexDigits + 2 * i];
    const char half = text[kBatchIdHexDigits + 2 * i + 1];
    if (dash != '-' || (half != '0' && half != '1')) return refuse();
    if (half == '1') id.path |= std::uint32_t{1} << i;
  }
  id.splits = static_cast<std::uint32_t>(splits);
  out = id;
  return true;
}

std::string format_batch_id(const EntryBatchId& id) {
  std::string out = to_hex(id.id);
  for (std::uint32_t i = 0; i < id.splits && i < kMaxBatchSplits; ++i) {
    out.push_back('-');
    out.push_back(((id.path >> i) & 1u) != 0 ? '1' : '0');
  }
  return out;
}

}  // namespace edgescope
