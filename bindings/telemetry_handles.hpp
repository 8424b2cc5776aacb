// The telemetry instances behind the handles (c_api.cpp owns them: es_create, es_destroy), for
// every ABI file that takes a handle. Internal to bindings/.
#pragma once
#include <cstdint>

#include "abi_state.hpp"
#include "edgescope/telemetry.hpp"

namespace edgescope::abi {

// The instance behind handle `h`, or null.
Telemetry* instance(std::int32_t h);
// The same, or null with the refusal's message set: one call per entry point instead of the
// lookup and the message at each (size budget: scripts/size-budget.mjs).
Telemetry* instance_or_fail(std::int32_t h);

}  // namespace edgescope::abi

// `Telemetry* var` for handle `h`, or the entry point returns ES_ERR_HANDLE.
#define ES_INSTANCE(var, h)                                \
  Telemetry* var = edgescope::abi::instance_or_fail(h);    \
  if (!var) return ES_ERR_HANDLE
