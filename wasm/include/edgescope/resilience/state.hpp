// Breaker states and the transitions the shim turns into span events and a state gauge.
#pragma once
#include <cstdint>
#include <string_view>

namespace edgescope::resilience {

// Numbering is the ABI's (bindings/edgescope.h, es_res_*) and js/core/resilience-core.js's.
enum class BreakerState : std::uint8_t { Closed = 0, Open = 1, HalfOpen = 2, Degraded = 3, Recovering = 4 };

const char* state_name(BreakerState state);  // "CLOSED", "OPEN", "HALF_OPEN", "DEGRADED", "RECOVERING"
bool parse_state(std::string_view name, BreakerState& out);
// How bad a state is, for merges: CLOSED 0 < RECOVERING 1 < DEGRADED 2 < HALF_OPEN 3 < OPEN 4.
int severity(BreakerState state);

struct Transition {
  BreakerState from = BreakerState::Closed;
  BreakerState to = BreakerState::Closed;
  std::int64_t at = 0;     // wall-clock ms
  std::uint32_t step = 0;  // graduated: the step after the transition; classic: 0
};

}  // namespace edgescope::resilience
