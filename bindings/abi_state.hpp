// The state every ABI source file shares (defined in abi_state.cpp): the scratch buffer the host
// writes into, the io block, the output buffer it reads from, and the last error message. Both
// modules link it (dist/edgescope.wasm and dist/edgescope-resilience.wasm, CMakeLists.txt), each
// with its own copy in its own memory. Internal to bindings/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope.h"
#include "edgescope/grow_array.hpp"

namespace edgescope::abi {

// es_scratch's buffer (at most kMaxScratch bytes, part of the memory ceiling: limits.hpp); a GrowArray,
// so the modules have no std::vector growth path for bytes (grow_array.hpp).
extern GrowArray<std::uint8_t> g_scratch;
// The io block (edgescope.h): results the host reads from memory instead of making another call.
alignas(8) extern std::uint8_t g_io[ES_IO_BYTES];
extern std::string g_error;
extern std::string g_output;

// Writes a little-endian uint32 into the io block at byte `offset`.
void io_u32(std::size_t offset, std::uint32_t value);
// Writes two 64-bit words (an id's high and low halves) as four big-end-first uint32s at `offset`.
void io_words(std::size_t offset, std::uint64_t high, std::uint64_t low);
// Sets the message es_error_ptr/len return and returns `code` (a negative ES_ERR_*).
std::int32_t fail(std::int32_t code, std::string message);
// The same for a literal: out of line, so the many literal refusals build no std::string at
// their call sites (size budget: scripts/size-budget.mjs).
std::int32_t fail(std::int32_t code, const char* message);
// `prefix`, `value` in decimal (as std::to_string), `suffix`. Out of line on purpose: every entry
// point's error path calls these instead of inlining std::string concatenation at each call site,
// which was most of the ABI's code size (size budget: scripts/size-budget.mjs).
std::string cat_num(const char* prefix, long long value, const char* suffix = "");
std::int32_t fail_num(std::int32_t code, const char* prefix, long long value, const char* suffix = "");
// The bytes the host wrote through es_scratch (at least as many as it asked for).
const GrowArray<std::uint8_t>& scratch_bytes();
// What es_output_ptr/len return.
std::string& output();

}  // namespace edgescope::abi
