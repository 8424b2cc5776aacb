// libFuzzer target: hostile bytes through every place the core takes outside input (traceparent,
// tracestate, names, units, keys, typed values, log and status messages, times) and through both
// encoders. It checks invariants, not just "no crash":
//  - repaired text is valid UTF-8; a parsed traceparent formats back to a valid one; a
//    normalised tracestate is stable;
//  - every payload is valid UTF-8 JSON no larger than the cap, and records found + records
//    dropped as oversized = records drained, with one shrunk record per records_shrunk;
//  - what goes in comes back out. Each record is found again by decoding the JSON with nlohmann
//    (not with our code) and compared with what the fuzzer predicts from the raw input:
//    sanitize_text of names, keys, values and messages (cut to the compact bound when the
//    record was shrunk), typed values with type and value, arrays (bounded to a prefix as
//    attributes.hpp says, each string cleaned as the core cleans host text, counted once; in a
//    compact record their first elements, strings cut), times (native: the double itself;
//    OTLP: nanoseconds rounded to the microsecond, computed here in extended precision), and the
//    histogram's count/sum/min/max from the values accepted (OTLP leaves the sum out after a
//    negative value);
//  - OTLP has one Metric per metric and payload, and encoding both formats against one
//    OversizeLedger counts each record once per counter: the union of what each format shrank
//    (or dropped).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "edgescope/payload_packer.hpp"
#include "edgescope/redaction.hpp"
#include "edgescope/telemetry.hpp"
#include "edgescope/trace_context.hpp"
#include "edgescope/utf8.hpp"

using namespace edgescope;
using nlohmann::json;

namespace {

[[noreturn]] void violated(const char* what, int line) {
  std::fprintf(stderr, "fuzz_inputs.cpp:%d: invariant violated: %s\n", line, what);
  __builtin_trap();
}
#define INVARIANT(...)                                    \
  do {                                                    \
    if (!(__VA_ARGS__)) violated(#__VA_ARGS__, __LINE__); \
  } while (0)

static_assert(std::numeric_limits<long double>::digits >= 64,
              "the OTLP time check needs x87 extended precision to multiply by 1000 exactly");

// Times and values a host could hand over, hostile ones included. When the input runs out the
// provider yields the smallest choice, so case 0 is a realistic Date.now() with a fraction.
double hostile_double(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return 1700000000123.0 + in.ConsumeIntegralInRange<int>(-1000000, 1000000) / 4096.0;
    case 1: return in.ConsumeIntegralInRange<int>(-1000, 1000) / 8.0;  // negative values too
    case 2: return std::nan("");
    case 3: return in.ConsumeBool() ? HUGE_VAL : -HUGE_VAL;
    case 4: return in.ConsumeBool() ? -0.0 : 1e300;
    case 5: {
      const auto bits = in.ConsumeIntegral<std::uint64_t>();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    case 6: return static_cast<double>(in.ConsumeIntegral<std::int64_t>());
    default: return in.ConsumeFloatingPoint<double>();
  }
}

// Hostile text, repeated up to 64 times: records larger than the payload cap (which must be
// shrunk or dropped) are then reachable from small inputs.
std::string hostile_text(FuzzedDataProvider& in, std::size_t max_length) {
  const std::string raw = in.ConsumeRandomLengthString(max_length);
  const std::size_t repeat = in.ConsumeIntegralInRange<std::size_t>(1, 64);
  std::string out;
  for (std::size_t i = 0; i < repeat && out.size() < 2 * max_length; ++i) out += raw;
  return out;
}

// OTLP nanoseconds predicted independently: the double times 1000 is exact in 64-bit-mantissa
// arithmetic (53 + 7 significant bits), then rounded to the nearest microsecond, halves up.
std::uint64_t expected_nanos(double ms) {
  constexpr std::uint64_t kMaxMicros = UINT64_MAX / 1000;
  if (!(ms > 0)) return 0;
  const long double micros = static_cast<long double>(ms) * 1000.0L;
  if (micros >= static_cast<long double>(kMaxMicros)) return kMaxMicros * 1000;
  return static_cast<std::uint64_t>(std::llroundl(micros)) * 1000;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// Last write wins, as OpenTelemetry attributes (and set_attribute) do.
using Model = std::vector<std::pair<std::string, AttributeValue>>;
void model_set(Model& model, std::string key, AttributeValue value) {
  for (auto& kv : model) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  model.emplace_back(std::move(key), std::move(value));
}

bool same_attributes(const Attributes& got, const Model& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i].key != want[i].first || got[i].value != want[i].second) return false;
  }
  return true;
}

std::string compact_text(const std::string& text, bool compact, std::size_t bound) {
  return compact ? std::string(truncate_utf8(text, bound)) : text;
}

bool native_scalar_is(const json& j, const AttributeValue& v, std::size_t max_text) {
  switch (v.type) {
    case AttributeType::String: return j.is_string() && j.get<std::string>() == std::string(truncate_utf8(v.text, max_text));
    case AttributeType::Int: return j.is_number_integer() && j.get<std::int64_t>() == v.integer;
    case AttributeType::Double: return j.is_number() && j.get<double>() == v.number;
    case AttributeType::Bool: return j.is_boolean() && j.get<bool>() == v.boolean;
    case AttributeType::Array: return false;  // never an element
  }
  return false;
}

// How many of an array's elements a record shows: all, or kCompactArrayElements when compact.
std::size_t shown_elements(const AttributeValue& v, bool compact) {
  return compact ? std::min(v.elements.size(), kCompactArrayElements) : v.elements.size();
}

constexpr std::size_t kWhole = static_cast<std::size_t>(-1);

bool native_value_is(const json& j, const AttributeValue& v, bool compact) {
  if (v.type != AttributeType::Array) return native_scalar_is(j, v, compact ? kCompactValueBytes : kWhole);
  const std::size_t n = shown_elements(v, compact);
  if (!j.is_array() || j.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!native_scalar_is(j[i], v.elements[i], compact ? kCompactArrayElementBytes : kWhole)) return false;
  }
  return true;
}

bool otlp_scalar_is(const json& any, const AttributeValue& v, std::size_t max_text) {
  if (!any.is_object() || any.size() != 1) return false;
  switch (v.type) {
    case AttributeType::String:
      return any.contains("stringValue") && any["stringValue"].is_string() &&
             any["stringValue"].get<std::string>() == std::string(truncate_utf8(v.text, max_text));
    case AttributeType::Int:
      return any.contains("intValue") && any["intValue"] == std::to_string(v.integer);
    case AttributeType::Double:
      return any.contains("doubleValue") && any["doubleValue"].is_number() && any["doubleValue"].get<double>() == v.number;
    case AttributeType::Bool:
      return any.contains("boolValue") && any["boolValue"].is_boolean() && any["boolValue"].get<bool>() == v.boolean;
    case AttributeType::Array: return false;  // never an element
  }
  return false;
}

// {"arrayValue":{"values":[...]}}, or {"arrayValue":{}} for no elements (proto3 JSON).
bool otlp_value_is(const json& any, const AttributeValue& v, bool compact) {
  if (v.type != AttributeType::Array) return otlp_scalar_is(any, v, compact ? kCompactValueBytes : kWhole);
  if (!any.is_object() || any.size() != 1 || !any.contains("arrayValue") || !any["arrayValue"].is_object()) return false;
  const json& array = any["arrayValue"];
  const std::size_t n = shown_elements(v, compact);
  if (n == 0) return array.empty();
  if (array.size() != 1 || !array.contains("values") || !array["values"].is_array() || array["values"].size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!otlp_scalar_is(array["values"][i], v.elements[i], compact ? kCompactArrayElementBytes : kWhole)) return false;
  }
  return true;
}

// Host text as the core keeps it (telemetry.cpp clean_text, redaction.hpp "Order with
// truncation"): repaired with a 512-byte lookahead past the cut, redacted by the default policy
// (a Telemetry's until set_redaction), then cut without leaving a partial word. Sets `cut` when
// the text was longer than `max_bytes`.
std::string clean_like_core(const RedactionPolicy& policy, const std::string& raw, std::size_t max_bytes, bool& cut) {
  Stats wide;
  std::string text = sanitize_text(raw, max_bytes + 512, wide);
  policy.redact_text(text);
  cut = truncate_redacted(text, max_bytes) || wide.values_truncated > 0;
  return text;
}

// What an array attribute becomes, predicted from the rule in attributes.hpp ("Arrays"): the
// first kMaxArrayElements elements; strings cleaned, sharing max_bytes, the one where the bytes
// run out cut (left out when nothing of it remains) and the rest left out. `cut` says whether
// anything was cut (the core counts that once).
AttributeValue expected_array(const RedactionPolicy& policy, const AttributeValue& in, std::size_t max_bytes, bool& cut) {
  AttributeValue out = in;
  cut = out.elements.size() > kMaxArrayElements;
  if (cut) out.elements.resize(kMaxArrayElements);
  if (out.elements.empty() || out.elements.front().type != AttributeType::String) return out;
  RecordArray<AttributeValue> kept;
  std::size_t left = max_bytes;
  for (const auto& e : out.elements) {
    bool this_cut = false;
    std::string text = clean_like_core(policy, e.text, left, this_cut);
    if (this_cut) {
      cut = true;
      if (!text.empty()) kept.push_back(AttributeValue::of_string(std::move(text)));
      break;
    }
    left -= text.size();
    kept.push_back(AttributeValue::of_string(std::move(text)));
  }
  out.elements = std::move(kept);
  return out;
}

// What a staged value becomes under the default redaction policy (redaction.hpp: the scanners
// are the policy's own, fuzzed by fuzz_redaction; this target checks the core applies them where
// it says): a denied key's value is the marker whatever its type, an integer that is a card
// number is the marker, and so is each such element of an integer array, which then becomes a
// string array (every other element its decimal text).
AttributeValue kept_as(const RedactionPolicy& policy, const std::string& key, AttributeValue v) {
  const auto is_card = [&](std::int64_t i) {
    AttributeValue probe = AttributeValue::of_int(i);
    return policy.redact_value(probe, false) == 1;
  };
  if (policy.key_denied(key)) return AttributeValue::of_string(std::string(kRedactedMarker));
  if (v.type == AttributeType::Int && is_card(v.integer)) return AttributeValue::of_string(std::string(kRedactedMarker));
  if (v.type == AttributeType::Array && !v.elements.empty() && v.elements.front().type == AttributeType::Int) {
    bool any = false;
    for (const auto& e : v.elements) any = any || is_card(e.integer);
    if (any) {
      for (auto& e : v.elements) {
        e = AttributeValue::of_string(is_card(e.integer) ? std::string(kRedactedMarker) : std::to_string(e.integer));
      }
    }
  }
  return v;
}

// A record's attributes as they must come out: all of them, or in compact mode the first
// kCompactMaxAttributes other than a user's own "edgescope.truncated" (values cut), plus the marker.
void check_attributes(const json& got, const Attributes& want, bool compact, bool otlp, std::uint64_t dropped_before,
                      const json* dropped_field) {
  std::map<std::string, json> by_key;
  if (otlp) {
    INVARIANT(got.is_array());
    for (const auto& kv : got) {
      INVARIANT(kv["key"].is_string());
      INVARIANT(by_key.emplace(kv["key"].get<std::string>(), kv["value"]).second);  // keys unique
    }
  } else {
    INVARIANT(got.is_object());
    for (const auto& item : got.items()) by_key.emplace(item.key(), item.value());
  }
  std::size_t kept = 0, cut = 0;
  for (const auto& a : want) {
    if (compact && (kept == kCompactMaxAttributes || a.key == kTruncatedKey)) {
      ++cut;
      continue;
    }
    ++kept;
    const auto found = by_key.find(a.key);
    INVARIANT(found != by_key.end());
    INVARIANT(otlp ? otlp_value_is(found->second, a.value, compact) : native_value_is(found->second, a.value, compact));
  }
  INVARIANT(by_key.size() == kept + (compact ? 1 : 0));
  if (compact) {
    const json& marker = by_key.at(kTruncatedKey);
    INVARIANT(otlp ? marker == json{{"boolValue", true}} : marker == true);
  }
  const std::uint64_t dropped = dropped_field ? dropped_field->get<std::uint64_t>() : 0;
  INVARIANT(dropped == dropped_before + cut);
}

bool is_compact(const json& attributes, bool otlp) {
  if (otlp) {
    for (const auto& kv : attributes) {
      if (kv["key"] == kTruncatedKey && kv["value"] == json{{"boolValue", true}}) return true;
    }
    return false;
  }
  return attributes.contains(kTruncatedKey) && attributes[kTruncatedKey] == true;
}

const json* field(const json& object, const char* name) { return object.contains(name) ? &object[name] : nullptr; }

void check_native_time(const json& got, double ms) {
  INVARIANT(got.is_number());
  INVARIANT(got.get<double>() == (std::isfinite(ms) ? ms : 0.0));
}

void check_otlp_time(const json& got, double ms) {
  INVARIANT(got.is_string());
  INVARIANT(got.get<std::string>() == std::to_string(expected_nanos(ms)));
}

// What the fuzzer fed in, predicted independently of the core.
struct Expected {
  std::string service;
  Model resource;
  std::string root_name, child_name, event_name, status_message, log_message;
  Model root_attributes, event_attributes, log_attributes;
  std::string metric_name, metric_unit;
  std::uint64_t count = 0;
  double sum = 0, min = 0, max = 0, first_ms = 0, last_ms = 0, created_ms = 0;
};

// What one format delivered, by record ("s:<span id>", "l:<index>", "m:<index>").
struct Found {
  std::size_t spans = 0, metrics = 0, logs = 0;
  std::set<std::string> shrunk, dropped;
};

void check_span(const json& s, const Span& want, bool otlp, Found& found) {
  INVARIANT(s["traceId"] == hex64(want.trace_id.high) + hex64(want.trace_id.low));
  INVARIANT(s["spanId"] == hex64(want.span_id));
  const bool compact = is_compact(s["attributes"], otlp);
  if (compact) found.shrunk.insert("s:" + hex64(want.span_id));
  INVARIANT(s[otlp ? "name" : "operationName"] == compact_text(want.name, compact, kCompactValueBytes));
  check_attributes(s["attributes"], want.attributes, compact, otlp, want.dropped_attributes,
                   field(s, "droppedAttributesCount"));
  INVARIANT(s["events"].size() == (compact ? 0 : want.events.size()));
  const json* dropped_events = field(s, "droppedEventsCount");
  INVARIANT((dropped_events ? dropped_events->get<std::uint64_t>() : 0) ==
            want.dropped_events + (compact ? want.events.size() : 0));
  for (std::size_t i = 0; i < s["events"].size(); ++i) {
    const json& e = s["events"][i];
    INVARIANT(e["name"] == want.events[i].name);
    check_attributes(e["attributes"], want.events[i].attributes, false, otlp, want.events[i].dropped_attributes,
                     field(e, "droppedAttributesCount"));
    if (otlp) check_otlp_time(e["timeUnixNano"], want.events[i].time_ms);
    else check_native_time(e["timestamp"], want.events[i].time_ms);
  }
  const std::string message = compact_text(want.status_message, compact, kCompactValueBytes);
  if (otlp) {
    check_otlp_time(s["startTimeUnixNano"], want.start_ms);
    check_otlp_time(s["endTimeUnixNano"], want.end_ms);
    INVARIANT(s["status"]["code"] == static_cast<int>(want.status));
    INVARIANT(message.empty() ? !s["status"].contains("message") : s["status"]["message"] == message);
  } else {
    check_native_time(s["startTime"], want.start_ms);
    check_native_time(s["endTime"], want.end_ms);
    const double duration = want.end_ms - want.start_ms;
    check_native_time(s["duration"], duration);
    INVARIANT(message.empty() ? !s.contains("statusMessage") : s["statusMessage"] == message);
  }
  ++found.spans;
}

void check_log(const json& l, const LogRecord& want, std::size_t index, bool otlp, Found& found) {
  const json& attributes = otlp ? l["attributes"] : l["context"];
  const bool compact = is_compact(attributes, otlp);
  if (compact) found.shrunk.insert("l:" + std::to_string(index));
  const std::string message = compact_text(want.message, compact, 1024);
  if (otlp) {
    INVARIANT(l["body"] == json{{"stringValue", message}});
    check_otlp_time(l["timeUnixNano"], want.time_ms);
    check_attributes(attributes, want.attributes, compact, true, want.dropped_attributes,
                     field(l, "droppedAttributesCount"));
  } else {
    INVARIANT(l["message"] == message);
    check_native_time(l["timestamp"], want.time_ms);
    // exception.* is lifted into `error` in the native format; the rest is the context.
    Attributes rest;
    for (const auto& a : want.attributes) {
      if (a.key.compare(0, 10, "exception.") != 0) {
        rest.push_back(a);
      } else if (a.key == "exception.message") {
        INVARIANT(l["error"]["message"] == compact_text(a.value.to_text(), compact, 1024));
      }
    }
    check_attributes(attributes, rest, compact, false, want.dropped_attributes, field(l, "droppedAttributesCount"));
  }
  ++found.logs;
}

// A double field: proto3 JSON writes non-finite doubles as "NaN", "Infinity", "-Infinity".
bool otlp_double_is(const json& got, double want) {
  if (std::isfinite(want)) return got.is_number() && got.get<double>() == want;
  return got == (std::isnan(want) ? "NaN" : want > 0 ? "Infinity" : "-Infinity");
}

// JSON has no infinity and the native format defines none: a non-finite aggregate (a sum that
// overflowed) is not checked here; the registry should refuse the value that causes it.
bool native_double_is(const json& got, double want) {
  return !std::isfinite(want) || (got.is_number() && got.get<double>() == want);
}

// Whether a decoded point is this series (name and tags), without asserting: used to skip
// points that were dropped as oversized.
bool same_series(const json& tags, const MetricPoint& p, bool otlp) {
  if (tags.size() != p.tags.size()) return false;
  std::size_t i = 0;
  for (const auto& tag : p.tags) {
    if (otlp) {
      if (tags[i]["key"] != tag.key || !otlp_value_is(tags[i]["value"], tag.value, false)) return false;
    } else if (!tags.contains(tag.key) || !native_value_is(tags[tag.key], tag.value, false)) {
      return false;
    }
    ++i;
  }
  return true;
}

void check_point(const json& dp, const MetricPoint& want, bool otlp) {
  if (otlp) {
    check_otlp_time(dp["startTimeUnixNano"], want.start_ms);
    check_otlp_time(dp["timeUnixNano"], want.time_ms);
    std::map<std::string, json> tags;
    for (const auto& kv : dp["attributes"]) tags.emplace(kv["key"].get<std::string>(), kv["value"]);
    INVARIANT(tags.size() == want.tags.size());
    for (const auto& tag : want.tags) INVARIANT(otlp_value_is(tags.at(tag.key), tag.value, false));
    if (want.type != MetricType::Histogram) {
      INVARIANT(otlp_double_is(dp["asDouble"], want.value));
      return;
    }
    INVARIANT(dp["count"] == std::to_string(want.count));
    // "Negative events *can* be recorded, but sum should not be filled out when doing so."
    INVARIANT(want.min < 0 ? !dp.contains("sum") : otlp_double_is(dp["sum"], want.value));
    INVARIANT(dp["bucketCounts"].size() == want.buckets.size());
    for (std::size_t i = 0; i < want.buckets.size(); ++i) {
      INVARIANT(dp["bucketCounts"][i] == std::to_string(want.buckets[i]));
    }
  } else {
    check_native_time(dp["timestamp"], want.time_ms);
    check_native_time(dp["startTime"], want.start_ms);
    INVARIANT(dp["tags"].size() == want.tags.size());
    for (const auto& tag : want.tags) INVARIANT(native_value_is(dp["tags"][tag.key], tag.value, false));
    INVARIANT(native_double_is(dp["value"], want.value));
    if (want.type != MetricType::Histogram) return;
    INVARIANT(dp["count"] == want.count);
    INVARIANT(native_double_is(dp["sum"], want.value));
  }
  INVARIANT(dp["min"].get<double>() == want.min);
  INVARIANT(dp["max"].get<double>() == want.max);
}

// OTLP data points come metric by metric, metrics in order of first appearance.
std::vector<std::size_t> otlp_point_order(const RecordArray<MetricPoint>& points) {
  std::vector<std::size_t> order;
  std::vector<bool> placed(points.size(), false);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (placed[i]) continue;
    for (std::size_t j = i; j < points.size(); ++j) {
      const bool same = points[j].name == points[i].name && points[j].unit == points[i].unit &&
                        points[j].type == points[i].type;
      if (same && !placed[j]) {
        placed[j] = true;
        order.push_back(j);
      }
    }
  }
  return order;
}

// Decodes one format's payloads and compares every record with the drained batch, and the
// batch's accounting with the oversize counters this encode added.
Found check_format(WireFormat format, const RecordArray<Payload>& payloads, const Batch& batch, const Expected& want,
                   std::size_t cap, std::uint64_t shrunk_added, std::uint64_t dropped_added) {
  const bool otlp = format == WireFormat::OtlpJson;
  Found found;
  std::map<std::string, const Span*> spans_by_id;
  for (const auto& s : batch.spans) spans_by_id[hex64(s.span_id)] = &s;
  std::size_t next_log = 0, next_point = 0;
  const std::vector<std::size_t> order = otlp ? otlp_point_order(batch.metrics) : std::vector<std::size_t>();
  std::vector<bool> log_seen(batch.logs.size(), false), point_seen(batch.metrics.size(), false);
  std::size_t all_records = 0;
  std::set<std::string> batch_ids;
  for (const auto& payload : payloads) {
    INVARIANT(payload.body.size() <= cap);
    INVARIANT(is_valid_utf8(payload.body));
    const json doc = json::parse(payload.body, nullptr, false);
    INVARIANT(!doc.is_discarded());
    all_records += payload.records;
    std::size_t in_payload = 0;
    const auto span_at = [&](const json& s) {
      const auto it = spans_by_id.find(s["spanId"].get<std::string>());
      INVARIANT(it != spans_by_id.end());
      check_span(s, *it->second, otlp, found);
      spans_by_id.erase(it);  // each span exactly once
      ++in_payload;
    };
    // Logs are packed in batch order; one may be missing only if dropped as oversized.
    const auto log_at = [&](const json& l) {
      bool matched = false;
      while (!matched && next_log < batch.logs.size()) {
        const std::size_t index = next_log++;
        const LogRecord& candidate = batch.logs[index];
        const std::string message = otlp ? l["body"]["stringValue"].get<std::string>() : l["message"].get<std::string>();
        matched = message == candidate.message || message == compact_text(candidate.message, true, 1024);
        if (matched) {
          check_log(l, candidate, index, otlp, found);
          log_seen[index] = true;
        }
      }
      INVARIANT(matched);
      ++in_payload;
    };
    const auto point_at = [&](const json& dp, std::size_t index) {
      check_point(dp, batch.metrics[index], otlp);
      point_seen[index] = true;
      ++found.metrics;
      ++in_payload;
    };
    // Every payload has its own batch id; native bodies carry it (inside the cap checked above).
    INVARIANT(!(payload.batch_id == BatchId{}));
    INVARIANT(batch_ids.insert(to_hex(payload.batch_id)).second);
    if (!otlp) {
      INVARIANT(doc["service"] == want.service);
      INVARIANT(doc["batchId"] == to_hex(payload.batch_id));
      INVARIANT(doc["resource"]["service.name"] == want.service);
      INVARIANT(doc["resource"].size() == 1 + want.resource.size());
      for (const auto& kv : want.resource) INVARIANT(native_value_is(doc["resource"][kv.first], kv.second, false));
      for (const auto& s : doc.value("spans", json::array())) span_at(s);
      for (const auto& l : doc.value("logs", json::array())) log_at(l);
      for (const auto& m : doc.value("metrics", json::array())) {
        // Native points keep the batch order; only oversized ones may be missing.
        while (next_point < batch.metrics.size() && !(batch.metrics[next_point].name == m["name"] &&
                                                       same_series(m["tags"], batch.metrics[next_point], false))) {
          ++next_point;
        }
        INVARIANT(next_point < batch.metrics.size());
        point_at(m, next_point++);
      }
    } else {
      const char* keys[3][3] = {{"resourceSpans", "scopeSpans", "spans"},
                                {"resourceMetrics", "scopeMetrics", "metrics"},
                                {"resourceLogs", "scopeLogs", "logRecords"}};
      const auto& k = keys[static_cast<int>(payload.signal) - 1];
      const json& rs = doc[k[0]][0];
      std::map<std::string, json> resource;
      for (const auto& kv : rs["resource"]["attributes"]) {
        INVARIANT(resource.emplace(kv["key"].get<std::string>(), kv["value"]).second);
      }
      INVARIANT(resource.at("service.name") == json{{"stringValue", want.service}});
      INVARIANT(resource.size() == 1 + want.resource.size());
      for (const auto& kv : want.resource) INVARIANT(otlp_value_is(resource.at(kv.first), kv.second, false));
      std::set<std::string> metrics_here;
      for (const auto& record : rs[k[1]][0][k[2]]) {
        if (payload.signal == Signal::Traces) span_at(record);
        else if (payload.signal == Signal::Logs) log_at(record);
        else {
          const char* kind = record.contains("sum") ? "sum" : record.contains("gauge") ? "gauge" : "histogram";
          std::string identity = kind + std::string(1, '\0') + record["name"].get<std::string>() + '\0' +
                                 record["unit"].get<std::string>();
          if (record.contains("sum")) identity += record["sum"]["isMonotonic"] == true ? "+" : "-";
          INVARIANT(metrics_here.insert(identity).second);  // one Metric per metric and payload
          INVARIANT(!record[kind]["dataPoints"].empty());
          for (const auto& dp : record[kind]["dataPoints"]) {
            // Oversized points may be missing; the rest follow the grouped order.
            while (next_point < order.size() && !(batch.metrics[order[next_point]].name == record["name"] &&
                                                  same_series(dp["attributes"], batch.metrics[order[next_point]], true))) {
              ++next_point;
            }
            INVARIANT(next_point < order.size());
            INVARIANT(batch.metrics[order[next_point]].unit == record["unit"]);
            point_at(dp, order[next_point++]);
          }
        }
      }
    }
    INVARIANT(in_payload == payload.records);
  }
  // Every drained record is in a payload or counted as dropped; every compact one was counted.
  for (const auto& missing : spans_by_id) found.dropped.insert("s:" + missing.first);
  for (std::size_t i = 0; i < batch.logs.size(); ++i) if (!log_seen[i]) found.dropped.insert("l:" + std::to_string(i));
  for (std::size_t i = 0; i < batch.metrics.size(); ++i) {
    if (!point_seen[i]) found.dropped.insert("m:" + std::to_string(i));
  }
  INVARIANT(all_records == found.spans + found.metrics + found.logs);
  INVARIANT(all_records + found.dropped.size() == batch.size());
  (void)dropped_added;  // checked by the caller against the drain's ledger (counted once per record)
  (void)shrunk_added;
  return found;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::string repaired;
  repair_utf8(input, repaired);
  INVARIANT(is_valid_utf8(repaired));
  INVARIANT(is_valid_utf8(truncate_utf8(repaired, size / 2)));

  if (const auto ctx = parse_traceparent(input)) {
    INVARIANT(parse_traceparent(format_traceparent(ctx->trace_id, ctx->span_id, ctx->flags)));
  }
  const std::string state = normalize_tracestate(input);
  INVARIANT(state.empty() || normalize_tracestate(state) == state);

  FuzzedDataProvider in(data, size);
  const Limits limits;           // what Telemetry uses by default
  const RedactionPolicy policy;  // likewise
  Stats scratch;
  const auto name = [&](const std::string& raw) { return sanitize_text(raw, limits.max_name_bytes, scratch); };
  // Values and messages are cleaned as the core cleans host text: repaired, redacted, cut.
  const auto value = [&](const std::string& raw) {
    bool cut = false;
    return clean_like_core(policy, raw, limits.max_attribute_value_bytes, cut);
  };
  const auto message = [&](const std::string& raw) {
    bool cut = false;
    return clean_like_core(policy, raw, limits.max_message_bytes, cut);
  };

  TelemetryOptions options;
  options.service = in.ConsumeRandomLengthString(64);
  if (options.service.empty()) options.service = "fuzz";
  const std::size_t cap = 1024 + in.ConsumeIntegralInRange<std::size_t>(0, 8192);
  options.encode.max_payload_bytes = cap;
  const std::size_t max_records = in.ConsumeIntegralInRange<std::size_t>(0, 6);
  options.encode.max_records_per_payload = max_records;
  // Numbers first: the provider takes them from the end of the input, strings from the front, so
  // times and histogram values stay under the fuzzer's control however long the strings get.
  double times[8];
  for (double& time : times) time = hostile_double(in);
  std::vector<double> histogram_values(in.ConsumeIntegralInRange<std::size_t>(1, 8));
  for (double& v : histogram_values) v = hostile_double(in);
  std::vector<double> histogram_times(histogram_values.size());
  for (double& time : histogram_times) time = hostile_double(in);
  Expected want;
  want.service = name(options.service);
  Telemetry t(std::move(options));

  // Resource: a hostile key with a hostile string, and typed values.
  {
    const std::string key_raw = in.ConsumeRandomLengthString(128);
    const std::string value_raw = in.ConsumeRandomLengthString(256);
    t.stage_string(t.intern(key_raw), value_raw);
    // The core refuses an empty key and a non-finite number (counted), never sends them.
    if (!name(key_raw).empty()) {
      model_set(want.resource, name(key_raw), kept_as(policy, name(key_raw), AttributeValue::of_string(value(value_raw))));
    }
    const AttributeValue number = AttributeValue::of_double(hostile_double(in));
    t.stage(t.intern("cloud.region.weight"), number);
    if (std::isfinite(number.number)) model_set(want.resource, "cloud.region.weight", number);
    t.set_resource_from_stage();
    Model kept;  // Resource::service wins over a service.name attribute
    for (auto& kv : want.resource) if (kv.first != "service.name") kept.push_back(kv);
    want.resource = kept;
  }

  // Spans: a root (maybe continuing the input as a traceparent) with hostile and typed attributes,
  // a child with an event and an error status.
  // Names get a fixed first byte: the core refuses an empty name (and its record), which the
  // doctest suite covers; here every record must be named so the model can follow it.
  const std::string root_raw = "r" + in.ConsumeRandomLengthString(2048);
  const double t_root = times[0];
  bool rejected = false;
  const auto root = t.start_remote_span(t.intern(root_raw), SpanKind::Server, t_root, input.substr(0, 64),
                                        input.substr(0, 128), &rejected);
  want.root_name = name(root_raw);
  const std::size_t attributes = in.ConsumeIntegralInRange<std::size_t>(0, 40);
  bool array_staged = false;
  for (std::size_t i = 0; i < attributes; ++i) {
    const std::string key_raw = "k" + in.ConsumeRandomLengthString(64);
    const std::string key = name(key_raw);
    switch (in.ConsumeIntegralInRange<int>(0, 4)) {
      case 0: {
        const std::string raw = hostile_text(in, 600);
        t.stage_string(t.intern(key_raw), raw);
        model_set(want.root_attributes, key, kept_as(policy, key, AttributeValue::of_string(value(raw))));
        break;
      }
      case 1: {
        const auto v = AttributeValue::of_int(in.ConsumeIntegral<std::int64_t>());
        t.stage(t.intern(key_raw), v);
        model_set(want.root_attributes, key, kept_as(policy, key, v));
        break;
      }
      case 2: {
        const auto v = AttributeValue::of_double(hostile_double(in));
        t.stage(t.intern(key_raw), v);
        if (std::isfinite(v.number)) model_set(want.root_attributes, key, kept_as(policy, key, v));  // non-finite: refused, counted
        break;
      }
      case 3: {
        // Bools only under fixed keys: a user's own "edgescope.truncated": true would look like
        // the compact marker, which this checker tells apart only by value.
        const auto v = AttributeValue::of_bool(in.ConsumeBool());
        t.stage(t.intern("fuzz.flag"), v);
        model_set(want.root_attributes, "fuzz.flag", v);
        break;
      }
      default: {
        // An array of one element type, up to past the element bound; strings hostile and, all
        // together, often past one value's byte limit. One array per input: an array costs up to
        // ~34 KB of the span's 128 KiB record budget.
        if (array_staged) break;
        array_staged = true;
        const int type = in.ConsumeIntegralInRange<int>(0, 3);
        const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(0, kMaxArrayElements + 12);
        RecordArray<AttributeValue> elements;
        for (std::size_t e = 0; e < n; ++e) {
          switch (type) {
            case 0: elements.push_back(AttributeValue::of_string(hostile_text(in, 100))); break;
            case 1: elements.push_back(AttributeValue::of_int(in.ConsumeIntegral<std::int64_t>())); break;
            case 2: elements.push_back(AttributeValue::of_double(hostile_double(in))); break;
            default: elements.push_back(AttributeValue::of_bool(in.ConsumeBool()));
          }
        }
        const AttributeValue raw = AttributeValue::of_array(std::move(elements));
        bool finite = true;
        for (std::size_t e = 0; e < raw.elements.size() && e < kMaxArrayElements; ++e) {
          if (type == 2 && !std::isfinite(raw.elements[e].number)) finite = false;
        }
        const std::uint64_t truncated_before = t.stats().values_truncated;
        const std::uint64_t over_budget_before = t.stats().attributes_dropped_byte_budget;
        t.stage(t.intern(key_raw), raw);
        if (key.empty() || !finite) break;  // refused and counted: an empty key, a NaN or infinity
        if (t.stats().attributes_dropped_byte_budget != over_budget_before) break;  // the stage is full: refused, counted
        bool cut = false;
        const bool denied = policy.key_denied(key);  // the whole value goes, nothing is cut
        model_set(want.root_attributes, key,
                  kept_as(policy, key, denied ? raw : expected_array(policy, raw, limits.max_attribute_value_bytes, cut)));
        INVARIANT(t.stats().values_truncated - truncated_before == (cut ? 1u : 0u));  // once per array
      }
    }
  }
  t.apply_staged_to_span(root);
  const bool recording = t.tracer().is_recording(root);

  const std::string child_raw = "c" + in.ConsumeRandomLengthString(512);
  const auto child = t.start_span(root, t.intern(child_raw), SpanKind::Client, times[1]);
  want.child_name = name(child_raw);
  const std::string event_raw = "e" + in.ConsumeRandomLengthString(128);
  const std::string event_value_raw = in.ConsumeRandomLengthString(512);
  t.stage_string(t.intern("event.detail"), event_value_raw);
  t.add_event(child, t.intern(event_raw), times[2]);
  want.event_name = name(event_raw);
  model_set(want.event_attributes, "event.detail", AttributeValue::of_string(value(event_value_raw)));
  const std::string status_raw = hostile_text(in, 2048);
  t.set_status(child, StatusCode::Error, status_raw);
  want.status_message = message(status_raw);

  // Metrics: a histogram with a hostile name, unit and tags fed hostile values (NaN and infinity
  // are refused; negatives are not), and a counter with two series of one metric.
  const std::string metric_raw = "m" + in.ConsumeRandomLengthString(256);
  const std::string unit_raw = "u" + in.ConsumeRandomLengthString(16);
  const std::string tag_raw = in.ConsumeRandomLengthString(256);
  t.stage_string(t.intern("tag"), tag_raw);
  t.stage(t.intern("tag.n"), AttributeValue::of_int(in.ConsumeIntegral<std::int64_t>()));
  // A series' first delta window starts when it was created (later ones at the previous drain).
  const auto histogram = t.series(MetricType::Histogram, t.intern(metric_raw), t.intern(unit_raw), times[0]);
  want.created_ms = times[0];
  want.metric_name = name(metric_raw);
  want.metric_unit = name(unit_raw);
  for (std::size_t i = 0; i < histogram_values.size(); ++i) {
    const double v = histogram_values[i];
    const double now = histogram_times[i];
    const bool accepted = t.record(histogram, v, now);
    if (accepted) INVARIANT(histogram > 0 && std::isfinite(v));
    // A finite value that keeps the sum finite has no reason to be refused.
    if (histogram > 0 && std::isfinite(v) && std::isfinite(want.sum + v)) INVARIANT(accepted);
    if (!accepted) continue;
    if (want.count == 0) {
      want.min = want.max = v;
      want.first_ms = now;
    }
    ++want.count;
    want.sum += v;
    want.min = v < want.min ? v : want.min;
    want.max = v > want.max ? v : want.max;
    want.last_ms = now;
  }
  for (int shard = 0; shard < 2; ++shard) {
    t.stage(t.intern("shard"), AttributeValue::of_int(shard));
    t.record(t.series(MetricType::Counter, t.intern("fuzz.requests"), t.intern("1")), 1 + shard, times[3 + shard]);
  }

  const std::string log_raw = hostile_text(in, 4096);
  const std::string log_value_raw = in.ConsumeRandomLengthString(512);
  const char* log_key = in.ConsumeBool() ? "exception.message" : "log.detail";
  t.stage_string(t.intern(log_key), log_value_raw);
  model_set(want.log_attributes, log_key, AttributeValue::of_string(value(log_value_raw)));
  t.log(LogLevel::Warn, log_raw, child, times[5]);
  want.log_message = message(log_raw);
  t.end_span(child, times[6]);
  t.end_span(root, times[7]);
  t.drain();

  // The batch holds what the raw input predicts.
  const Batch& batch = t.drained();
  INVARIANT(batch.spans.size() == (recording ? 2u : 0u));
  for (const Span& s : batch.spans) {
    if (s.span_id == t.drained().spans.back().span_id) {  // the root ends last
      INVARIANT(s.name == want.root_name);
      INVARIANT(same_attributes(s.attributes, want.root_attributes));
    } else {
      INVARIANT(s.name == want.child_name);
      INVARIANT(s.status_message == want.status_message);
      INVARIANT(s.events.size() == 1 && s.events[0].name == want.event_name);
      INVARIANT(same_attributes(s.events[0].attributes, want.event_attributes));
    }
  }
  INVARIANT(batch.logs.size() == 1 && batch.logs[0].message == want.log_message);
  INVARIANT(same_attributes(batch.logs[0].attributes, want.log_attributes));
  for (const MetricPoint& p : batch.metrics) {
    if (p.type != MetricType::Histogram) continue;
    INVARIANT(p.name == want.metric_name && p.unit == want.metric_unit);
    INVARIANT(p.count == want.count && p.value == want.sum && p.min == want.min && p.max == want.max);
    INVARIANT(p.start_ms == want.created_ms || (std::isnan(p.start_ms) && std::isnan(want.created_ms)));
    INVARIANT(p.time_ms == want.last_ms || (std::isnan(p.time_ms) && std::isnan(want.last_ms)));
  }

  // Each format decodes back to the batch.
  RecordArray<Payload> bodies[2];
  Found found[2];
  for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
    const int f = static_cast<int>(format);
    const std::uint64_t shrunk_before = t.stats().records_shrunk;
    const std::uint64_t dropped_before = t.stats().records_dropped_oversize;
    bodies[f] = t.encode_drained(format);
    const std::uint64_t shrunk_added = t.stats().records_shrunk - shrunk_before;
    const std::uint64_t dropped_added = t.stats().records_dropped_oversize - dropped_before;
    found[f] = check_format(format, bodies[f], batch, want, cap, shrunk_added, dropped_added);
    // The drain's ledger counts a record once whatever the number of formats: the second format
    // adds only what the first did not already count.
    std::size_t new_dropped = found[f].dropped.size();
    std::size_t new_shrunk = found[f].shrunk.size();
    if (f == 1) {
      new_dropped = 0;
      for (const auto& id : found[1].dropped) new_dropped += found[0].dropped.count(id) == 0 ? 1 : 0;
      new_shrunk = 0;
      for (const auto& id : found[1].shrunk) new_shrunk += found[0].shrunk.count(id) == 0 ? 1 : 0;
    }
    INVARIANT(new_dropped == dropped_added);
    INVARIANT(new_shrunk == shrunk_added);
  }

  // Both formats against one ledger: the same payloads (so the resource is what the fuzzer
  // predicts), each shrunk or dropped record counted at most once across the two.
  Resource resource;
  resource.service = want.service;
  for (const auto& kv : want.resource) resource.attributes.push_back({kv.first, kv.second});
  EncodeOptions encode_options;
  encode_options.max_payload_bytes = cap;
  encode_options.max_records_per_payload = max_records;
  OversizeLedger ledger;
  Stats once;
  for (const auto format : {WireFormat::NativeJson, WireFormat::OtlpJson}) {
    const auto again = encode(format, batch, resource, encode_options, ledger, once);
    const auto& first = bodies[static_cast<int>(format)];
    INVARIANT(again.size() == first.size());
    // The free encode() leaves the batch id placeholder; the core's payloads got their ids after.
    for (std::size_t i = 0; i < again.size(); ++i) {
      std::string body = again[i].body;
      if (again[i].batch_id_at != kNoBatchIdField) body.replace(again[i].batch_id_at, kBatchIdHexDigits, to_hex(first[i].batch_id));
      INVARIANT(body == first[i].body);
    }
  }
  std::set<std::string> shrunk = found[0].shrunk, dropped = found[0].dropped;
  shrunk.insert(found[1].shrunk.begin(), found[1].shrunk.end());
  dropped.insert(found[1].dropped.begin(), found[1].dropped.end());
  INVARIANT(once.records_shrunk == shrunk.size());
  INVARIANT(once.records_dropped_oversize == dropped.size());
  return 0;
}
