// Offline buffer entry headers over the C ABI (bindings/edgescope.h, "buffer entry headers").
// Stateless: js/core/buffer-core.js frames and unframes the bodies around these headers.
#include <cstring>
#include <string>
#include <string_view>

#include "abi_state.hpp"
#include "edgescope.h"
#include "edgescope/buffer_entry.hpp"
#include "edgescope/buffer_policy.hpp"

using namespace edgescope;

namespace {

// A count that must fit the header's u32 field.
bool to_u32(double value, const char* what, std::uint32_t& out, std::string& why) {
  std::uint64_t wide = 0;
  if (!to_count(value, what, wide, why) || wide > 0xFFFFFFFFu) {
    why = std::string("buffer entry field '") + what + "' out of range: must be an integer from 0 to 2^32 - 1";
    return false;
  }
  out = static_cast<std::uint32_t>(wide);
  return true;
}

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

extern "C" {

int32_t es_entry_encode(double created, int32_t format, int32_t signal, double records, double body_bytes,
                        uint32_t batch_id_len, uint32_t exporter_len) {
  const GrowArray<std::uint8_t>& scratch = abi::scratch_bytes();
  if (static_cast<std::uint64_t>(batch_id_len) + exporter_len > scratch.size()) {
    return abi::fail(ES_ERR_ARGUMENT, "batch id and exporter id lengths exceed the scratch buffer");
  }
  if (format < 0 || format > 2) {
    return abi::fail_num(ES_ERR_ARGUMENT, "buffer entry field 'format' out of range: ", format, " (0 native, 1 otlp-json, 2 otlp-proto)");
  }
  if (signal < 0 || signal > 3) {
    return abi::fail_num(ES_ERR_ARGUMENT, "buffer entry field 'signal' out of range: ", signal,
                                              " (0 mixed, 1 traces, 2 metrics, 3 logs)");
  }
  std::string why;
  EntryHeader header;
  header.created = created;
  header.format = static_cast<WireFormat>(format);
  header.signal = static_cast<Signal>(signal);
  if (!to_u32(records, "records", header.records, why) || !to_u32(body_bytes, "body length", header.body_bytes, why)) {
    return abi::fail(ES_ERR_ARGUMENT, why);
  }
  const auto* text = reinterpret_cast<const char*>(scratch.data());
  if (!parse_batch_id(std::string_view(text, batch_id_len), header.batch_id, why)) return abi::fail(ES_ERR_ARGUMENT, why);
  header.exporter.assign(text + batch_id_len, exporter_len);
  if (!validate_entry_header(header, why)) return abi::fail(ES_ERR_ARGUMENT, why);
  abi::output() = encode_entry_header(header);
  return static_cast<int32_t>(abi::output().size());
}

int32_t es_entry_decode(uint32_t len) {
  const GrowArray<std::uint8_t>& scratch = abi::scratch_bytes();
  if (len > scratch.size()) return abi::fail(ES_ERR_ARGUMENT, "entry length exceeds the scratch buffer");
  std::string why;
  EntryHeader header;
  const std::size_t header_bytes =
      decode_entry_header(std::string_view(reinterpret_cast<const char*>(scratch.data()), len), header, why);
  if (header_bytes == 0) return abi::fail(ES_ERR_ARGUMENT, why);
  const std::string batch_id = format_batch_id(header.batch_id);
  std::string& out = abi::output();
  out.clear();
  std::uint64_t created_bits;
  static_assert(sizeof created_bits == sizeof header.created, "f64");
  std::memcpy(&created_bits, &header.created, sizeof created_bits);
  put_le(out, created_bits, 8);
  put_le(out, header.records, 4);
  put_le(out, header.body_bytes, 4);
  out.push_back(static_cast<char>(header.format));
  out.push_back(static_cast<char>(header.signal));
  put_le(out, batch_id.size(), 1);
  put_le(out, header.exporter.size(), 2);
  out.append(batch_id);
  out.append(header.exporter);
  return static_cast<int32_t>(header_bytes);
}

}  // extern "C"
