// Batch ids: one per payload, unique, 32 lowercase hex digits, carried by native JSON bodies as
// "batchId" inside the payload cap, and read through the ABI.
#include <doctest/doctest.h>

#include <cstring>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "edgescope.h"
#include "edgescope/telemetry.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

bool is_lower_hex(const std::string& text, std::size_t digits) {
  if (text.size() != digits) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Telemetry make(std::size_t cap) {
  TelemetryOptions o;
  o.service = "checkout";
  o.seed = {11, 22, 33, 44};
  o.encode.max_payload_bytes = cap;
  return Telemetry(o);
}

void record(Telemetry& t, int n) {
  const auto key = t.intern("k");
  for (int i = 0; i < n; ++i) {
    const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, 1000 + i);
    t.stage_string(key, std::string(static_cast<std::size_t>(i % 97), 'v'));
    t.apply_staged_to_span(span);
    t.log(LogLevel::Info, "line " + std::to_string(i), span, 1000 + i);
    t.end_span(span, 1010 + i);
  }
}

struct PairHash {
  std::size_t operator()(const std::pair<std::uint64_t, std::uint64_t>& p) const {
    return std::hash<std::uint64_t>()(p.first * 0x9E3779B97F4A7C15ULL ^ p.second);
  }
};

}  // namespace

TEST_CASE("one generator makes 1,000,000 distinct batch ids, each 32 lowercase hex digits") {
  IdGenerator ids({5, 6, 7, 8});
  std::unordered_set<std::pair<std::uint64_t, std::uint64_t>, PairHash> seen;
  seen.reserve(1'000'000);
  for (int i = 0; i < 1'000'000; ++i) {
    const BatchId id = ids.next_batch_id();
    REQUIRE(seen.insert({id.high, id.low}).second);
  }
  CHECK(seen.size() == 1'000'000);
  const BatchId sample = ids.next_batch_id();
  CHECK(is_lower_hex(to_hex(sample), 32));
  CHECK(to_hex(BatchId{0x00000000000000ffULL, 0xa0ULL}) == "00000000000000ff00000000000000a0");
}

TEST_CASE("every native payload carries its own batch id as a top-level field, inside the payload cap") {
  const std::size_t cap = 2048;
  Telemetry t = make(cap);
  record(t, 300);
  t.drain(5000);
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() > 10);
  std::set<std::string> distinct;
  std::size_t largest = 0;
  for (const Payload& p : payloads) {
    CHECK(p.body.size() <= cap);
    largest = std::max(largest, p.body.size());
    const json doc = json::parse(p.body, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    REQUIRE(doc.contains("batchId"));
    const std::string id = doc["batchId"];
    CHECK(is_lower_hex(id, 32));
    CHECK(id == to_hex(p.batch_id));
    CHECK(id != kBatchIdPlaceholder);
    distinct.insert(id);
  }
  CHECK(distinct.size() == payloads.size());
  CHECK(largest > cap - 200);  // payloads are filled up to the cap, the id counted in it
}

TEST_CASE("the batch id is counted by the packer: a payload filled to the byte keeps it within the cap") {
  // Find a cap at which some payload is exactly full: the id's bytes were part of the arithmetic.
  bool exact = false;
  for (std::size_t cap = 1024; cap < 1400 && !exact; ++cap) {
    Telemetry t = make(cap);
    record(t, 40);
    t.drain(5000);
    for (const Payload& p : t.encode_drained(WireFormat::NativeJson)) {
      REQUIRE(p.body.size() <= cap);
      REQUIRE(p.body.find("\"batchId\":\"" + to_hex(p.batch_id) + "\"") != std::string::npos);
      exact = exact || p.body.size() == cap;
    }
  }
  CHECK(exact);
}

TEST_CASE("OTLP payloads get batch ids too, and their bodies stay pure OTLP") {
  Telemetry t = make(65536);
  record(t, 3);
  t.drain(5000);
  const RecordArray<Payload> native = t.encode_drained(WireFormat::NativeJson);
  const RecordArray<Payload> otlp = t.encode_drained(WireFormat::OtlpJson);
  REQUIRE(otlp.size() == 2);  // traces and logs
  std::set<std::string> ids;
  for (const Payload& p : otlp) {
    CHECK(p.body.find("batchId") == std::string::npos);
    CHECK(p.batch_id_at == kNoBatchIdField);
    CHECK_FALSE(p.batch_id == BatchId{});
    ids.insert(to_hex(p.batch_id));
  }
  for (const Payload& p : native) ids.insert(to_hex(p.batch_id));
  CHECK(ids.size() == native.size() + otlp.size());  // encoding the batch again makes new ids
}

TEST_CASE("es_payload_batch_id writes the payload's batch id to the output buffer") {
  std::memcpy(es_scratch(3), "api", 3);
  const int32_t h = es_create(3, 1.0, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  const int32_t span = es_span_start(h, 0, es_intern(h, (std::memcpy(es_scratch(2), "op", 2), 2)), 1, 1);
  es_span_end(h, span, 2);
  es_drain(h, 3);
  REQUIRE(es_encode(h, 0) == 1);
  REQUIRE(es_payload_batch_id(h, 0) == 32);
  const std::string id(es_output_ptr(), es_output_len());
  CHECK(is_lower_hex(id, 32));
  const std::string body(reinterpret_cast<const char*>(es_payload_ptr(h, 0)), es_payload_len(h, 0));
  CHECK(json::parse(body)["batchId"] == id);
  CHECK(es_payload_batch_id(h, 1) == ES_ERR_ARGUMENT);
  CHECK(std::string(es_error_ptr(), es_error_len()) == "no payload at that index");
  REQUIRE(es_encode(h, 0) == 1);
  es_payload_batch_id(h, 0);
  CHECK(std::string(es_output_ptr(), es_output_len()) != id);
  es_destroy(h);
}
