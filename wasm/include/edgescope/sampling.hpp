// Head sampling: the OpenTelemetry TraceIdRatioBased rule as the current specification defines it
// (specification/trace/sdk.md "TraceIdRatioBased", and tracestate-probability-sampling.md, the
// consistent probability sampling built on W3C Trace Context Level 2 randomness):
//
//   R = the least-significant 56 bits of the trace id (its 7 rightmost bytes)
//   T = the 56-bit rejection threshold computed from the ratio ("Converting floating-point
//       probability to threshold value"), at 4 hex digits of precision, which the specification
//       recommends to SDKs by default
//   sample iff R >= T
//
// Every service that sees the same trace with the same ratio decides the same way, and a higher
// ratio keeps every trace a lower one keeps. The previous rule (compare the low 63 bits with
// ratio * 2^63) agreed with this one only about 62% of the time at ratio 0.25, so a mixed
// deployment cut traces in half; it is gone. A remote parent's sampled flag always wins over the
// ratio (ParentBased with the default delegates), so a trace is never cut in half here either.
// Ratio 0 never samples (the specification treats it as AlwaysOff, not as a probability).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edgescope/ids.hpp"
#include "edgescope/record_array.hpp"

namespace edgescope {

// 2^56: the number of distinct randomness values (the specification's MaxAdjustedCount).
constexpr std::uint64_t kMaxAdjustedCount = std::uint64_t{1} << 56;
// "OpenTelemetry SDKs are recommended to use 4 digits of precision by default."
constexpr int kDefaultThresholdPrecision = 4;

// R: the 7 rightmost bytes of the trace id.
inline std::uint64_t trace_randomness(const TraceId& trace_id) { return trace_id.low & (kMaxAdjustedCount - 1); }

// The rejection threshold for `probability` in (0, 1] at `precision` hex digits (1..12), by the
// specification's algorithm: the precision is raised by one digit per leading 'f' of the
// threshold (base-2 exponent of the probability, divided by 4), capped at 12 digits; the
// rejection probability 2 - p is rounded at the last kept digit in IEEE-754 double arithmetic.
// Returns 0 (keep everything) for probability >= 1; callers handle probability <= 0 themselves.
std::uint64_t probability_to_threshold(double probability, int precision = kDefaultThresholdPrecision);

class Sampler {
 public:
  // `ratio` is clamped to [0, 1] (NaN is 0); `precision` to [1, 12].
  explicit Sampler(double ratio, int precision = kDefaultThresholdPrecision);
  bool sample_root(const TraceId& trace_id) const {
    return !never_ && trace_randomness(trace_id) >= threshold_;
  }
  bool sample(const TraceId& trace_id, std::optional<bool> parent_sampled) const {
    return parent_sampled ? *parent_sampled : sample_root(trace_id);
  }
  double ratio() const { return ratio_; }
  // T; meaningless when the ratio is 0 (nothing is sampled).
  std::uint64_t threshold() const { return threshold_; }

 private:
  double ratio_;
  bool never_;
  std::uint64_t threshold_;
};

// Keep rules ("sampling that keeps what matters"): with any rule set, a trace the head sampler
// rejected is recorded provisionally (tracer.hpp) and kept whole when its local root ends if a rule
// matched, else discarded before it is ever encoded. The rule that kept it is written on every
// span as `edgescope.sampling.kept_by` so a backend can tell tail-selected traces (whose
// propagated sampled flag was 0) from head-sampled ones, whose count it may scale by 1/ratio.
enum class KeptBy : std::uint8_t { None = 0, Error, Status, Slow, Route, SpanName };
// "error", "status", "slow", "route", "span"; "" for None.
const char* kept_by_name(KeptBy rule);

struct KeepRules {
  bool errors = false;             // any span with error status or an `exception` event
  int status_at_least = 0;         // root http.response.status_code >= this; 0: off
  double slower_than_ms = -1;      // root duration > this; < 0: off
  RecordArray<std::string> routes;      // root http.route (url.path without one)
  RecordArray<std::string> span_names;  // any span's name
  bool active() const {
    return errors || status_at_least > 0 || slower_than_ms >= 0 || !routes.empty() || !span_names.empty();
  }
};

// A route or span name pattern: the exact value, or `prefix*` (a single trailing star) for every
// value starting with the prefix. Nothing else is special: no regular expressions (linear, and
// small enough for the module's size budget).
bool pattern_matches(std::string_view pattern, std::string_view value);
bool any_pattern_matches(const RecordArray<std::string>& patterns, std::string_view value);
// Empty string for a valid pattern, else why not: empty, a lone "*", or a star not at the end.
const char* pattern_problem(std::string_view pattern);

}  // namespace edgescope
