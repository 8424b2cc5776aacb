#include "edgescope/sampling.hpp"

#include <cmath>

namespace edgescope {

Sampler::Sampler(double ratio) : ratio_(std::isnan(ratio) ? 0.0 : ratio) {
  if (ratio_ < 0.0) ratio_ = 0.0;
  if (ratio_ > 1.0) ratio_ = 1.0;
  // 2^63 as a double is exact; ratio 1.0 must sample every id, so it is special-cased.
  bound_ = ratio_ >= 1.0 ? UINT64_MAX : static_cast<std::uint64_t>(ratio_ * 9223372036854775808.0);
}

bool Sampler::sample_root(const TraceId& trace_id) const {
  if (ratio_ >= 1.0) return true;
  if (ratio_ <= 0.0) return false;
  return (trace_id.low & 0x7FFFFFFFFFFFFFFFULL) < bound_;
}

}  // namespace edgescope
