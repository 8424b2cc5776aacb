// The buffers the host and the core share (abi_state.hpp) and the calls that expose them:
// es_scratch, es_io, es_error_ptr/len, es_output_ptr/len (bindings/edgescope.h, "Conventions").
// A file of its own so the resilience module links them without the telemetry ABI (c_api.cpp).
#include <cstring>

#include "abi_state.hpp"
#include "edgescope/json_writer.hpp"

namespace edgescope::abi {

namespace {
constexpr uint32_t kMaxScratch = 1u << 20;  // part of the memory ceiling (limits.hpp)
}  // namespace

void io_u32(std::size_t offset, uint32_t value) { std::memcpy(g_io + offset, &value, sizeof value); }
void io_words(std::size_t offset, uint64_t high, uint64_t low) {
  io_u32(offset, static_cast<uint32_t>(high >> 32));
  io_u32(offset + 4, static_cast<uint32_t>(high));
  io_u32(offset + 8, static_cast<uint32_t>(low >> 32));
  io_u32(offset + 12, static_cast<uint32_t>(low));
}

GrowArray<std::uint8_t> g_scratch(4096);
alignas(8) std::uint8_t g_io[ES_IO_BYTES];
std::string g_error;
std::string g_output;

std::int32_t fail(std::int32_t code, std::string message) {
  g_error = std::move(message);
  return code;
}
std::int32_t fail(std::int32_t code, const char* message) {
  g_error.assign(message);
  return code;
}
std::string cat_num(const char* prefix, long long value, const char* suffix) {
  std::string out(prefix);
  edgescope::append_json_int(out, value);
  out += suffix;
  return out;
}
std::int32_t fail_num(std::int32_t code, const char* prefix, long long value, const char* suffix) {
  return fail(code, cat_num(prefix, value, suffix));
}
const GrowArray<std::uint8_t>& scratch_bytes() { return g_scratch; }
std::string& output() { return g_output; }

}  // namespace edgescope::abi

using namespace edgescope::abi;

extern "C" {

uint8_t* es_scratch(uint32_t len) {
  if (len > kMaxScratch) {
    fail_num(ES_ERR_ARGUMENT, "scratch request of ", len, " bytes exceeds 1 MiB");
    return nullptr;
  }
  if (g_scratch.size() < len) g_scratch.resize(len);
  io_u32(ES_IO_SCRATCH, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_scratch.data())));
  io_u32(ES_IO_SCRATCH + 4, static_cast<uint32_t>(g_scratch.size()));
  return g_scratch.data();
}

const char* es_error_ptr(void) { return g_error.data(); }
uint32_t es_error_len(void) { return static_cast<uint32_t>(g_error.size()); }
const char* es_output_ptr(void) { return g_output.data(); }
uint32_t es_output_len(void) { return static_cast<uint32_t>(g_output.size()); }
uint8_t* es_io(void) { return g_io; }

}  // extern "C"
