// Array attribute values (attributes.hpp, "Arrays"; OpenTelemetry specification, common/README.md
// "Attribute": homogeneous arrays of string, bool, int64 or double). What a user relies on: the
// elements arrive with their types in both formats, an array is bounded like a string (cut to a
// prefix, counted once), redaction reaches every element, the byte budgets count what an array
// costs, and the ABI refuses a malformed layout with a message instead of guessing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "edgescope.h"
#include "edgescope/payload_packer.hpp"
#include "edgescope/telemetry.hpp"
#include "edgescope/utf8.hpp"
#include "fixtures.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

TelemetryOptions options(std::size_t cap = 1u << 20) {
  TelemetryOptions o;
  o.service = "arrays";
  o.seed = {1, 2, 3, 4};
  o.encode.max_payload_bytes = cap;
  return o;
}

AttributeValue strings(const std::vector<std::string>& items) {
  RecordArray<AttributeValue> elements;
  for (const auto& s : items) elements.push_back(AttributeValue::of_string(s));
  return AttributeValue::of_array(std::move(elements));
}

AttributeValue ints(const std::vector<std::int64_t>& items) {
  RecordArray<AttributeValue> elements;
  for (const auto i : items) elements.push_back(AttributeValue::of_int(i));
  return AttributeValue::of_array(std::move(elements));
}

AttributeValue doubles(const std::vector<double>& items) {
  RecordArray<AttributeValue> elements;
  for (const auto d : items) elements.push_back(AttributeValue::of_double(d));
  return AttributeValue::of_array(std::move(elements));
}

AttributeValue bools(const std::vector<bool>& items) {
  RecordArray<AttributeValue> elements;
  for (const bool b : items) elements.push_back(AttributeValue::of_bool(b));
  return AttributeValue::of_array(std::move(elements));
}

// Stages `value` under `key` on a new span, ends it and returns the drained span.
const Span& one_span(Telemetry& t, const std::string& key, AttributeValue value) {
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  t.stage(t.intern(key), std::move(value));
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  t.drain(3);
  REQUIRE(t.drained().spans.size() == 1);
  return t.drained().spans[0];
}

const AttributeValue* find(const Attributes& attributes, const std::string& key) {
  for (const auto& a : attributes) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

json native_span(Telemetry& t) {
  const auto& payloads = t.encode_drained(WireFormat::NativeJson);
  REQUIRE(payloads.size() == 1);
  return json::parse(payloads[0].body)["spans"][0];
}

json otlp_span(Telemetry& t) {
  const auto& payloads = t.encode_drained(WireFormat::OtlpJson);
  REQUIRE(payloads.size() == 1);
  return json::parse(payloads[0].body)["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
}

json otlp_attribute(const json& span, const std::string& key) {
  for (const auto& kv : span["attributes"]) {
    if (kv["key"] == key) return kv["value"];
  }
  return nullptr;
}

uint32_t put(const std::string& bytes) {
  std::memcpy(es_scratch(static_cast<uint32_t>(bytes.size())), bytes.data(), bytes.size());
  return static_cast<uint32_t>(bytes.size());
}

std::string u32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return out;
}

std::string f64(double v) {
  std::string out(8, '\0');
  std::memcpy(&out[0], &v, 8);
  return out;
}

}  // namespace

TEST_CASE("native JSON writes an array attribute as a JSON array of its typed elements") {
  Telemetry t(options());
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  t.stage(t.intern("s"), strings({"a", "b \"quoted\""}));
  t.stage(t.intern("i"), ints({-9007199254740991LL, 0, 42}));
  t.stage(t.intern("d"), doubles({0.5, 1, -2.25}));
  t.stage(t.intern("b"), bools({true, false}));
  t.stage(t.intern("e"), AttributeValue::of_array({}));
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  t.drain(3);
  const json s = native_span(t);
  CHECK(s["attributes"]["s"] == json::array({"a", "b \"quoted\""}));
  CHECK(s["attributes"]["i"] == json::array({-9007199254740991LL, 0, 42}));
  CHECK(s["attributes"]["i"][0].is_number_integer());
  CHECK(s["attributes"]["d"] == json::array({0.5, 1.0, -2.25}));
  CHECK(s["attributes"]["b"] == json::array({true, false}));
  CHECK(s["attributes"]["e"] == json::array());
  CHECK_FALSE(s.contains("droppedAttributesCount"));
}

TEST_CASE("an array is cut to 128 elements, counted once") {
  std::vector<std::int64_t> many(200);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = static_cast<std::int64_t>(i);
  Telemetry t(options());
  const Span& s = one_span(t, "many", ints(many));
  const AttributeValue* v = find(s.attributes, "many");
  REQUIRE(v != nullptr);
  REQUIRE(v->elements.size() == kMaxArrayElements);
  CHECK(v->elements.back() == AttributeValue::of_int(127));
  CHECK(t.stats().values_truncated == 1);
  CHECK(s.dropped_attributes == 0);

  Telemetry exact(options());
  many.resize(kMaxArrayElements);
  CHECK(find(one_span(exact, "many", ints(many)).attributes, "many")->elements.size() == kMaxArrayElements);
  CHECK(exact.stats().values_truncated == 0);
}

TEST_CASE("an array's strings share one value's byte limit: the array becomes a prefix, counted once") {
  const std::size_t limit = Limits{}.max_attribute_value_bytes;
  SUBCASE("the string where the bytes run out is cut, the rest left out") {
    Telemetry t(options());
    const Span& s = one_span(t, "parts", strings({std::string(2000, 'a'), std::string(2000, 'b'), std::string(2000, 'c'), "d"}));
    const AttributeValue* v = find(s.attributes, "parts");
    REQUIRE(v->elements.size() == 3);
    CHECK(v->elements[2].text == std::string(limit - 4000, 'c'));
    CHECK(t.stats().values_truncated == 1);
  }
  SUBCASE("too many elements and too many bytes together still count once") {
    Telemetry t(options());
    const Span& s = one_span(t, "parts", strings(std::vector<std::string>(300, std::string(100, 'x'))));
    const AttributeValue* v = find(s.attributes, "parts");
    std::size_t bytes = 0;
    for (const auto& e : v->elements) bytes += e.text.size();
    CHECK(bytes == limit);
    CHECK(v->elements.size() == 41);  // 40 whole, the 41st cut to 96 bytes
    CHECK(t.stats().values_truncated == 1);
  }
  SUBCASE("a cut lands on a code point boundary, and a string with nothing left goes") {
    Telemetry t(options());
    // 4095 bytes, then a 3-byte character that does not fit: nothing of the second string remains.
    const Span& s = one_span(t, "parts", strings({std::string(limit - 1, 'a'), "\xE2\x82\xAC"}));
    const AttributeValue* v = find(s.attributes, "parts");
    REQUIRE(v->elements.size() == 1);
    CHECK(v->elements[0].text.size() == limit - 1);
    CHECK(t.stats().values_truncated == 1);
  }
  SUBCASE("exactly the limit is not a cut") {
    Telemetry t(options());
    const Span& s = one_span(t, "parts", strings({std::string(limit / 2, 'a'), std::string(limit / 2, 'b'), ""}));
    CHECK(find(s.attributes, "parts")->elements.size() == 3);
    CHECK(t.stats().values_truncated == 0);
  }
}

TEST_CASE("array strings are repaired like any host text") {
  Telemetry t(options());
  const Span& s = one_span(t, "raw", strings({"ok", std::string("bad \xC3\x28 byte"), std::string("\xFF")}));
  const AttributeValue* v = find(s.attributes, "raw");
  REQUIRE(v->elements.size() == 3);
  CHECK(v->elements[0].text == "ok");
  CHECK(v->elements[1].text == "bad \xEF\xBF\xBD( byte");
  CHECK(v->elements[2].text == "\xEF\xBF\xBD");
  CHECK(is_valid_utf8(v->elements[1].text));
  CHECK(t.stats().strings_repaired == 2);
}

TEST_CASE("arrays OpenTelemetry does not allow are refused and counted, never sent") {
  Telemetry t(options());
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  t.stage(t.intern("mixed"), AttributeValue::of_array({AttributeValue::of_int(1), AttributeValue::of_string("a")}));
  t.stage(t.intern("nested"), AttributeValue::of_array({ints({1})}));
  t.stage(t.intern("nan"), doubles({1.0, std::nan("")}));
  t.stage(t.intern("inf"), doubles({HUGE_VAL}));
  t.stage(t.intern("fine"), doubles({1.5}));
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  t.drain(3);
  const Span& s = t.drained().spans[0];
  REQUIRE(s.attributes.size() == 1);
  CHECK(s.attributes[0].key == "fine");
  CHECK(s.dropped_attributes == 4);
  CHECK(t.stats().attribute_values_rejected == 4);
}

TEST_CASE("an array costs its elements in accounted bytes, and the record budget refuses what does not fit") {
  const AttributeValue numbers = ints(std::vector<std::int64_t>(kMaxArrayElements, 7));
  CHECK(value_bytes(numbers) == kArrayValueBytes + kMaxArrayElements * (kArrayElementOverhead + kNumberValueBytes));
  const AttributeValue text = strings({"ab", "c\"d"});
  CHECK(value_bytes(text) == kArrayValueBytes + 2 * kArrayElementOverhead + json_text_bytes("ab") + json_text_bytes("c\"d"));
  CHECK(value_bytes(AttributeValue::of_array({})) == kArrayValueBytes);

  // The stage holds max_record_bytes (128 KiB): full arrays of 128 integers fill it after nine.
  Telemetry t(options());
  std::size_t staged = 0, expected = 0;
  for (int i = 0; i < 12; ++i) {
    const std::string key = "k" + std::to_string(i);
    const std::size_t bytes = attribute_bytes(Attribute{key, numbers});
    t.stage(t.intern(key), numbers);
    if (t.usage().stage == expected + bytes) {
      expected += bytes;
      ++staged;
    }
  }
  CHECK(staged == Limits{}.max_record_bytes / attribute_bytes(Attribute{"k0", numbers}));
  CHECK(t.usage().stage == expected);
  CHECK(t.stats().attributes_dropped_byte_budget == 12 - staged);
}

TEST_CASE("accounted bytes cover encoded arrays in both formats, compact records included") {
  for (const std::size_t cap : {std::size_t{1} << 20, std::size_t{4096}}) {
    CAPTURE(cap);
    Telemetry t(options(cap));
    for (int i = 0; i < 20; ++i) {
      const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Server, i);
      // Control characters escape to six bytes each; many short elements cost the most overhead.
      t.stage(t.intern("controls"), strings(std::vector<std::string>(60, std::string(8, '\x01'))));
      for (const char* key : {"e1", "e2", "e3", "e4"}) t.stage(t.intern(key), strings(std::vector<std::string>(kMaxArrayElements, "")));
      t.stage(t.intern("ints"), ints(std::vector<std::int64_t>(kMaxArrayElements, INT64_MIN)));
      t.stage(t.intern("doubles"), doubles(std::vector<double>(kMaxArrayElements, -1.2345678901234567e-300)));
      t.stage(t.intern("bools"), bools(std::vector<bool>(kMaxArrayElements, false)));
      t.apply_staged_to_span(span);
      t.end_span(span, i + 1);
    }
    t.drain(100);
    const std::size_t accounted = t.usage().spans;
    for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
      CAPTURE(static_cast<int>(format));
      std::size_t encoded = 0;
      for (const auto& p : t.encode_drained(format)) {
        CHECK(p.body.size() <= cap);
        CHECK_FALSE(json::parse(p.body, nullptr, false).is_discarded());
        encoded += p.body.size();
      }
      CHECK(encoded > 0);
      CHECK(encoded <= accounted);
    }
  }
}

TEST_CASE("a compact record shows an array's first elements, strings cut, in both formats") {
  Telemetry t(options(2048));
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  std::vector<std::string> long_strings;
  for (int i = 0; i < 40; ++i) long_strings.push_back(std::to_string(i) + std::string(90, 'x'));
  t.stage(t.intern("long"), strings(long_strings));
  t.stage(t.intern("n"), ints({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  t.drain(3);
  std::vector<std::string> shown;
  for (int i = 0; i < 8; ++i) shown.push_back(std::string(truncate_utf8(long_strings[static_cast<std::size_t>(i)], kCompactArrayElementBytes)));

  const json native = native_span(t);
  CHECK(native["attributes"]["edgescope.truncated"] == true);
  CHECK(native["attributes"]["long"] == json(shown));
  CHECK(native["attributes"]["n"] == json::array({1, 2, 3, 4, 5, 6, 7, 8}));

  const json otlp = otlp_span(t);
  const json long_value = otlp_attribute(otlp, "long");
  REQUIRE(long_value["arrayValue"]["values"].size() == kCompactArrayElements);
  for (std::size_t i = 0; i < kCompactArrayElements; ++i) {
    CHECK(long_value["arrayValue"]["values"][i] == json{{"stringValue", shown[i]}});
  }
  CHECK(otlp_attribute(otlp, "n")["arrayValue"]["values"].size() == kCompactArrayElements);
  CHECK(t.stats().records_shrunk == 1);
}

TEST_CASE("redaction reaches every string element of an array") {
  Telemetry t(options());
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  const Span& s = one_span(t, "http.headers", strings({"Bearer abcdefgh12345678", "text/html", "session=" + jwt, "fine"}));
  const AttributeValue* v = find(s.attributes, "http.headers");
  REQUIRE(v->elements.size() == 4);
  CHECK(v->elements[0].text == "Bearer [REDACTED]");
  CHECK(v->elements[1].text == "text/html");
  CHECK(v->elements[2].text == "session=[REDACTED]");
  CHECK(v->elements[3].text == "fine");
  CHECK(t.stats().values_redacted == 2);
}

TEST_CASE("a secret across an array's byte limit is masked before the cut, never left as a recognisable head") {
  Telemetry t(options());
  const std::size_t limit = Limits{}.max_attribute_value_bytes;
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  // The second element's JWT starts 20 bytes before the limit.
  const Span& s = one_span(t, "notes", strings({std::string(limit - 30, 'a'), "see token " + jwt + " and more words past the limit"}));
  const AttributeValue* v = find(s.attributes, "notes");
  REQUIRE(v->elements.size() == 2);
  CHECK(v->elements[1].text.find("eyJ") == std::string::npos);
  CHECK(v->elements[1].text.rfind("see token [REDACTED]", 0) == 0);
  CHECK(v->elements[1].text.size() <= 30);
  CHECK(t.stats().values_redacted == 1);
  CHECK(t.stats().values_truncated == 1);
}

TEST_CASE("a denied key redacts a whole array, whatever its elements") {
  Telemetry t(options());
  const auto span = t.start_span(kNoopSpan, t.intern("op"), SpanKind::Internal, 1);
  t.stage(t.intern("user.password"), strings({"hunter2", "Bearer abcdefgh12345678"}));
  t.stage(t.intern("api_key"), ints({1, 2}));
  t.apply_staged_to_span(span);
  t.end_span(span, 2);
  t.drain(3);
  const Span& s = t.drained().spans[0];
  CHECK(*find(s.attributes, "user.password") == AttributeValue::of_string("[REDACTED]"));
  CHECK(*find(s.attributes, "api_key") == AttributeValue::of_string("[REDACTED]"));
  CHECK(t.stats().values_redacted == 2);  // one per value, not per element or finding
}

TEST_CASE("a card number in an integer array turns the array into strings with the marker in its place") {
  Telemetry t(options());
  const Span& s = one_span(t, "order.refs", ints({17, 4111111111111111LL, -5}));
  CHECK(*find(s.attributes, "order.refs") == strings({"17", "[REDACTED]", "-5"}));
  CHECK(t.stats().values_redacted == 1);

  Telemetry plain(options());
  CHECK(*find(one_span(plain, "order.refs", ints({17, 1700000000123LL})).attributes, "order.refs") ==
        ints({17, 1700000000123LL}));  // a millisecond timestamp is not a card
  CHECK(plain.stats().values_redacted == 0);
}

TEST_CASE("redaction off leaves array elements as given") {
  Telemetry t(options());
  RedactionConfig off;
  off.default_keys = off.keys_in_text = off.auth_credentials = off.jwts = off.card_numbers = false;
  std::string error;
  REQUIRE(t.set_redaction(off, error));
  const Span& s = one_span(t, "password", strings({"Bearer abcdefgh12345678"}));
  CHECK(*find(s.attributes, "password") == strings({"Bearer abcdefgh12345678"}));
  CHECK(t.stats().values_redacted == 0);
}

TEST_CASE("a metric series tagged with an array carries the array's JSON text") {
  Telemetry t(options());
  t.stage(t.intern("regions"), strings({"eu", "us"}));
  const auto a = t.series(MetricType::Counter, t.intern("hits"), kNoName, 1);
  t.stage(t.intern("regions"), strings({"eu", "ap"}));
  const auto b = t.series(MetricType::Counter, t.intern("hits"), kNoName, 1);
  REQUIRE(a > 0);
  CHECK(b != a);  // different arrays are different series
  t.stage(t.intern("regions"), strings({"eu", "us"}));
  CHECK(t.series(MetricType::Counter, t.intern("hits"), kNoName, 1) == a);
  t.record(a, 1, 2);
  t.drain(3);
  REQUIRE(t.drained().metrics.size() == 1);
  REQUIRE(t.drained().metrics[0].tags.size() == 1);
  CHECK(t.drained().metrics[0].tags[0].value == AttributeValue::of_string("[\"eu\",\"us\"]"));
}

TEST_CASE("es_stage_array reads the packed layout for each element type") {
  const int32_t h = es_create(put("abi"), 1.0, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  REQUIRE(h > 0);
  const int32_t span = es_span_start(h, 0, es_intern(h, put("op")), 1, 0);
  const int32_t s = es_intern(h, put("s"));
  const int32_t i = es_intern(h, put("i"));
  const int32_t d = es_intern(h, put("d"));
  const int32_t b = es_intern(h, put("b"));
  const int32_t e = es_intern(h, put("e"));
  CHECK(es_stage_array(h, s, 0, 3, put(u32(1) + u32(0) + u32(4) + "a" + "\xE2\x82\xAC!")) == ES_OK);
  CHECK(es_stage_array(h, i, 1, 2, put(f64(-9007199254740991.0) + f64(3))) == ES_OK);
  CHECK(es_stage_array(h, d, 2, 2, put(f64(0.25) + f64(-1e300))) == ES_OK);
  CHECK(es_stage_array(h, b, 3, 3, put(std::string("\x01\x00\x07", 3))) == ES_OK);
  CHECK(es_stage_array(h, e, 0, 0, 0) == ES_OK);
  CHECK(es_span_attributes(h, span) == ES_OK);
  CHECK(es_span_end(h, span, 1) == ES_OK);
  CHECK(es_drain(h, 2) == 1);
  REQUIRE(es_encode(h, 0) == 1);
  const json doc = json::parse(std::string(reinterpret_cast<const char*>(es_payload_ptr(h, 0)), es_payload_len(h, 0)));
  const json& a = doc["spans"][0]["attributes"];
  CHECK(a["s"] == json::array({"a", "", "\xE2\x82\xAC!"}));
  CHECK(a["i"] == json::array({-9007199254740991LL, 3}));
  CHECK(a["d"] == json::array({0.25, -1e300}));
  CHECK(a["b"] == json::array({true, false, true}));
  CHECK(a["e"] == json::array());
  es_destroy(h);
}

TEST_CASE("es_stage_array refuses a malformed layout with a message, and the record counts the refusal") {
  const int32_t h = es_create(put("abi"), 1.0, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  const int32_t span = es_span_start(h, 0, es_intern(h, put("op")), 1, 0);
  const int32_t k = es_intern(h, put("k"));
  const auto message = [] { return std::string(es_error_ptr(), es_error_len()); };
  CHECK(es_stage_array(h, k, 4, 0, 0) == ES_ERR_ARGUMENT);
  CHECK(message().find("element type") != std::string::npos);
  CHECK(es_stage_array(h, k, 0, 2, put(u32(1) + u32(5) + "abc")) == ES_ERR_ARGUMENT);  // runs past the end
  CHECK(message().find("string 1") != std::string::npos);
  CHECK(es_stage_array(h, k, 0, 1, put(u32(1) + "ab")) == ES_ERR_ARGUMENT);  // a byte left over
  CHECK(message().find("after the last string") != std::string::npos);
  CHECK(es_stage_array(h, k, 0, 3, put(u32(0))) == ES_ERR_ARGUMENT);  // lengths missing
  CHECK(es_stage_array(h, k, 2, 2, put(f64(1))) == ES_ERR_ARGUMENT);  // 8 bytes for 2 numbers
  CHECK(message().find("numbers take 16 bytes") != std::string::npos);
  CHECK(es_stage_array(h, k, 3, 2, put("\x01")) == ES_ERR_ARGUMENT);
  CHECK(es_stage_array(h, k, 1, 2, put(f64(1) + f64(0.5))) == ES_ERR_ARGUMENT);
  CHECK(message().find("element 1 is not a safe integer") != std::string::npos);
  CHECK(es_stage_array(h, k, 1, 1, put(f64(9007199254740992.0))) == ES_ERR_ARGUMENT);
  CHECK(es_stage_array(h, k, 0, 0, 2u << 20) == ES_ERR_ARGUMENT);  // past the scratch buffer
  CHECK(es_stage_array(h, 9999, 0, 0, 0) == ES_ERR_ARGUMENT);      // unknown key id
  CHECK(message().find("name id") != std::string::npos);
  CHECK(es_stat(h, static_cast<int32_t>(StatId::AttributeValuesRejected)) == 9);
  CHECK(es_stat(h, static_cast<int32_t>(StatId::AttributesDropped)) == 1);  // the unknown key
  CHECK(es_span_attributes(h, span) == ES_OK);
  CHECK(es_span_end(h, span, 1) == ES_OK);
  CHECK(es_drain(h, 2) == 1);
  REQUIRE(es_encode(h, 0) == 1);
  const json doc = json::parse(std::string(reinterpret_cast<const char*>(es_payload_ptr(h, 0)), es_payload_len(h, 0)));
  CHECK(doc["spans"][0]["attributes"].empty());
  CHECK(doc["spans"][0]["droppedAttributesCount"] == 10);
  es_destroy(h);
}

TEST_CASE("es_stage_array copies a bounded part of a huge array and still counts the cut") {
  const int32_t h = es_create(put("abi"), 1.0, 65536, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  const int32_t span = es_span_start(h, 0, es_intern(h, put("op")), 1, 0);
  const int32_t k = es_intern(h, put("k"));
  const uint32_t count = 100000;  // 100000 one-byte strings: 500 KB of layout
  std::string layout;
  for (uint32_t n = 0; n < count; ++n) layout += u32(1);
  layout += std::string(count, 'z');
  CHECK(es_stage_array(h, k, 0, count, put(layout)) == ES_OK);
  CHECK(es_span_attributes(h, span) == ES_OK);
  CHECK(es_span_end(h, span, 1) == ES_OK);
  CHECK(es_drain(h, 2) == 1);
  REQUIRE(es_encode(h, 0) == 1);
  const json doc = json::parse(std::string(reinterpret_cast<const char*>(es_payload_ptr(h, 0)), es_payload_len(h, 0)));
  CHECK(doc["spans"][0]["attributes"]["k"].size() == kMaxArrayElements);
  CHECK(es_stat(h, static_cast<int32_t>(StatId::ValuesTruncated)) == 1);
  es_destroy(h);
}
