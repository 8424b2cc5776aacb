// libFuzzer target for offline buffer entry headers (wasm/include/edgescope/buffer_entry.hpp):
// stored bytes come back from KV or a Durable Object after any number of deploys, so the decoder
// meets whatever is there. Invariants, not only "no crash":
//   - decoding arbitrary bytes never reads past them; a decoded header validates, its length is
//     within the input, and it re-encodes to exactly the bytes it came from;
//   - the decoder accepts exactly the headers validate_entry_header accepts: a header built from
//     fuzzer-chosen fields (in range or not) either validates, and decode(encode(h)) == h with the
//     body untouched after it, or does not, and its encoding is refused;
//   - batch id text parses only in its one canonical form: format(parse(t)) == t.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "edgescope/buffer_entry.hpp"

using namespace edgescope;

namespace {

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "fuzz_buffer_entry.cpp:%d: invariant violated: %s\n", line, what);
  __builtin_trap();
}
#define INVARIANT(...)                                    \
  do {                                                    \
    if (!(__VA_ARGS__)) violated(#__VA_ARGS__, __LINE__); \
  } while (0)

void check_decode(std::string_view bytes) {
  EntryHeader header;
  std::string why;
  const std::size_t len = decode_entry_header(bytes, header, why);
  if (len == 0) {
    INVARIANT(!why.empty());
    return;
  }
  INVARIANT(len <= bytes.size());
  INVARIANT(validate_entry_header(header, why));
  INVARIANT(encode_entry_header(header) == bytes.substr(0, len));
  EntryBatchId again;
  INVARIANT(parse_batch_id(format_batch_id(header.batch_id), again, why) && again == header.batch_id);
}

void check_batch_id_text(std::string_view text) {
  EntryBatchId id;
  std::string why;
  if (parse_batch_id(text, id, why)) INVARIANT(format_batch_id(id) == text);
}

// A header from fuzzer-chosen fields, biased towards valid ones so the round trip is exercised.
void check_round_trip(FuzzedDataProvider& in) {
  EntryHeader h;
  const bool valid_time = in.ConsumeBool();
  h.created = valid_time ? in.ConsumeFloatingPointInRange<double>(0, kMaxTimeValueMs) : in.ConsumeFloatingPoint<double>();
  h.format = static_cast<WireFormat>(in.ConsumeIntegralInRange<int>(0, 2));
  h.signal = static_cast<Signal>(in.ConsumeIntegralInRange<int>(0, 4));
  h.records = in.ConsumeIntegral<std::uint32_t>();
  h.batch_id.id.high = in.ConsumeIntegral<std::uint64_t>();
  h.batch_id.id.low = in.ConsumeIntegral<std::uint64_t>();
  h.batch_id.splits = in.ConsumeIntegralInRange<std::uint32_t>(0, 40);
  h.batch_id.path = in.ConsumeIntegral<std::uint32_t>();
  if (in.ConsumeBool() && h.batch_id.splits < 32) h.batch_id.path &= (1u << h.batch_id.splits) - 1;
  h.exporter = in.ConsumeRandomLengthString(300);
  h.body_bytes = in.ConsumeIntegral<std::uint32_t>();
  const std::string body = in.ConsumeRemainingBytesAsString();

  std::string why;
  const std::string encoded = encode_entry_header(h);
  const std::string entry = encoded + body;
  EntryHeader back;
  const std::size_t len = decode_entry_header(entry, back, why);
  if (validate_entry_header(h, why)) {
    INVARIANT(len == encoded.size());
    INVARIANT(back == h);
    INVARIANT(std::string_view(entry).substr(len) == body);
  } else {
    INVARIANT(len == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_decode(bytes);
  check_batch_id_text(bytes);
  FuzzedDataProvider in(data, size);
  check_round_trip(in);
  return 0;
}
