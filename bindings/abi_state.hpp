// The state every ABI source file shares (defined in c_api.cpp): the scratch buffer the host
// writes into, the output buffer it reads from, and the last error message. Internal to bindings/.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace edgescope::abi {

// Sets the message es_error_ptr/len return and returns `code` (a negative ES_ERR_*).
std::int32_t fail(std::int32_t code, std::string message);
// The bytes the host wrote through es_scratch (at least as many as it asked for).
const std::vector<std::uint8_t>& scratch_bytes();
// What es_output_ptr/len return.
std::string& output();

}  // namespace edgescope::abi
