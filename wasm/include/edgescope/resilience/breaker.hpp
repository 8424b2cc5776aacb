// A circuit breaker whose whole state is a value: it can be saved to KV or a Durable Object,
// restored in another isolate, and merged with a copy another isolate changed meanwhile.
// Pure: no clock (`now` is wall-clock milliseconds since the epoch, from the host), no entropy (the
// graduated policy's draw `u` in [0, 1) comes from the host), no I/O.
//
// Classic policy (the state machine of Nygard's "Release It!" and of resilience4j's
// CircuitBreaker): CLOSED admits everything and records outcomes in a window; it opens on
// `failure_threshold` consecutive failures, or when the window holds at least `minimum_calls` and
// the failure rate (or the slow-call rate) reaches its threshold. OPEN refuses until its open
// duration ends (fixed, or exponential: open_ms * multiplier^(openings - 1) capped at max), then is
// HALF_OPEN: it admits `half_open_calls` probes (decisions say probe = true), closes after as many
// successful probes and opens again on a failed one. A probe slot whose answer has not come within
// `half_open_max_wait_ms` is released, so a probe that never returns cannot keep it half-open.
//
// Graduated policy: a degradation curve gives the share of traffic sent to the primary at each
// step (default 1.0, 0.9, 0.7, 0.4, 0.1); one step past the curve is OPEN (share 0). Each failure
// (or, with failure_rate set, each failure-rate trip of the window) moves one step down
// (DEGRADED), each success one step back (RECOVERING, CLOSED at step 0), and every `quiet_ms`
// without a failure or a step change moves one step back on its own.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edgescope/resilience/state.hpp"

namespace edgescope::resilience {

enum class Policy : std::uint8_t { Classic, Graduated };
enum class WindowType : std::uint8_t { Count, Time };

// The window keeps at most this many outcomes (a time window keeps the newest of its span).
constexpr std::uint32_t kMaxWindowEntries = 1000;
constexpr std::size_t kMaxCurveSteps = 16;

struct BreakerConfig {
  Policy policy = Policy::Classic;
  std::uint32_t failure_threshold = 5;  // consecutive failures that open it; 0: off
  double failure_rate = 0;              // (0, 1]; 0: off
  double slow_call_rate = 0;            // (0, 1]; 0: off (needs slow_call_ms)
  std::int64_t slow_call_ms = 0;        // a call at least this long is slow; 0: no call is
  WindowType window_type = WindowType::Count;
  std::uint32_t window_size = 100;      // calls (count window) or milliseconds (time window)
  std::uint32_t minimum_calls = 10;     // rates are judged only over at least this many calls
  std::int64_t open_ms = 30000;
  double backoff_multiplier = 1;        // 1: fixed open duration
  std::int64_t backoff_max_ms = 0;      // cap of the exponential duration; 0: open_ms * 32
  std::uint32_t half_open_calls = 1;
  std::int64_t half_open_max_wait_ms = 60000;
  std::vector<double> curve{1.0, 0.9, 0.7, 0.4, 0.1};
  std::int64_t quiet_ms = 30000;
};

// Parses a config object (the JS wrapper's field names: policy, failureThreshold, failureRate,
// slowCallRate, slowCallMs, window {type, size}, minimumCalls, openMs, openBackoff {multiplier,
// maxMs}, halfOpenCalls, halfOpenMaxWaitMs, curve, quietMs). Absent fields keep their defaults;
// an unknown or out-of-range field is an error naming it ("config.window.size: ...").
bool parse_breaker_config(std::string_view json, BreakerConfig& out, std::string& error);

struct WindowEntry {
  std::int64_t at = 0;
  bool failed = false;
  bool slow = false;
  bool operator<(const WindowEntry& o) const {
    if (at != o.at) return at < o.at;
    if (failed != o.failed) return failed < o.failed;
    return slow < o.slow;
  }
  bool operator==(const WindowEntry& o) const { return at == o.at && failed == o.failed && slow == o.slow; }
};

// Everything a breaker remembers (what serialize writes).
struct BreakerData {
  BreakerState state = BreakerState::Closed;
  std::int64_t since = 0;              // when it entered `state` (or, graduated, its current step)
  std::int64_t open_until = 0;         // classic OPEN: when it turns HALF_OPEN
  std::uint32_t openings = 0;          // consecutive openings without a close (exponential duration)
  std::uint32_t consecutive_failures = 0;
  std::int64_t last_failure_at = 0;
  std::vector<std::int64_t> probes;    // HALF_OPEN: admission times of probes in flight, ascending
  std::uint32_t probe_successes = 0;
  std::uint32_t step = 0;              // graduated: index into the curve; curve.size() is OPEN
  std::vector<WindowEntry> window;     // ascending
};

struct Decision {
  bool admit = false;
  bool probe = false;
  double primary_share = 0;
  BreakerState state = BreakerState::Closed;
  std::int64_t retry_after_ms = 0;
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerConfig config) : config_(std::move(config)) {}

  const BreakerConfig& config() const { return config_; }
  const BreakerData& data() const { return data_; }

  // Transitions that time alone causes (OPEN -> HALF_OPEN, graduated decay) happen lazily in every
  // call and are appended to `out` like the others.
  Decision decide(std::int64_t now, double u, std::vector<Transition>& out);
  void record(std::int64_t now, bool ok, std::int64_t duration_ms, bool probe, std::vector<Transition>& out);
  void force_open(std::int64_t now, std::vector<Transition>& out);
  void reset(std::int64_t now, std::vector<Transition>& out);
  // Applies time-driven transitions up to `now` (state() and serialize() call it).
  void advance(std::int64_t now, std::vector<Transition>& out);
  // Retry-after for the current state at `now` (0 when calls are admitted).
  std::int64_t retry_after(std::int64_t now) const;
  std::uint32_t window_calls(std::int64_t now) const;
  std::uint32_t window_failures(std::int64_t now) const;
  // The share of traffic the current state sends to the primary (classic: 1 closed, else 0).
  double primary_share() const;

  // Versioned JSON ({"version":1,"kind":"breaker",...}); times are wall-clock ms.
  std::string serialize(std::int64_t now);
  // All or nothing: on error `error` names the field and this breaker is unchanged.
  bool deserialize(std::string_view json, std::int64_t now, std::string& error);
  // Convergent merge of another isolate's snapshot (commutative, idempotent; see breaker_snapshot.cpp).
  bool merge(std::string_view json, std::int64_t now, std::string& error);

  // The same operations on already-parsed data (tests, the fuzz target).
  static bool parse_snapshot(std::string_view json, const BreakerConfig& config, BreakerData& out, std::string& error);
  static BreakerData merged(const BreakerData& a, const BreakerData& b, const BreakerConfig& config, std::int64_t now);

 private:
  BreakerConfig config_;
  BreakerData data_;

  void move_to(BreakerState to, std::uint32_t step, std::int64_t at, std::vector<Transition>& out);
  void open(std::int64_t now, std::vector<Transition>& out);
  void push_outcome(std::int64_t now, bool failed, bool slow);
  bool rate_tripped(std::int64_t now) const;
  std::int64_t open_duration(std::uint32_t openings) const;
  void record_classic(std::int64_t now, bool failed, bool slow, bool probe, std::vector<Transition>& out);
  void record_graduated(std::int64_t now, bool failed, bool slow, std::vector<Transition>& out);
};

// Keeps the window within its bounds at `now`: a count window's newest `window_size` entries, a
// time window's entries newer than now - window_size; at most kMaxWindowEntries either way.
void trim_window(std::vector<WindowEntry>& window, const BreakerConfig& config, std::int64_t now);

}  // namespace edgescope::resilience
