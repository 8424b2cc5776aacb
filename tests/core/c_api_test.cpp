// The C ABI exactly as the shim drives it: scratch in, status codes and output buffers out.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "edgescope.h"
#include "edgescope/limits.hpp"
#include "fixtures.hpp"

namespace {

uint32_t put(const std::string& text) {
  std::memcpy(es_scratch(static_cast<uint32_t>(text.size())), text.data(), text.size());
  return static_cast<uint32_t>(text.size());
}

int32_t create(double ratio = 1.0) { return es_create(put("api"), ratio, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8); }

std::string error() { return std::string(es_error_ptr(), es_error_len()); }

}  // namespace

TEST_CASE("bad arguments are refused with a message naming them") {
  CHECK(es_create(put("x"), 2.0, 65536, 0, 0, 0, 0, 0, 0, 0, 0, 0) == ES_ERR_ARGUMENT);
  CHECK(error().find("sample ratio") != std::string::npos);
  CHECK(es_create(put("x"), 1.0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0) == ES_ERR_ARGUMENT);
  CHECK(error().find("payload") != std::string::npos);
  CHECK(es_create(0, 1.0, 65536, 0, 0, 0, 0, 0, 0, 0, 0, 0) == ES_ERR_ARGUMENT);
  CHECK(es_intern(9999, 0) == ES_ERR_HANDLE);
  const int32_t h = create();
  CHECK(es_span_start(h, 0, 12345, 1, 0) == ES_ERR_ARGUMENT);
  CHECK(error().find("name id") != std::string::npos);
  CHECK(es_span_start(h, 0, es_intern(h, put("n")), 9, 0) == ES_ERR_ARGUMENT);
  CHECK(es_stage_int(h, 0, 1.5) == ES_ERR_ARGUMENT);
  CHECK(es_log(h, 3, 0, 0, put("m")) == ES_ERR_ARGUMENT);
  CHECK(es_encode(h, 7) == ES_ERR_ARGUMENT);
  CHECK(es_scratch(2u << 20) == nullptr);
  CHECK(es_series(h, 0, es_intern(h, put("c")), 777, 0) == ES_ERR_ARGUMENT);
  CHECK(error().find("unit") != std::string::npos);
  const int32_t counter = es_series(h, 0, es_intern(h, put("c")), 0, 0);
  CHECK(counter > 0);
  CHECK(es_series(h, 2, es_intern(h, put("c")), 0, 0) == ES_ERR_TYPE_CONFLICT);
  CHECK(error().find("'c'") != std::string::npos);
  CHECK(es_stat(h, 18) == 1);  // metric_type_conflicts
  CHECK(es_record(h, counter, -1, 0) == ES_ERR_REJECTED);
  CHECK(es_stat(h, 4) == 1);  // metric_values_rejected
  CHECK(es_count(h, 4, 1) == ES_ERR_ARGUMENT);  // the core's own counters are not the host's to add to
  CHECK(es_count(h, 20, 2) == ES_OK);           // values_unconvertible
  CHECK(es_stat(h, 20) == 2);
  CHECK(es_stat(h, edgescope::kStatCount) == -1);
  CHECK(es_limit(h, 3) == 1024);  // max_name_bytes
  CHECK(es_limit(h, 17) == -1);
  CHECK(es_evicted(h, 2) == ES_ERR_ARGUMENT);
  es_destroy(h);
}

TEST_CASE("empty names are refused at intern, and so is whatever they would name") {
  const int32_t h = create();
  CHECK(es_intern(h, put("")) == ES_ERR_ARGUMENT);
  CHECK(error().find("empty") != std::string::npos);
  CHECK(es_stat(h, 16) == 1);  // names_refused_empty
  CHECK(es_span_start(h, 0, ES_ERR_ARGUMENT, 1, 0) == 0);
  CHECK(es_series(h, 0, ES_ERR_ARGUMENT, 0, 0) == 0);
  CHECK(es_stat(h, 17) == 2);  // records_dropped_unnamed: the span and the metric series
  const int32_t span = es_span_start(h, 0, es_intern(h, put("op")), 1, 0);
  CHECK(es_stage_string(h, ES_ERR_ARGUMENT, put("value")) == ES_OK);
  CHECK(es_span_attributes(h, span) == ES_OK);
  CHECK(es_stat(h, 5) == 1);  // attributes_dropped
  CHECK(es_span_end(h, span, 1) == ES_OK);
  CHECK(es_drain(h, 2) == 1);
  CHECK(es_encode(h, 0) == 1);
  const std::string body(reinterpret_cast<const char*>(es_payload_ptr(h, 0)), es_payload_len(h, 0));
  CHECK(body.find("\"\":") == std::string::npos);  // no attribute with an empty key
  CHECK(body.find("\"operationName\":\"\"") == std::string::npos);
  es_destroy(h);
}

TEST_CASE("evicted name and series ids are reported and refused afterwards") {
  const int32_t h = create();
  const int32_t name = es_intern(h, put("idle.name"));
  const int32_t series = es_series(h, 0, es_intern(h, put("idle.metric")), 0, 0);
  CHECK(es_drain(h, 10) == 0);  // used in this window: kept
  CHECK(es_evicted(h, 0) == 0);
  CHECK(es_drain(h, 20) == 0);  // idle for the whole window: evicted
  const int32_t names = es_evicted(h, 0);
  CHECK(names == 2);
  const std::string ids(es_output_ptr(), es_output_len());
  REQUIRE(ids.size() == 8);
  int32_t evicted[2] = {0, 0};
  std::memcpy(evicted, ids.data(), 8);  // little-endian, as wasm and x86 are
  CHECK((evicted[0] == name || evicted[1] == name));
  CHECK(es_evicted(h, 1) == 1);
  CHECK(es_stage_int(h, name, 1) == ES_ERR_ARGUMENT);  // the stale id names nothing
  CHECK(error().find("name id") != std::string::npos);
  CHECK(es_record(h, series, 1, 21) == ES_ERR_REJECTED);
  const int32_t again = es_intern(h, put("idle.name"));
  CHECK(again > 0);
  CHECK(again != name);
  es_destroy(h);
}

TEST_CASE("a request's life through the ABI: remote parent, child, log, drain, encode") {
  const int32_t h = create(0.0);  // only the incoming sampled flag can sample this trace
  const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string ts = "vendor=abc";
  const int32_t name = es_intern(h, put("GET /"));  // before the headers: both use the scratch
  uint8_t* scratch = es_scratch(static_cast<uint32_t>(tp.size() + ts.size()));
  std::memcpy(scratch, tp.data(), tp.size());
  std::memcpy(scratch + tp.size(), ts.data(), ts.size());
  const int32_t root = es_span_start_remote(h, name, 2, 1000, static_cast<uint32_t>(tp.size()), static_cast<uint32_t>(ts.size()));
  CHECK(es_remote_rejected(h) == 0);
  CHECK(es_span_recording(h, root) == 1);
  const int32_t child = es_span_start(h, root, es_intern(h, put("fetch")), 3, 1001);
  const int32_t len = es_span_context(h, child);
  const std::string ctx(es_output_ptr(), static_cast<std::size_t>(len));
  CHECK(ctx.rfind("00-4bf92f3577b34da6a3ce929d0e0e4736-", 0) == 0);
  CHECK(ctx.substr(ctx.size() - 14) == "-01\nvendor=abc");
  CHECK(es_log(h, 9, child, 1002, put("hello")) == ES_OK);
  CHECK(es_span_end(h, child, 1003) == ES_OK);
  CHECK(es_span_end(h, root, 1004) == ES_OK);
  CHECK(es_span_end(h, root, 1005) == 1);
  CHECK(es_pending(h) == 3);
  CHECK(es_drain(h, 1006) == 3);
  CHECK(es_pending(h) == 0);
  const int32_t n = es_encode(h, 1);
  CHECK(n == 2);  // traces and logs; no metrics
  for (int32_t i = 0; i < n; ++i) {
    const std::string body(reinterpret_cast<const char*>(es_payload_ptr(h, i)), es_payload_len(h, i));
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    CHECK_FALSE(doc.is_discarded());
    CHECK(es_payload_records(h, i) >= 1);
  }
  CHECK(es_payload_len(h, n) == 0);
  CHECK(es_payload_signal(h, n) == ES_ERR_ARGUMENT);
  CHECK(es_release(h) == ES_OK);

  put("00-garbage");
  es_span_start_remote(h, name, 2, 0, 10, 0);
  CHECK(es_remote_rejected(h) == 1);
  es_destroy(h);
}
