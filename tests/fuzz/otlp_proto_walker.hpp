// A strict reader of the protobuf wire format (protobuf.dev, "Encoding") over the OTLP messages
// the edgescope encoder writes, transcribed from opentelemetry-proto (collector/*/v1,
// trace/metrics/logs/common/resource v1) by hand rather than shared with the encoder, so a wrong
// field number or wire type fails here. It decodes a payload completely into a tree and refuses,
// with the path and the reason, anything that is not exactly a well-formed message: a bad tag or
// wire type, a varint longer than 10 bytes, a length past the end, a field the message does not
// have, a singular field twice, a oneof with two members, invalid UTF-8 in a string, an id of the
// wrong length, a uint32 or bool out of range, a packed field not a multiple of 8 bytes.
// Used by the core suite (tests/core/otlp_proto_test.cpp) and the fuzz target.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/utf8.hpp"
#include "edgescope/wire.hpp"

namespace otlp_walk {

enum class Kind { Message, String, Bytes, Id16, Id8, U32, I64, Bool, Fixed64, Fixed32, Double, PackedFixed64, PackedDouble };

struct FieldSpec {
  Kind kind;
  const char* message = nullptr;  // Kind::Message
  bool repeated = false;
  int oneof = 0;  // fields of one message sharing a non-zero oneof id are one oneof
};

struct MessageSpec {
  std::map<std::uint32_t, FieldSpec> fields;
};

inline const std::map<std::string, MessageSpec>& schema() {
  using K = Kind;
  static const std::map<std::string, MessageSpec> s = {
      {"ExportTraceServiceRequest", {{{1, {K::Message, "ResourceSpans", true}}}}},
      {"ExportMetricsServiceRequest", {{{1, {K::Message, "ResourceMetrics", true}}}}},
      {"ExportLogsServiceRequest", {{{1, {K::Message, "ResourceLogs", true}}}}},
      {"ResourceSpans", {{{1, {K::Message, "Resource"}}, {2, {K::Message, "ScopeSpans", true}}, {3, {K::String}}}}},
      {"ResourceMetrics", {{{1, {K::Message, "Resource"}}, {2, {K::Message, "ScopeMetrics", true}}, {3, {K::String}}}}},
      {"ResourceLogs", {{{1, {K::Message, "Resource"}}, {2, {K::Message, "ScopeLogs", true}}, {3, {K::String}}}}},
      {"ScopeSpans", {{{1, {K::Message, "InstrumentationScope"}}, {2, {K::Message, "Span", true}}, {3, {K::String}}}}},
      {"ScopeMetrics", {{{1, {K::Message, "InstrumentationScope"}}, {2, {K::Message, "Metric", true}}, {3, {K::String}}}}},
      {"ScopeLogs", {{{1, {K::Message, "InstrumentationScope"}}, {2, {K::Message, "LogRecord", true}}, {3, {K::String}}}}},
      {"Resource", {{{1, {K::Message, "KeyValue", true}}, {2, {K::U32}}}}},
      {"InstrumentationScope",
       {{{1, {K::String}}, {2, {K::String}}, {3, {K::Message, "KeyValue", true}}, {4, {K::U32}}}}},
      {"KeyValue", {{{1, {K::String}}, {2, {K::Message, "AnyValue"}}}}},
      {"AnyValue",
       {{{1, {K::String, nullptr, false, 1}},
         {2, {K::Bool, nullptr, false, 1}},
         {3, {K::I64, nullptr, false, 1}},
         {4, {K::Double, nullptr, false, 1}},
         {5, {K::Message, "ArrayValue", false, 1}},
         {6, {K::Message, "KeyValueList", false, 1}},
         {7, {K::Bytes, nullptr, false, 1}}}}},
      {"ArrayValue", {{{1, {K::Message, "AnyValue", true}}}}},
      {"KeyValueList", {{{1, {K::Message, "KeyValue", true}}}}},
      {"Span",
       {{{1, {K::Id16}},
         {2, {K::Id8}},
         {3, {K::String}},
         {4, {K::Id8}},
         {5, {K::String}},
         {6, {K::U32}},
         {7, {K::Fixed64}},
         {8, {K::Fixed64}},
         {9, {K::Message, "KeyValue", true}},
         {10, {K::U32}},
         {11, {K::Message, "Event", true}},
         {12, {K::U32}},
         {13, {K::Message, "Link", true}},
         {14, {K::U32}},
         {15, {K::Message, "Status"}},
         {16, {K::Fixed32}}}}},
      {"Event", {{{1, {K::Fixed64}}, {2, {K::String}}, {3, {K::Message, "KeyValue", true}}, {4, {K::U32}}}}},
      {"Link",
       {{{1, {K::Id16}}, {2, {K::Id8}}, {3, {K::String}}, {4, {K::Message, "KeyValue", true}}, {5, {K::U32}}, {6, {K::Fixed32}}}}},
      {"Status", {{{2, {K::String}}, {3, {K::U32}}}}},
      {"Metric",
       {{{1, {K::String}},
         {2, {K::String}},
         {3, {K::String}},
         {5, {K::Message, "Gauge", false, 1}},
         {7, {K::Message, "Sum", false, 1}},
         {9, {K::Message, "Histogram", false, 1}},
         {10, {K::Message, "ExponentialHistogram", false, 1}},
         {12, {K::Message, "KeyValue", true}}}}},
      {"Gauge", {{{1, {K::Message, "NumberDataPoint", true}}}}},
      {"Sum", {{{1, {K::Message, "NumberDataPoint", true}}, {2, {K::U32}}, {3, {K::Bool}}}}},
      {"Histogram", {{{1, {K::Message, "HistogramDataPoint", true}}, {2, {K::U32}}}}},
      {"NumberDataPoint",
       {{{7, {K::Message, "KeyValue", true}},
         {2, {K::Fixed64}},
         {3, {K::Fixed64}},
         {4, {K::Double, nullptr, false, 1}},
         {6, {K::Fixed64, nullptr, false, 1}},
         {8, {K::U32}}}}},
      {"HistogramDataPoint",
       {{{9, {K::Message, "KeyValue", true}},
         {2, {K::Fixed64}},
         {3, {K::Fixed64}},
         {4, {K::Fixed64}},
         {5, {K::Double}},
         {6, {K::PackedFixed64}},
         {7, {K::PackedDouble}},
         {10, {K::U32}},
         {11, {K::Double}},
         {12, {K::Double}}}}},
      {"ExponentialHistogram", {{{1, {K::Message, "ExponentialHistogramDataPoint", true}}, {2, {K::U32}}}}},
      {"ExponentialHistogramDataPoint",
       {{{1, {K::Message, "KeyValue", true}},
         {2, {K::Fixed64}},
         {3, {K::Fixed64}},
         {4, {K::Fixed64}},
         {5, {K::Double}},
         {6, {K::U32}},  // scale: sint32, its ZigZag varint fits 32 bits
         {7, {K::Fixed64}},
         {8, {K::Message, "Buckets"}},
         {9, {K::Message, "Buckets"}},
         {10, {K::U32}},
         {12, {K::Double}},
         {13, {K::Double}},
         {14, {K::Double}}}}},
      {"Buckets", {{{1, {K::U32}}, {2, {K::I64, nullptr, true}}}}},  // offset sint32; bucket_counts uint64, unpacked
      {"LogRecord",
       {{{1, {K::Fixed64}},
         {11, {K::Fixed64}},
         {2, {K::U32}},
         {3, {K::String}},
         {5, {K::Message, "AnyValue"}},
         {6, {K::Message, "KeyValue", true}},
         {7, {K::U32}},
         {8, {K::Fixed32}},
         {9, {K::Id16}},
         {10, {K::Id8}},
         {12, {K::String}}}}},
  };
  return s;
}

struct Node;
struct Value {
  std::uint64_t number = 0;    // varint, fixed32, fixed64 (a double's bits)
  std::string_view bytes;      // strings, bytes, packed data
  std::shared_ptr<Node> message;
};
struct Node {
  std::map<std::uint32_t, std::vector<Value>> fields;
  std::size_t count(std::uint32_t f) const {
    const auto it = fields.find(f);
    return it == fields.end() ? 0 : it->second.size();
  }
  bool has(std::uint32_t f) const { return count(f) > 0; }
  const Value& at(std::uint32_t f, std::size_t i = 0) const { return fields.at(f).at(i); }
  const Node& msg(std::uint32_t f, std::size_t i = 0) const { return *at(f, i).message; }
  std::string str(std::uint32_t f) const { return has(f) ? std::string(at(f).bytes) : std::string(); }
  std::uint64_t num(std::uint32_t f) const { return has(f) ? at(f).number : 0; }
};

class Walker {
 public:
  // Decodes `bytes` as the message `type`; false with `why` (path: reason) when it is not one.
  bool walk(const std::string& type, std::string_view bytes, Node& out, std::string& why) {
    why.clear();
    return message(type, bytes, out, type, why, 0);
  }

 private:
  static bool fail(std::string& why, const std::string& path, const std::string& reason) {
    why = path + ": " + reason;
    return false;
  }

  static bool varint(std::string_view b, std::size_t& at, std::uint64_t& v) {
    v = 0;
    for (int i = 0; i < 10; ++i) {
      if (at >= b.size()) return false;
      const auto byte = static_cast<std::uint8_t>(b[at++]);
      if (i == 9 && byte > 1) return false;  // past 64 bits
      v |= std::uint64_t{byte & 0x7fu} << (7 * i);
      if (!(byte & 0x80)) return true;
    }
    return false;
  }

  static std::uint64_t le(std::string_view b, std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(b[at + i])} << (8 * i);
    return v;
  }

  bool message(const std::string& type, std::string_view b, Node& out, const std::string& path, std::string& why,
               int depth) {
    if (depth > 16) return fail(why, path, "nested too deep");
    const auto found = schema().find(type);
    if (found == schema().end()) return fail(why, path, "no message " + type);
    const MessageSpec& spec = found->second;
    std::map<int, std::uint32_t> oneof_seen;
    std::size_t at = 0;
    while (at < b.size()) {
      std::uint64_t tag;
      if (!varint(b, at, tag)) return fail(why, path, "truncated or overlong tag varint");
      const auto field = static_cast<std::uint32_t>(tag >> 3);
      const auto wire = static_cast<unsigned>(tag & 7);
      if (tag >> 3 == 0 || tag >> 3 > 536870911) return fail(why, path, "field number out of range");
      const std::string where = path + "." + std::to_string(field);
      const auto f = spec.fields.find(field);
      if (f == spec.fields.end()) return fail(why, where, type + " has no such field");
      const FieldSpec& fs = f->second;
      if (!fs.repeated && out.has(field)) return fail(why, where, "singular field sent twice");
      if (fs.oneof != 0) {
        const auto seen = oneof_seen.emplace(fs.oneof, field);
        if (!seen.second) return fail(why, where, "second member of a oneof (first: " + std::to_string(seen.first->second) + ")");
      }
      Value v;
      switch (fs.kind) {
        case Kind::U32:
        case Kind::I64:
        case Kind::Bool:
          if (wire != 0) return fail(why, where, "expected wire type 0 (varint), got " + std::to_string(wire));
          if (!varint(b, at, v.number)) return fail(why, where, "truncated or overlong varint");
          if (fs.kind == Kind::U32 && v.number > UINT32_MAX) return fail(why, where, "uint32 out of range");
          if (fs.kind == Kind::Bool && v.number > 1) return fail(why, where, "bool out of range");
          break;
        case Kind::Fixed64:
        case Kind::Double:
          if (wire != 1) return fail(why, where, "expected wire type 1 (i64), got " + std::to_string(wire));
          if (b.size() - at < 8) return fail(why, where, "truncated fixed64");
          v.number = le(b, at, 8);
          at += 8;
          break;
        case Kind::Fixed32:
          if (wire != 5) return fail(why, where, "expected wire type 5 (i32), got " + std::to_string(wire));
          if (b.size() - at < 4) return fail(why, where, "truncated fixed32");
          v.number = le(b, at, 4);
          at += 4;
          break;
        default: {
          if (wire != 2) return fail(why, where, "expected wire type 2 (len), got " + std::to_string(wire));
          std::uint64_t len;
          if (!varint(b, at, len)) return fail(why, where, "truncated or overlong length");
          if (len > b.size() - at) return fail(why, where, "length " + std::to_string(len) + " past the end");
          v.bytes = b.substr(at, static_cast<std::size_t>(len));
          at += static_cast<std::size_t>(len);
          if (fs.kind == Kind::String && !edgescope::is_valid_utf8(v.bytes)) return fail(why, where, "string not UTF-8");
          if (fs.kind == Kind::Id16 && v.bytes.size() != 16) return fail(why, where, "trace id not 16 bytes");
          if (fs.kind == Kind::Id8 && v.bytes.size() != 8) return fail(why, where, "span id not 8 bytes");
          if ((fs.kind == Kind::PackedFixed64 || fs.kind == Kind::PackedDouble) && v.bytes.size() % 8 != 0) {
            return fail(why, where, "packed 64-bit values not a multiple of 8 bytes");
          }
          if (fs.kind == Kind::Message) {
            v.message = std::make_shared<Node>();
            const std::string child = where + "[" + std::to_string(out.count(field)) + "]:" + fs.message;
            if (!message(fs.message, v.bytes, *v.message, child, why, depth + 1)) return false;
          }
        }
      }
      out.fields[field].push_back(std::move(v));
    }
    return true;
  }
};

inline const char* request_type(edgescope::Signal signal) {
  switch (signal) {
    case edgescope::Signal::Traces: return "ExportTraceServiceRequest";
    case edgescope::Signal::Metrics: return "ExportMetricsServiceRequest";
    case edgescope::Signal::Logs: return "ExportLogsServiceRequest";
    case edgescope::Signal::Mixed: break;
  }
  return "";
}

// The records one decoded request holds: spans, data points or log records, in order.
inline std::vector<const Node*> records(edgescope::Signal signal, const Node& request) {
  std::vector<const Node*> out;
  for (const Value& rx : request.fields.count(1) ? request.fields.at(1) : std::vector<Value>{}) {
    for (const Value& sx : rx.message->fields.count(2) ? rx.message->fields.at(2) : std::vector<Value>{}) {
      for (const Value& r : sx.message->fields.count(2) ? sx.message->fields.at(2) : std::vector<Value>{}) {
        if (signal != edgescope::Signal::Metrics) {
          out.push_back(r.message.get());
          continue;
        }
        for (const std::uint32_t data : {5u, 7u, 9u, 10u}) {
          if (!r.message->has(data)) continue;
          const Node& d = r.message->msg(data);
          for (std::size_t i = 0; i < d.count(1); ++i) out.push_back(&d.msg(1, i));
        }
      }
    }
  }
  return out;
}

}  // namespace otlp_walk
