#include "edgescope/ids.hpp"

namespace edgescope {
namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64 expands a weak or zero seed into a usable xoshiro state (the authors' advice).
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr char kHex[] = "0123456789abcdef";

void append_u64(std::string& out, std::uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xF]);
}

}  // namespace

IdGenerator::IdGenerator(const std::array<std::uint64_t, 4>& seed) {
  std::uint64_t mix = seed[0] ^ rotl(seed[1], 17) ^ rotl(seed[2], 31) ^ rotl(seed[3], 47);
  for (std::size_t i = 0; i < 4; ++i) state_[i] = seed[i] ^ splitmix64(mix);
}

std::uint64_t IdGenerator::next() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

TraceId IdGenerator::next_trace_id() {
  TraceId id;
  do {
    id.high = next();
    id.low = next();
  } while (!id.is_valid());
  return id;
}

SpanId IdGenerator::next_span_id() {
  SpanId id = 0;
  while (id == 0) id = next();
  return id;
}

BatchId IdGenerator::next_batch_id() {
  BatchId id;
  do {
    id.high = next();
    id.low = next();
  } while (id.high == 0 && id.low == 0);
  return id;
}

void append_hex(std::string& out, const BatchId& id) {
  append_u64(out, id.high);
  append_u64(out, id.low);
}

std::string to_hex(const BatchId& id) {
  std::string out;
  out.reserve(32);
  append_hex(out, id);
  return out;
}

void append_hex(std::string& out, const TraceId& id) {
  append_u64(out, id.high);
  append_u64(out, id.low);
}
void append_hex(std::string& out, SpanId id) { append_u64(out, id); }

std::string to_hex(const TraceId& id) {
  std::string out;
  out.reserve(32);
  append_hex(out, id);
  return out;
}

std::string to_hex(SpanId id) {
  std::string out;
  out.reserve(16);
  append_hex(out, id);
  return out;
}

bool parse_hex_u64(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (const char c : text) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else return false;
    value = (value << 4) | static_cast<std::uint64_t>(digit);
  }
  return true;
}

}  // namespace edgescope
