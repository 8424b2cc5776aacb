#include "edgescope/proto_writer.hpp"

#include <cstring>

namespace edgescope {
namespace proto {
namespace {

// Fills buf with v's varint bytes; returns how many.
std::size_t put_varint(char* buf, std::uint64_t v) {
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(static_cast<std::uint8_t>(v) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}

void put_le(char* buf, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t double_bits(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);  // IEEE 754 binary64, sent little-endian like fixed64
  return bits;
}

}  // namespace

void append_varint(std::string& out, std::uint64_t v) {
  char buf[10];
  out.append(buf, put_varint(buf, v));
}

void append_tag(std::string& out, std::uint32_t field, WireType type) {
  append_varint(out, (std::uint64_t{field} << 3) | static_cast<std::uint8_t>(type));
}

void append_fixed32(std::string& out, std::uint32_t v) {
  char buf[4];
  put_le(buf, v, 4);
  out.append(buf, 4);
}

void append_fixed64(std::string& out, std::uint64_t v) {
  char buf[8];
  put_le(buf, v, 8);
  out.append(buf, 8);
}

void ProtoSink::measure() {
  out_ = nullptr;
  size_ = 0;
  lengths_.clear();
  open_.clear();
}

void ProtoSink::write_to(std::string& out) {
  out_ = &out;
  next_ = 0;
}

void ProtoSink::header(std::uint32_t field, WireType type) {
  char buf[10];
  append(buf, put_varint(buf, (std::uint64_t{field} << 3) | static_cast<std::uint8_t>(type)));
}

void ProtoSink::uint_present(std::uint32_t field, std::uint64_t v) {
  char buf[20];
  std::size_t n = put_varint(buf, (std::uint64_t{field} << 3) | static_cast<std::uint8_t>(WireType::Varint));
  n += put_varint(buf + n, v);
  append(buf, n);
}

void ProtoSink::fixed32(std::uint32_t field, std::uint32_t v) {
  if (v == 0) return;
  header(field, WireType::I32);
  char buf[4];
  put_le(buf, v, 4);
  append(buf, 4);
}

void ProtoSink::fixed64(std::uint32_t field, std::uint64_t v) {
  if (v == 0) return;
  header(field, WireType::I64);
  char buf[8];
  put_le(buf, v, 8);
  append(buf, 8);
}

void ProtoSink::double_present(std::uint32_t field, double v) {
  header(field, WireType::I64);
  char buf[8];
  put_le(buf, double_bits(v), 8);
  append(buf, 8);
}

void ProtoSink::string_present(std::uint32_t field, std::string_view bytes) {
  header(field, WireType::Len);
  char buf[10];
  append(buf, put_varint(buf, bytes.size()));
  append(bytes.data(), bytes.size());
}

void ProtoSink::packed_fixed64(std::uint32_t field, const GrowArray<std::uint64_t>& values) {
  if (values.empty()) return;
  header(field, WireType::Len);
  char buf[10];
  append(buf, put_varint(buf, values.size() * 8));
  if (!out_) {
    size_ += values.size() * 8;
    return;
  }
  for (const std::uint64_t v : values) {
    put_le(buf, v, 8);
    out_->append(buf, 8);
  }
}

void ProtoSink::packed_double(std::uint32_t field, const GrowArray<double>& values) {
  if (values.empty()) return;
  header(field, WireType::Len);
  char buf[10];
  append(buf, put_varint(buf, values.size() * 8));
  if (!out_) {
    size_ += values.size() * 8;
    return;
  }
  for (const double v : values) {
    put_le(buf, double_bits(v), 8);
    out_->append(buf, 8);
  }
}

void ProtoSink::begin(std::uint32_t field) {
  header(field, WireType::Len);
  if (out_) {
    append_varint(*out_, lengths_[next_++]);
    return;
  }
  // The slot holds the size so far; end() turns it into the content's length.
  open_.push_back(lengths_.size());
  lengths_.push_back(size_);
}

void ProtoSink::end() {
  if (out_) return;
  const std::size_t slot = open_.back();
  open_.pop_back();
  const std::size_t length = size_ - lengths_[slot];
  lengths_[slot] = length;
  size_ += varint_size(length);  // the length prefix, known only now
}

}  // namespace proto
}  // namespace edgescope
