// The breaker's state machine (breaker.hpp). Every outcome and decision carries the host's `now`;
// transitions that only time causes are applied lazily, at the time they were due.
#include "edgescope/resilience/breaker.hpp"

#include <algorithm>

namespace edgescope::resilience {

const char* state_name(BreakerState state) {
  switch (state) {
    case BreakerState::Closed: return "CLOSED";
    case BreakerState::Open: return "OPEN";
    case BreakerState::HalfOpen: return "HALF_OPEN";
    case BreakerState::Degraded: return "DEGRADED";
    case BreakerState::Recovering: return "RECOVERING";
  }
  return "CLOSED";
}

bool parse_state(std::string_view name, BreakerState& out) {
  for (int i = 0; i <= 4; ++i) {
    const auto state = static_cast<BreakerState>(i);
    if (name == state_name(state)) {
      out = state;
      return true;
    }
  }
  return false;
}

int severity(BreakerState state) {
  switch (state) {
    case BreakerState::Closed: return 0;
    case BreakerState::Recovering: return 1;
    case BreakerState::Degraded: return 2;
    case BreakerState::HalfOpen: return 3;
    case BreakerState::Open: return 4;
  }
  return 0;
}

void trim_window(std::vector<WindowEntry>& window, const BreakerConfig& config, std::int64_t now) {
  std::size_t drop = 0;
  if (config.window_type == WindowType::Time) {
    while (drop < window.size() && window[drop].at <= now - config.window_size) ++drop;
  }
  const std::size_t cap = config.window_type == WindowType::Count ? config.window_size : kMaxWindowEntries;
  if (window.size() - drop > cap) drop = window.size() - cap;
  if (drop > 0) window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(drop));
}

void CircuitBreaker::move_to(BreakerState to, std::uint32_t step, std::int64_t at, std::vector<Transition>& out) {
  if (to == data_.state && step == data_.step) return;
  Transition t;
  t.from = data_.state;
  t.to = to;
  t.at = at;
  t.step = step;
  out.push_back(t);
  data_.state = to;
  data_.step = step;
  data_.since = at;
  // A new state judges from a clean slate (resilience4j resets its metrics on each transition).
  data_.window.clear();
  data_.probes.clear();
  data_.probe_successes = 0;
  data_.consecutive_failures = 0;
}

std::int64_t CircuitBreaker::open_duration(std::uint32_t openings) const {
  const std::int64_t cap = config_.backoff_max_ms > 0 ? config_.backoff_max_ms : config_.open_ms * 32;
  double duration = static_cast<double>(config_.open_ms);
  for (std::uint32_t i = 1; i < openings && duration < static_cast<double>(cap); ++i) duration *= config_.backoff_multiplier;
  if (config_.backoff_multiplier == 1 || duration < static_cast<double>(config_.open_ms)) return config_.open_ms;
  return duration >= static_cast<double>(cap) ? cap : static_cast<std::int64_t>(duration);
}

void CircuitBreaker::open(std::int64_t now, std::vector<Transition>& out) {
  const std::uint32_t openings = data_.openings < 1000000 ? data_.openings + 1 : data_.openings;
  move_to(BreakerState::Open, 0, now, out);
  data_.openings = openings;
  data_.open_until = now + open_duration(openings);
}

double CircuitBreaker::primary_share() const {
  if (config_.policy == Policy::Classic) return data_.state == BreakerState::Closed ? 1.0 : 0.0;
  return data_.step < config_.curve.size() ? config_.curve[data_.step] : 0.0;
}

void CircuitBreaker::advance(std::int64_t now, std::vector<Transition>& out) {
  if (config_.policy == Policy::Classic) {
    if (data_.state == BreakerState::Open && now >= data_.open_until) {
      move_to(BreakerState::HalfOpen, 0, data_.open_until, out);
    }
    if (data_.state == BreakerState::HalfOpen) {
      // Release probe slots whose answer is overdue: a probe that never returns must not keep the
      // breaker half-open forever.
      auto& probes = data_.probes;
      probes.erase(std::remove_if(probes.begin(), probes.end(),
                                  [&](std::int64_t at) { return at + config_.half_open_max_wait_ms <= now; }),
                   probes.end());
    }
  } else {
    // Decay: one step back per quiet period without a failure or a step change.
    while (data_.step > 0 && now - std::max(data_.since, data_.last_failure_at) >= config_.quiet_ms) {
      const std::int64_t at = std::max(data_.since, data_.last_failure_at) + config_.quiet_ms;
      const std::uint32_t step = data_.step - 1;
      move_to(step == 0 ? BreakerState::Closed : BreakerState::Recovering, step, at, out);
    }
  }
  trim_window(data_.window, config_, now);
}

std::int64_t CircuitBreaker::retry_after(std::int64_t now) const {
  if (config_.policy == Policy::Classic) {
    if (data_.state == BreakerState::Open) return std::max<std::int64_t>(0, data_.open_until - now);
    if (data_.state == BreakerState::HalfOpen && data_.probes.size() >= config_.half_open_calls && !data_.probes.empty()) {
      return std::max<std::int64_t>(0, data_.probes.front() + config_.half_open_max_wait_ms - now);
    }
    return 0;
  }
  if (data_.state != BreakerState::Open) return 0;
  return std::max<std::int64_t>(0, std::max(data_.since, data_.last_failure_at) + config_.quiet_ms - now);
}

std::uint32_t CircuitBreaker::window_calls(std::int64_t now) const {
  std::uint32_t n = 0;
  for (const WindowEntry& e : data_.window) {
    if (config_.window_type == WindowType::Count || e.at > now - config_.window_size) ++n;
  }
  return n;
}

std::uint32_t CircuitBreaker::window_failures(std::int64_t now) const {
  std::uint32_t n = 0;
  for (const WindowEntry& e : data_.window) {
    if (e.failed && (config_.window_type == WindowType::Count || e.at > now - config_.window_size)) ++n;
  }
  return n;
}

Decision CircuitBreaker::decide(std::int64_t now, double u, std::vector<Transition>& out) {
  advance(now, out);
  Decision d;
  d.state = data_.state;
  d.primary_share = primary_share();
  if (config_.policy == Policy::Graduated) {
    d.admit = u < d.primary_share;
  } else if (data_.state == BreakerState::Closed) {
    d.admit = true;
  } else if (data_.state == BreakerState::HalfOpen && data_.probes.size() < config_.half_open_calls) {
    d.admit = true;
    d.probe = true;
    data_.probes.insert(std::upper_bound(data_.probes.begin(), data_.probes.end(), now), now);
  }
  d.retry_after_ms = d.admit ? 0 : retry_after(now);
  return d;
}

void CircuitBreaker::push_outcome(std::int64_t now, bool failed, bool slow) {
  WindowEntry e;
  // Never before the current state began (a host clock that stepped back): a state's window holds
  // only its own outcomes, which merges rely on.
  e.at = std::max(now, data_.since);
  e.failed = failed;
  e.slow = slow;
  // Outcomes normally arrive in time order (append); keep the window sorted when one does not.
  if (data_.window.empty() || !(e < data_.window.back())) {
    data_.window.push_back(e);
  } else {
    data_.window.insert(std::upper_bound(data_.window.begin(), data_.window.end(), e), e);
  }
  trim_window(data_.window, config_, now);
}

bool CircuitBreaker::rate_tripped(std::int64_t now) const {
  std::uint32_t calls = 0, failures = 0, slow = 0;
  for (const WindowEntry& e : data_.window) {
    if (config_.window_type == WindowType::Time && e.at <= now - config_.window_size) continue;
    ++calls;
    failures += e.failed ? 1 : 0;
    slow += e.slow ? 1 : 0;
  }
  if (calls == 0 || calls < config_.minimum_calls) return false;
  const double n = calls;
  if (config_.failure_rate > 0 && failures / n >= config_.failure_rate) return true;
  return config_.slow_call_rate > 0 && slow / n >= config_.slow_call_rate;
}

void CircuitBreaker::record_classic(std::int64_t now, bool failed, bool slow, bool probe, std::vector<Transition>& out) {
  switch (data_.state) {
    case BreakerState::Closed: {
      push_outcome(now, failed, slow);
      if (failed) {
        ++data_.consecutive_failures;
        data_.last_failure_at = std::max(data_.last_failure_at, now);
      } else {
        data_.consecutive_failures = 0;
      }
      const bool by_count = config_.failure_threshold > 0 && data_.consecutive_failures >= config_.failure_threshold;
      if (by_count || rate_tripped(now)) open(now, out);
      return;
    }
    case BreakerState::HalfOpen: {
      // Only probe answers judge a half-open breaker; a late answer to a call admitted while it
      // was closed says nothing about the provider now.
      if (!probe) return;
      if (!data_.probes.empty()) data_.probes.erase(data_.probes.begin());
      // A slow probe counts as failed when slow calls can open the breaker.
      if (failed || (slow && config_.slow_call_rate > 0)) {
        data_.last_failure_at = std::max(data_.last_failure_at, now);
        open(now, out);
        return;
      }
      if (++data_.probe_successes >= config_.half_open_calls) {
        move_to(BreakerState::Closed, 0, now, out);
        data_.openings = 0;
      }
      return;
    }
    default:
      return;  // OPEN: answers to calls admitted before it opened change nothing
  }
}

void CircuitBreaker::record_graduated(std::int64_t now, bool failed, bool slow, std::vector<Transition>& out) {
  const auto last = static_cast<std::uint32_t>(config_.curve.size());  // the OPEN step
  bool step_down = false;
  if (config_.failure_rate > 0 || config_.slow_call_rate > 0) {
    push_outcome(now, failed, slow);
    step_down = rate_tripped(now);
  } else {
    step_down = failed;
  }
  if (failed) {
    ++data_.consecutive_failures;
    data_.last_failure_at = std::max(data_.last_failure_at, now);
  } else {
    data_.consecutive_failures = 0;
  }
  if (step_down) {
    if (data_.step < last) {
      const std::uint32_t step = data_.step + 1;
      move_to(step == last ? BreakerState::Open : BreakerState::Degraded, step, now, out);
    }
    data_.window.clear();
    return;
  }
  if (!failed && data_.step > 0) {
    const std::uint32_t step = data_.step - 1;
    move_to(step == 0 ? BreakerState::Closed : BreakerState::Recovering, step, now, out);
  }
}

void CircuitBreaker::record(std::int64_t now, bool ok, std::int64_t duration_ms, bool probe, std::vector<Transition>& out) {
  advance(now, out);
  const bool slow = config_.slow_call_ms > 0 && duration_ms >= config_.slow_call_ms;
  if (config_.policy == Policy::Classic) {
    record_classic(now, !ok, slow, probe, out);
  } else {
    record_graduated(now, !ok, slow, out);
  }
}

void CircuitBreaker::force_open(std::int64_t now, std::vector<Transition>& out) {
  advance(now, out);
  if (config_.policy == Policy::Graduated) {
    const auto last = static_cast<std::uint32_t>(config_.curve.size());
    if (data_.step != last) move_to(BreakerState::Open, last, now, out);
    else data_.since = now;  // restart the quiet period
    return;
  }
  if (data_.state == BreakerState::Open) {
    data_.openings = data_.openings < 1000000 ? data_.openings + 1 : data_.openings;
    data_.since = now;
    data_.open_until = now + open_duration(data_.openings);
    return;
  }
  open(now, out);
}

void CircuitBreaker::reset(std::int64_t now, std::vector<Transition>& out) {
  move_to(BreakerState::Closed, 0, now, out);
  data_ = BreakerData{};
  data_.since = now;
}

}  // namespace edgescope::resilience
