// What the byte budgets in Limits count ("accounted bytes"), and the pools that enforce them.
//
// A kept string costs its length once escaped as a JSON string: both encoders write every string
// that way, and escaping can turn one control byte into six (RFC 8259 section 7), so a budget on
// accounted bytes bounds the core's own copy and the payloads encoded from it alike. Each element
// adds a fixed overhead that covers its container in memory (struct, vector slack, allocator
// headers) and its fixed fields on the wire (ids, times, JSON keys). Every record also carries the
// payload envelope (service and resource), which a payload of one record repeats.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edgescope/attributes.hpp"

namespace edgescope {

constexpr std::size_t kAttributeOverhead = 96;
constexpr std::size_t kNumberValueBytes = 32;  // an int/double/bool value, quoted int64 included
// An array value costs kArrayValueBytes (its vector's allocation; on the wire
// {"arrayValue":{"values":[]}}, 28 bytes) plus, per element, kArrayElementOverhead and the
// element's own value bytes. The overhead covers the element in memory (an AttributeValue is 48
// bytes in wasm32, a string's heap block adds up to 24 of header and rounding) and its OTLP
// wrapper ({"stringValue":...}, and a comma: 17 bytes).
constexpr std::size_t kArrayValueBytes = 32;
constexpr std::size_t kArrayElementOverhead = 72;
constexpr std::size_t kEventOverhead = 160;
constexpr std::size_t kSpanOverhead = 640;
constexpr std::size_t kLogOverhead = 384;
constexpr std::size_t kSeriesOverhead = 512;      // point struct, hash entries, encoded point fields
constexpr std::size_t kHistogramOverhead = 512;   // and for a histogram: bounds and bucket counts
constexpr std::size_t kNameOverhead = 64;      // hash node and slot
constexpr std::size_t kEnvelopeOverhead = 256;  // OTLP resource/scope wrapper around one record

// Bytes of `text` written as a JSON string, quotes included.
std::size_t json_text_bytes(std::string_view text);
std::size_t value_bytes(const AttributeValue& value);
std::size_t attribute_bytes(const Attribute& attribute);

// A byte budget shared by all records of one kind.
class BytePool {
 public:
  explicit BytePool(std::size_t cap) : cap_(cap) {}
  // Takes `n` bytes if they fit; false (nothing taken) otherwise.
  bool take(std::size_t n) {
    if (n > cap_ - used_) return false;
    used_ += n;
    return true;
  }
  void give(std::size_t n) { used_ -= n < used_ ? n : used_; }
  std::size_t used() const { return used_; }
  std::size_t cap() const { return cap_; }

 private:
  std::size_t cap_;
  std::size_t used_ = 0;
};

// One record's size against its per-record cap and its pool: grows only when both allow it.
struct RecordBytes {
  std::size_t used = 0;
  bool grow(std::size_t n, std::size_t record_cap, BytePool& pool) {
    if (n > record_cap - (used < record_cap ? used : record_cap) || !pool.take(n)) return false;
    used += n;
    return true;
  }
  void shrink(std::size_t n, BytePool& pool) {
    const std::size_t k = n < used ? n : used;
    used -= k;
    pool.give(k);
  }
};

// Sets or replaces `attribute.key` in a record's attributes (last write wins, as in
// OpenTelemetry), charging the size change (`bytes` is attribute_bytes(attribute)) to the record
// and its pool. Nothing changes when it is refused: a new key past `max_attributes` (TooMany), or
// bytes that do not fit (TooLarge). The caller counts a refusal in the record's dropped_attributes
// and in Stats.
enum class PutResult { Stored, TooMany, TooLarge };
PutResult put_attribute(Attributes& attributes, Attribute attribute, std::size_t bytes, std::size_t max_attributes,
                        RecordBytes& record, std::size_t record_cap, BytePool& pool);
// Counts a refusal from put_attribute (no-op for Stored); returns 1 if refused, else 0.
std::uint32_t count_refusal(PutResult result, Stats& stats);

}  // namespace edgescope
