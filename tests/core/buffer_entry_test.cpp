// The offline buffer entry header (buffer_entry.hpp): its exact layout, the round trip, and a
// refusal naming the problem for every way stored bytes can be wrong.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "edgescope.h"
#include "edgescope/buffer_entry.hpp"

using namespace edgescope;

namespace {

EntryHeader sample() {
  EntryHeader h;
  h.created = 1700000000123.5;
  h.format = WireFormat::OtlpJson;
  h.signal = Signal::Logs;
  h.records = 42;
  h.batch_id.id = BatchId{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  h.exporter = "http:collector-\xc3\xa9";  // UTF-8
  h.body_bytes = 1000;
  return h;
}

std::string decode_error(const std::string& bytes) {
  EntryHeader out;
  std::string why;
  CHECK(decode_entry_header(bytes, out, why) == 0);
  return why;
}

// The header with byte `at` replaced (a stored entry corrupted in one place).
std::string with_byte(std::string bytes, std::size_t at, unsigned char value) {
  bytes[at] = static_cast<char>(value);
  return bytes;
}

std::string error() { return std::string(es_error_ptr(), es_error_len()); }

uint32_t put(const std::string& text) {
  std::memcpy(es_scratch(static_cast<uint32_t>(text.size())), text.data(), text.size());
  return static_cast<uint32_t>(text.size());
}

}  // namespace

TEST_CASE("an entry header has the documented layout and decodes back to what was encoded") {
  const EntryHeader h = sample();
  std::string why;
  REQUIRE(validate_entry_header(h, why));
  const std::string bytes = encode_entry_header(h);
  CHECK(bytes.size() == kEntryFixedBytes + h.exporter.size());
  CHECK(bytes.substr(0, 4) == std::string("ESB\x01", 4));
  CHECK(static_cast<unsigned char>(bytes[12]) == 1);  // otlp-json
  CHECK(static_cast<unsigned char>(bytes[13]) == 3);  // logs
  CHECK(bytes.substr(18, 16) == std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10", 16));
  CHECK(bytes.substr(bytes.size() - 4) == std::string("\xe8\x03\x00\x00", 4));  // 1000, little-endian
  EntryHeader back;
  CHECK(decode_entry_header(bytes + "the body follows", back, why) == bytes.size());
  CHECK(back == h);
  CHECK(back.created == 1700000000123.5);
}

TEST_CASE("split batch ids survive the round trip") {
  EntryBatchId id;
  std::string why;
  REQUIRE(parse_batch_id("0123456789abcdeffedcba9876543210-0-1-1", id, why));
  CHECK(id.splits == 3);
  CHECK(id.path == 0b110);
  CHECK(format_batch_id(id) == "0123456789abcdeffedcba9876543210-0-1-1");
  EntryHeader h = sample();
  h.batch_id = id;
  EntryHeader back;
  CHECK(decode_entry_header(encode_entry_header(h), back, why) > 0);
  CHECK(format_batch_id(back.batch_id) == "0123456789abcdeffedcba9876543210-0-1-1");
  std::string deepest = "0123456789abcdeffedcba9876543210";
  for (int i = 0; i < 32; ++i) deepest += "-1";
  REQUIRE(parse_batch_id(deepest, id, why));
  CHECK(id.path == 0xFFFFFFFFu);
  CHECK(format_batch_id(id) == deepest);
}

TEST_CASE("malformed batch id text is refused") {
  EntryBatchId id;
  std::string why;
  const std::string hex = "0123456789abcdeffedcba9876543210";
  const std::string bad_ids[] = {"", hex.substr(1), hex + "0", "0123456789ABCDEFFEDCBA9876543210", hex + "-2",
                                 hex + "-", hex + "--", hex + "+1", "0123456789abcdeffedcba987654321g"};
  for (const std::string& bad : bad_ids) {
    CAPTURE(bad);
    CHECK_FALSE(parse_batch_id(bad, id, why));
    CHECK(why.find("'batchId' must be 32 lowercase hex digits") != std::string::npos);
  }
  std::string too_deep = hex;
  for (int i = 0; i < 33; ++i) too_deep += "-0";
  CHECK_FALSE(parse_batch_id(too_deep, id, why));
}

TEST_CASE("decoding refuses bad magic, unknown versions and truncation, naming them") {
  const std::string bytes = encode_entry_header(sample());
  CHECK(decode_error("{\"service\":\"x\"}") == "not an edgescope buffer entry (bad magic)");
  CHECK(decode_error("EX") == "not an edgescope buffer entry (bad magic)");
  CHECK(decode_error(with_byte(bytes, 3, 7)) == "buffer entry version 7 is not supported (this build reads 1)");
  CHECK(decode_error("") == "buffer entry truncated: header needs 45 bytes, 0 present");
  CHECK(decode_error("ES") == "buffer entry truncated: header needs 45 bytes, 2 present");
  CHECK(decode_error(bytes.substr(0, 30)) == "buffer entry truncated: header needs 45 bytes, 30 present");
  // Past the fixed part the exporter id's length says how long the header is.
  CHECK(decode_error(bytes.substr(0, bytes.size() - 1)) ==
        "buffer entry truncated: header needs " + std::to_string(bytes.size()) + " bytes, " +
            std::to_string(bytes.size() - 1) + " present");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EntryHeader out;
    std::string why;
    CHECK(decode_entry_header(bytes.substr(0, n), out, why) == 0);
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("an OTLP protobuf payload is kept like an OTLP JSON one: one signal, never mixed") {
  EntryHeader h = sample();
  h.format = WireFormat::OtlpProto;
  const std::string bytes = encode_entry_header(h);
  CHECK(static_cast<unsigned char>(bytes[12]) == 2);
  EntryHeader back;
  std::string why;
  REQUIRE(decode_entry_header(bytes, back, why) == bytes.size());
  CHECK(back == h);
  CHECK(decode_error(with_byte(bytes, 13, 0)) == "buffer entry field 'signal' must be traces, metrics or logs for an OTLP payload");
  h.signal = Signal::Mixed;
  CHECK_FALSE(validate_entry_header(h, why));
  CHECK(why == "buffer entry field 'signal' must be traces, metrics or logs for an OTLP payload");
}

TEST_CASE("decoding refuses every field out of range, naming the field") {
  const std::string bytes = encode_entry_header(sample());
  CHECK(decode_error(with_byte(bytes, 12, 3)) ==
        "buffer entry field 'format' out of range: 3 (0 native, 1 otlp-json, 2 otlp-proto)");
  CHECK(decode_error(with_byte(bytes, 13, 4)).find("'signal' out of range: 4") != std::string::npos);
  CHECK(decode_error(with_byte(bytes, 13, 0)) == "buffer entry field 'signal' must be traces, metrics or logs for an OTLP payload");
  CHECK(decode_error(with_byte(bytes, 12, 0)) == "buffer entry field 'signal' must be mixed for a native payload");
  std::string zero_records = bytes;
  for (std::size_t i = 14; i < 18; ++i) zero_records[i] = 0;
  CHECK(decode_error(zero_records) == "buffer entry field 'records' out of range: 0 (at least 1)");
  CHECK(decode_error(with_byte(bytes, 34, 33)) == "buffer entry field 'splits' out of range: 33 (at most 32)");
  CHECK(decode_error(with_byte(bytes, 35, 1)) == "buffer entry field 'split path' has bits past its 0 splits");
  std::string zero_id = bytes;
  for (std::size_t i = 18; i < 34; ++i) zero_id[i] = 0;
  CHECK(decode_error(zero_id).find("'batchId' is all zeros") != std::string::npos);
  CHECK(decode_error(with_byte(bytes, 40, 1)).find("'exporter' out of range: 273 bytes (at most 256)") != std::string::npos);
  CHECK(decode_error(with_byte(bytes, 41, 0xff)) == "buffer entry field 'exporter' is not valid UTF-8");
  for (const double created : {-1.0, 8.64e15 + 1, std::nan(""), HUGE_VAL}) {
    EntryHeader h = sample();
    h.created = created;
    std::string why;
    CHECK_FALSE(validate_entry_header(h, why));
    CHECK(why == "buffer entry field 'created' out of range: must be a time from 0 to 8.64e15 ms");
    std::string raw = bytes;
    std::memcpy(&raw[4], &created, 8);  // the test host is little-endian, like wasm
    CHECK(decode_error(raw) == why);
  }
}

TEST_CASE("the entry ABI encodes a header from fields and decodes one into the output layout") {
  const std::string batch = "0123456789abcdeffedcba9876543210-1";
  const std::string exporter = "otlp";
  put(batch + exporter);
  const int32_t len = es_entry_encode(1700000000000, 0, 0, 7, 123, static_cast<uint32_t>(batch.size()),
                                      static_cast<uint32_t>(exporter.size()));
  REQUIRE(len == static_cast<int32_t>(kEntryFixedBytes + exporter.size()));
  const std::string header(es_output_ptr(), es_output_len());
  put(header);
  REQUIRE(es_entry_decode(static_cast<uint32_t>(header.size())) == len);
  const std::string out(es_output_ptr(), es_output_len());
  double created;
  std::memcpy(&created, out.data(), 8);
  CHECK(created == 1700000000000);
  CHECK(out.substr(8, 4) == std::string("\x07\x00\x00\x00", 4));
  CHECK(out.substr(12, 4) == std::string("\x7b\x00\x00\x00", 4));
  CHECK(out[16] == 0);
  CHECK(out[17] == 0);
  CHECK(static_cast<unsigned char>(out[18]) == batch.size());
  CHECK(out.substr(19, 2) == std::string("\x04\x00", 2));
  CHECK(out.substr(21) == batch + exporter);

  put(batch + exporter);
  CHECK(es_entry_encode(1, 0, 1, 7, 0, static_cast<uint32_t>(batch.size()), 4) == ES_ERR_ARGUMENT);
  CHECK(error() == "buffer entry field 'signal' must be mixed for a native payload");
  CHECK(es_entry_encode(1, 5, 0, 7, 0, static_cast<uint32_t>(batch.size()), 4) == ES_ERR_ARGUMENT);
  CHECK(error().find("'format' out of range: 5") != std::string::npos);
  CHECK(es_entry_encode(1, 0, 0, 4294967296.0, 0, static_cast<uint32_t>(batch.size()), 4) == ES_ERR_ARGUMENT);
  CHECK(error().find("'records' out of range") != std::string::npos);
  CHECK(es_entry_encode(1, 0, 0, 1, -1, static_cast<uint32_t>(batch.size()), 4) == ES_ERR_ARGUMENT);
  CHECK(error().find("'body length' out of range") != std::string::npos);
  CHECK(es_entry_encode(1, 0, 0, 1, 0, 5, 4) == ES_ERR_ARGUMENT);
  CHECK(error().find("'batchId'") != std::string::npos);
  CHECK(es_entry_encode(1, 0, 0, 1, 0, 0xFFFFFFFFu, 4) == ES_ERR_ARGUMENT);
  put("nope");
  CHECK(es_entry_decode(4) == ES_ERR_ARGUMENT);
  CHECK(error() == "not an edgescope buffer entry (bad magic)");
  CHECK(es_entry_decode(0xFFFFFFFFu) == ES_ERR_ARGUMENT);
}
