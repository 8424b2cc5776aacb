// Trace and span identifiers (W3C Trace Context, section 3.2) and the generator that makes
// them. The core has no entropy of its own: the host seeds the generator (in a Worker, from
// crypto.getRandomValues), so the core stays pure and tests are reproducible.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgescope {

struct TraceId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool is_valid() const { return high != 0 || low != 0; }
  bool operator==(const TraceId& other) const { return high == other.high && low == other.low; }
};

using SpanId = std::uint64_t;  // 0 means "none"

// One payload's id (128 bits), made when the payload is encoded: exporters send it as the
// Idempotency-Key header and native JSON carries it as "batchId", so a collector can drop a
// payload that arrives twice (a retry after a lost response, a replay from the offline buffer).
struct BatchId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool operator==(const BatchId& other) const { return high == other.high && low == other.low; }
};

// xoshiro256** (Blackman & Vigna): fast, 256-bit state, good enough for identifiers that must
// not collide; not a cryptographic generator, and ids are not secrets.
class IdGenerator {
 public:
  explicit IdGenerator(const std::array<std::uint64_t, 4>& seed);
  std::uint64_t next();
  TraceId next_trace_id();  // never all-zero (invalid per the spec)
  SpanId next_span_id();    // never zero
  BatchId next_batch_id();  // never all-zero (all-zero is the encoders' placeholder)

 private:
  std::array<std::uint64_t, 4> state_;
};

std::string to_hex(const TraceId& id);  // 32 lowercase hex digits
std::string to_hex(SpanId id);          // 16 lowercase hex digits
std::string to_hex(const BatchId& id);  // 32 lowercase hex digits
void append_hex(std::string& out, const TraceId& id);
void append_hex(std::string& out, const BatchId& id);
void append_hex(std::string& out, SpanId id);

// Parse exactly `2 * bytes` lowercase hex digits (the spec forbids upper case).
bool parse_hex_u64(std::string_view text, std::uint64_t& value);

}  // namespace edgescope
