// The Protocol Buffers binary wire format, as far as OTLP needs it (protobuf.dev, "Encoding"):
// base-128 varints, tags (field_number << 3 | wire_type), little-endian fixed32/fixed64/double,
// and length-delimited fields (strings, bytes, nested messages, packed repeated scalars).
//
// A nested message's length prefix comes before its content, so its size must be known first.
// ProtoSink runs the same emit code twice: measuring (every nested message's length recorded in
// the order the messages open) and then writing (each length read back in that order), so a
// record is written once, straight into its payload, with no second copy and no length guess.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/grow_array.hpp"

namespace edgescope {
namespace proto {

enum class WireType : std::uint8_t { Varint = 0, I64 = 1, Len = 2, I32 = 5 };

// 1..10 bytes: 7 bits per byte.
inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline std::size_t tag_size(std::uint32_t field) { return varint_size(std::uint64_t{field} << 3); }
// A length-delimited field's tag, length and content.
inline std::size_t len_field_size(std::uint32_t field, std::size_t content) {
  return tag_size(field) + varint_size(content) + content;
}

void append_varint(std::string& out, std::uint64_t v);
void append_tag(std::string& out, std::uint32_t field, WireType type);
void append_fixed32(std::string& out, std::uint32_t v);
void append_fixed64(std::string& out, std::uint64_t v);

// Emits fields of one (top-level) message, measuring or writing. The `*_present` methods always
// emit (a oneof member or a proto3 `optional` field: explicit presence, so a zero value is still
// sent); the others follow proto3 implicit presence and leave a default value (0, "", empty) out
// (protobuf.dev, "Field Presence").
class ProtoSink {
 public:
  // Starts measuring a message: every field emitted from here adds to size().
  void measure();
  std::size_t size() const { return size_; }
  // Starts writing, to the end of `out`, the message measured last (emitted the same way).
  void write_to(std::string& out);

  void uint(std::uint32_t field, std::uint64_t v) {
    if (v != 0) uint_present(field, v);
  }
  void uint_present(std::uint32_t field, std::uint64_t v);
  // int64 as a varint: a negative value is its two's complement, ten bytes.
  void int_present(std::uint32_t field, std::int64_t v) { uint_present(field, static_cast<std::uint64_t>(v)); }
  void fixed32(std::uint32_t field, std::uint32_t v);
  void fixed64(std::uint32_t field, std::uint64_t v);
  void double_present(std::uint32_t field, double v);
  void string(std::uint32_t field, std::string_view text) {
    if (!text.empty()) string_present(field, text);
  }
  void string_present(std::uint32_t field, std::string_view bytes);
  // Packed repeated fields (proto3's default for repeated scalars); nothing when empty.
  void packed_fixed64(std::uint32_t field, const GrowArray<std::uint64_t>& values);
  void packed_double(std::uint32_t field, const GrowArray<double>& values);
  // A nested message: fields emitted between begin and end are its content.
  void begin(std::uint32_t field);
  void end();

 private:
  void header(std::uint32_t field, WireType type);
  void append(const char* bytes, std::size_t n) {
    if (out_) out_->append(bytes, n);
    else size_ += n;
  }

  std::string* out_ = nullptr;  // nullptr: measuring
  std::size_t size_ = 0;
  GrowArray<std::size_t> lengths_;  // nested message lengths, in the order they open
  GrowArray<std::size_t> open_;     // measuring: the lengths_ slot of each open message
  std::size_t next_ = 0;              // writing: the next length to read
};

}  // namespace proto
}  // namespace edgescope
