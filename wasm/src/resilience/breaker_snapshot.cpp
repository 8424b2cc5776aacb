// Breaker config parsing, snapshots and merges (breaker.hpp).
//
// Snapshot (version 1), every time in wall-clock ms:
//   {"version":1,"kind":"breaker","policy":"classic","state":"HALF_OPEN","since":T,"openUntil":T,
//    "openings":N,"consecutiveFailures":N,"lastFailureAt":T,"probes":[T,...],"probeSuccesses":N,
//    "step":N,"window":[{"at":T,"failed":B,"slow":B},...]}
// Probes in flight are part of the state, so a breaker saved HALF_OPEN restores with the same
// slots taken and admits no more probes than half_open_calls (no burst after a restore).
//
// Merge (for KV, where isolates write concurrently): the state record with the later transition
// time wins (ties: the more severe, then the larger step, open_until, openings); equal records
// union their probes in flight (newest half_open_calls kept). The consecutive failure count comes
// from the side with the later last failure, and is 0 if that failure precedes the merged state.
// Windows are unioned by timestamp as multisets (each distinct outcome kept as often as the side
// with more of it has it) and trimmed; outcomes older than the merged state's transition go.
// Every rule is a max or a union over a total order: the merge is commutative, associative and
// idempotent. Two isolates recording the same outcome in the same millisecond count it once.
#include <algorithm>
#include <iterator>

#include "edgescope/json_writer.hpp"
#include "edgescope/resilience/breaker.hpp"
#include "fields.hpp"

namespace edgescope::resilience {

namespace {

constexpr std::int64_t kMaxDurationMs = 31LL * 24 * 3600 * 1000;  // a month: longer is a unit mistake
constexpr std::uint32_t kMaxCount = 1000000000;

}  // namespace

bool parse_breaker_config(std::string_view text, BreakerConfig& out, std::string& error) {
  Fields f(text, "config");
  BreakerConfig c;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"policy", "failureThreshold", "failureRate", "slowCallRate", "slowCallMs", "window", "minimumCalls",
                      "openMs", "openBackoff", "halfOpenCalls", "halfOpenMaxWaitMs", "curve", "quietMs"})) {
    int policy = 0;
    f.choice(doc, "policy", {"classic", "graduated"}, policy);
    c.policy = static_cast<Policy>(policy);
    f.count(doc, "failureThreshold", false, kMaxCount, c.failure_threshold);
    f.number(doc, "failureRate", false, 0, 1, "from 0 to 1", c.failure_rate);
    f.number(doc, "slowCallRate", false, 0, 1, "from 0 to 1", c.slow_call_rate);
    f.integer(doc, "slowCallMs", false, 0, kMaxDurationMs, c.slow_call_ms);
    if (const json::Value* w = f.get(doc, "window", false)) {
      Fields::Scope s(f, "window");
      if (f.object(w, {"type", "size"})) {
        int type = 0;
        f.choice(*w, "type", {"count", "time"}, type);
        c.window_type = static_cast<WindowType>(type);
        std::int64_t size = c.window_type == WindowType::Count ? 100 : 60000;
        f.integer(*w, "size", false, 1, c.window_type == WindowType::Count ? kMaxWindowEntries : kMaxDurationMs, size);
        c.window_size = static_cast<std::uint32_t>(size);
      }
    }
    // The default minimum (10) shrinks to a smaller count window; an explicit one must fit it.
    if (c.window_type == WindowType::Count && c.minimum_calls > c.window_size) c.minimum_calls = c.window_size;
    if (f.count(doc, "minimumCalls", false, kMaxWindowEntries, c.minimum_calls) && c.window_type == WindowType::Count &&
        c.minimum_calls > c.window_size) {
      f.fail("exceeds window.size (" + edgescope::decimal(c.window_size) + "): the rate would never be judged", "minimumCalls");
    }
    f.integer(doc, "openMs", false, 1, kMaxDurationMs, c.open_ms);
    if (const json::Value* b = f.get(doc, "openBackoff", false)) {
      Fields::Scope s(f, "openBackoff");
      if (f.object(b, {"multiplier", "maxMs"})) {
        f.number(*b, "multiplier", false, 1, 100, "from 1 to 100", c.backoff_multiplier);
        if (f.integer(*b, "maxMs", false, 1, kMaxDurationMs, c.backoff_max_ms) && c.backoff_max_ms > 0 &&
            c.backoff_max_ms < c.open_ms) {
          f.fail("is shorter than openMs", "maxMs");
        }
      }
    }
    f.count(doc, "halfOpenCalls", false, 100, c.half_open_calls);
    if (f.ok() && c.half_open_calls == 0) f.fail("expected at least 1", "halfOpenCalls");
    f.integer(doc, "halfOpenMaxWaitMs", false, 1, kMaxDurationMs, c.half_open_max_wait_ms);
    if (const json::Value* v = f.get(doc, "curve", false)) {
      Fields::Scope s(f, "curve");
      if (f.array(v, kMaxCurveSteps)) {
        if (v->items.empty()) f.fail("expected at least one step");
        c.curve.clear();
        for (std::size_t i = 0; i < v->items.size() && f.ok(); ++i) {
          Fields::Scope e(f, i);
          double share = 0;
          if (f.number_value(v->items[i], 0, 1, "from 0 to 1", share) && i > 0 && share > c.curve.back()) {
            f.fail("a step may not send more traffic than the one before");
          }
          c.curve.push_back(share);
        }
      }
    }
    f.integer(doc, "quietMs", false, 1, kMaxDurationMs, c.quiet_ms);
    if (f.ok() && c.slow_call_rate > 0 && c.slow_call_ms == 0) f.fail("required with slowCallRate", "slowCallMs");
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(c);
  return true;
}

std::string CircuitBreaker::serialize(std::int64_t now) {
  std::vector<WindowEntry> window = data_.window;
  trim_window(window, config_, now);
  std::string out;
  out.reserve(256 + window.size() * 40);
  out.append("{\"version\":1,\"kind\":\"breaker\",\"policy\":\"");
  out.append(config_.policy == Policy::Classic ? "classic" : "graduated");
  out.append("\",\"state\":\"");
  out.append(state_name(data_.state));
  out.append("\",\"since\":");
  append_json_int(out, data_.since);
  out.append(",\"openUntil\":");
  append_json_int(out, data_.open_until);
  out.append(",\"openings\":");
  append_json_uint(out, data_.openings);
  out.append(",\"consecutiveFailures\":");
  append_json_uint(out, data_.consecutive_failures);
  out.append(",\"lastFailureAt\":");
  append_json_int(out, data_.last_failure_at);
  out.append(",\"probes\":[");
  for (std::size_t i = 0; i < data_.probes.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_int(out, data_.probes[i]);
  }
  out.append("],\"probeSuccesses\":");
  append_json_uint(out, data_.probe_successes);
  out.append(",\"step\":");
  append_json_uint(out, data_.step);
  out.append(",\"window\":[");
  for (std::size_t i = 0; i < window.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"at\":");
    append_json_int(out, window[i].at);
    out.append(window[i].failed ? ",\"failed\":true" : ",\"failed\":false");
    out.append(window[i].slow ? ",\"slow\":true}" : ",\"slow\":false}");
  }
  out.append("]}");
  return out;
}

bool CircuitBreaker::parse_snapshot(std::string_view text, const BreakerConfig& config, BreakerData& out, std::string& error) {
  Fields f(text, "breaker");
  BreakerData d;
  const json::Value& doc = f.doc();
  if (f.object(&doc, {"version", "kind", "policy", "state", "since", "openUntil", "openings", "consecutiveFailures",
                      "lastFailureAt", "probes", "probeSuccesses", "step", "window"}) &&
      f.version_and_kind("breaker")) {
    const json::Value* policy = f.get(doc, "policy", true);
    const char* want = config.policy == Policy::Classic ? "classic" : "graduated";
    if (f.ok() && (policy->type != json::Type::String || policy->text != want)) {
      f.fail(std::string("expected '") + want + "' (this breaker's policy)", "policy");
    }
    const json::Value* state = f.get(doc, "state", true);
    if (f.ok()) {
      const bool named = state->type == json::Type::String && parse_state(state->text, d.state);
      const bool classic = d.state == BreakerState::Closed || d.state == BreakerState::Open || d.state == BreakerState::HalfOpen;
      const bool graduated = d.state != BreakerState::HalfOpen;
      if (!named || (config.policy == Policy::Classic ? !classic : !graduated)) {
        f.fail(config.policy == Policy::Classic ? "expected 'CLOSED', 'OPEN' or 'HALF_OPEN'"
                                                : "expected 'CLOSED', 'DEGRADED', 'RECOVERING' or 'OPEN'",
               "state");
      }
    }
    f.time(doc, "since", d.since);
    if (f.time(doc, "openUntil", d.open_until) && d.state == BreakerState::Open && config.policy == Policy::Classic &&
        d.open_until < d.since) {
      f.fail("is before since", "openUntil");
    }
    f.count(doc, "openings", true, kMaxCount, d.openings);
    f.count(doc, "consecutiveFailures", true, kMaxCount, d.consecutive_failures);
    if (f.time(doc, "lastFailureAt", d.last_failure_at) && d.consecutive_failures > 0 && d.last_failure_at < d.since) {
      f.fail("must be 0 when lastFailureAt is before since", "consecutiveFailures");
    }
    if (const json::Value* probes = f.get(doc, "probes", true)) {
      Fields::Scope s(f, "probes");
      // More probes in flight than halfOpenCalls would be a burst after the restore.
      if (f.array(probes, config.half_open_calls)) {
        if (!probes->items.empty() && d.state != BreakerState::HalfOpen) f.fail("probes in flight outside HALF_OPEN");
        for (std::size_t i = 0; i < probes->items.size() && f.ok(); ++i) {
          Fields::Scope e(f, i);
          std::int64_t at = 0;
          if (f.integer_value(probes->items[i], 0, kMaxSafeInt, at)) d.probes.insert(std::upper_bound(d.probes.begin(), d.probes.end(), at), at);
        }
      }
    }
    if (f.count(doc, "probeSuccesses", true, kMaxCount, d.probe_successes) && d.probe_successes > 0 &&
        d.probe_successes >= config.half_open_calls) {
      f.fail("out of range (halfOpenCalls successes would have closed it)", "probeSuccesses");
    }
    const auto last = static_cast<std::uint32_t>(config.curve.size());
    if (f.count(doc, "step", true, config.policy == Policy::Classic ? 0 : last, d.step) && config.policy == Policy::Graduated) {
      const bool consistent = d.step == 0      ? d.state == BreakerState::Closed
                              : d.step == last ? d.state == BreakerState::Open
                                               : (d.state == BreakerState::Degraded || d.state == BreakerState::Recovering);
      if (!consistent) f.fail(std::string("does not match state ") + state_name(d.state), "step");
    }
    if (const json::Value* window = f.get(doc, "window", true)) {
      Fields::Scope s(f, "window");
      if (f.array(window, kMaxWindowEntries)) {
        for (std::size_t i = 0; i < window->items.size() && f.ok(); ++i) {
          Fields::Scope e(f, i);
          const json::Value& item = window->items[i];
          WindowEntry entry;
          if (!f.object(&item, {"at", "failed", "slow"})) break;
          if (f.time(item, "at", entry.at) && entry.at < d.since) {
            f.fail("before since (a state's window holds only its own outcomes)", "at");
          }
          f.boolean(item, "failed", entry.failed);
          f.boolean(item, "slow", entry.slow);
          d.window.insert(std::upper_bound(d.window.begin(), d.window.end(), entry), entry);
        }
      }
    }
  }
  if (!f.ok()) {
    error = f.error();
    return false;
  }
  out = std::move(d);
  return true;
}

bool CircuitBreaker::deserialize(std::string_view json, std::int64_t now, std::string& error) {
  BreakerData parsed;
  if (!parse_snapshot(json, config_, parsed, error)) return false;
  trim_window(parsed.window, config_, now);
  data_ = std::move(parsed);
  return true;
}

namespace {

// The state record's order for merges: later transition, then more severe, then the rest.
bool record_less(const BreakerData& a, const BreakerData& b) {
  if (a.since != b.since) return a.since < b.since;
  if (severity(a.state) != severity(b.state)) return severity(a.state) < severity(b.state);
  if (a.step != b.step) return a.step < b.step;
  if (a.open_until != b.open_until) return a.open_until < b.open_until;
  return a.openings < b.openings;
}

}  // namespace

BreakerData CircuitBreaker::merged(const BreakerData& a, const BreakerData& b, const BreakerConfig& config, std::int64_t now) {
  BreakerData r;
  const BreakerData& winner = record_less(a, b) ? b : a;
  r.state = winner.state;
  r.since = winner.since;
  r.open_until = winner.open_until;
  r.openings = winner.openings;
  r.step = winner.step;
  if (!record_less(a, b) && !record_less(b, a)) {
    // The same state record on both sides: what each admitted or saw in it adds up.
    std::set_union(a.probes.begin(), a.probes.end(), b.probes.begin(), b.probes.end(), std::back_inserter(r.probes));
    if (r.probes.size() > config.half_open_calls) {
      r.probes.erase(r.probes.begin(), r.probes.end() - config.half_open_calls);
    }
    r.probe_successes = std::max(a.probe_successes, b.probe_successes);
  } else {
    r.probes = winner.probes;
    r.probe_successes = winner.probe_successes;
  }
  const bool a_failures = a.last_failure_at != b.last_failure_at ? a.last_failure_at > b.last_failure_at
                                                                 : a.consecutive_failures >= b.consecutive_failures;
  const BreakerData& failures = a_failures ? a : b;
  r.last_failure_at = failures.last_failure_at;
  r.consecutive_failures = failures.last_failure_at < r.since ? 0 : failures.consecutive_failures;
  std::set_union(a.window.begin(), a.window.end(), b.window.begin(), b.window.end(), std::back_inserter(r.window));
  r.window.erase(std::remove_if(r.window.begin(), r.window.end(), [&](const WindowEntry& e) { return e.at < r.since; }),
                 r.window.end());
  trim_window(r.window, config, now);
  return r;
}

bool CircuitBreaker::merge(std::string_view json, std::int64_t now, std::string& error) {
  BreakerData other;
  if (!parse_snapshot(json, config_, other, error)) return false;
  data_ = merged(data_, other, config_, now);
  return true;
}

}  // namespace edgescope::resilience
