// The state every ABI source file shares (defined in abi_state.cpp): the scratch buffer the host
// writes into, the io block, the output buffer it reads from, and the last error message. Both
// modules link it (dist/edgescope.wasm and dist/edgescope-resilience.wasm, CMakeLists.txt), each
// with its own copy in its own memory. Internal to bindings/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope.h"

namespace edgescope::abi {

// es_scratch's buffer (at most kMaxScratch bytes, part of the memory ceiling: limits.hpp).
extern std::vector<std::uint8_t> g_scratch;
// The io block (edgescope.h): results the host reads from memory instead of making another call.
alignas(8) extern std::uint8_t g_io[ES_IO_BYTES];
extern std::string g_error;
extern std::string g_output;

// Sets the message es_error_ptr/len return and returns `code` (a negative ES_ERR_*).
std::int32_t fail(std::int32_t code, std::string message);
// The bytes the host wrote through es_scratch (at least as many as it asked for).
const std::vector<std::uint8_t>& scratch_bytes();
// What es_output_ptr/len return.
std::string& output();

}  // namespace edgescope::abi
