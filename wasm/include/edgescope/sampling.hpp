// Head sampling. The decision is a pure function of the trace id, so every service that sees the
// same trace with the same ratio decides the same way (the OpenTelemetry TraceIdRatioBased
// rule: compare the low 63 bits of the trace id with ratio * 2^63). A remote parent's sampled
// flag always wins over the ratio (parent-based sampling), so a trace is never cut in half.
#pragma once
#include <optional>

#include "edgescope/ids.hpp"

namespace edgescope {

class Sampler {
 public:
  explicit Sampler(double ratio);  // clamped to [0, 1]
  bool sample_root(const TraceId& trace_id) const;
  bool sample(const TraceId& trace_id, std::optional<bool> parent_sampled) const {
    return parent_sampled ? *parent_sampled : sample_root(trace_id);
  }
  double ratio() const { return ratio_; }

 private:
  double ratio_;
  std::uint64_t bound_;
};

}  // namespace edgescope
