// Resilience objects over the C ABI (bindings/edgescope.h, "resilience"): circuit breakers,
// exhaustion registries and credit ledgers by handle. Configs, snapshots and ledger entries cross
// as JSON in the scratch buffer; the hot calls (decide, record) take and return numbers only,
// through a fixed f64 area (es_res_out) the host views once.
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abi_state.hpp"
#include "edgescope.h"
#include "edgescope/json_writer.hpp"
#include "edgescope/resilience/breaker.hpp"
#include "edgescope/resilience/exhaustion.hpp"
#include "edgescope/resilience/ledger.hpp"

using namespace edgescope;
using namespace edgescope::resilience;

namespace {

constexpr std::size_t kMaxObjects = 4096;
constexpr std::size_t kMaxTransitionsOut = 24;
constexpr std::size_t kOutSlots = 3 + 4 * kMaxTransitionsOut;
constexpr double kMaxTime = 9007199254740991.0;

double g_out[kOutSlots + 1];

struct Object {
  std::unique_ptr<CircuitBreaker> breaker;
  std::unique_ptr<ExhaustionRegistry> registry;
  std::unique_ptr<CreditLedger> ledger;
  // Transitions that state() or serialize() applied (time-driven ones): handed out with the next
  // decide/record/forceOpen/reset so the host reports each exactly once.
  std::vector<Transition> pending;
};

std::vector<std::unique_ptr<Object>> g_objects;

const char* kKindNames[] = {"breaker", "registry", "ledger"};

Object* object(int32_t r) {
  if (r <= 0 || static_cast<std::size_t>(r) > g_objects.size()) return nullptr;
  return g_objects[static_cast<std::size_t>(r - 1)].get();
}

int32_t kind_of(const Object& o) { return o.breaker ? 0 : o.registry ? 1 : 2; }

int32_t wrong(int32_t r, const Object* o, int32_t want) {
  if (!o) return abi::fail(ES_ERR_HANDLE, "unknown resilience handle " + edgescope::decimal(r));
  return abi::fail(ES_ERR_HANDLE, "resilience handle " + edgescope::decimal(r) + " is a " + kKindNames[kind_of(*o)] +
                                      ", not a " + kKindNames[want]);
}

#define ES_OBJECT(var, r, member, kind)                       \
  Object* var##_obj = object(r);                              \
  if (!var##_obj || !var##_obj->member) return wrong(r, var##_obj, kind); \
  auto& var = *var##_obj->member

// `now` as the core keeps it: whole wall-clock milliseconds.
bool to_time(double value, const char* what, std::int64_t& out) {
  if (!(value >= 0 && value <= kMaxTime)) {
    abi::fail(ES_ERR_ARGUMENT, std::string(what) + ": expected milliseconds since the epoch (a finite, non-negative number)");
    return false;
  }
  out = static_cast<std::int64_t>(std::floor(value));
  return true;
}

#define ES_NOW(var, value) \
  std::int64_t var = 0;    \
  if (!to_time(value, "now", var)) return ES_ERR_ARGUMENT

bool text_in(uint32_t len, std::string_view& out) {
  const GrowArray<std::uint8_t>& scratch = abi::scratch_bytes();
  if (len > scratch.size()) {
    abi::fail(ES_ERR_ARGUMENT, "length exceeds the scratch buffer");
    return false;
  }
  out = std::string_view(reinterpret_cast<const char*>(scratch.data()), len);
  return true;
}

#define ES_TEXT(var, len)     \
  std::string_view var;       \
  if (!text_in(len, var)) return ES_ERR_ARGUMENT

// Writes the transitions (pending first) to the out area; returns how many.
int32_t put_transitions(Object& o, const std::vector<Transition>& fresh) {
  std::vector<Transition>& all = o.pending;
  all.insert(all.end(), fresh.begin(), fresh.end());
  // Never reached in practice (a curve has at most 16 steps); the newest are the ones that matter.
  if (all.size() > kMaxTransitionsOut) all.erase(all.begin(), all.end() - kMaxTransitionsOut);
  g_out[2] = static_cast<double>(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    g_out[3 + 4 * i] = static_cast<double>(all[i].from);
    g_out[4 + 4 * i] = static_cast<double>(all[i].to);
    g_out[5 + 4 * i] = static_cast<double>(all[i].at);
    g_out[6 + 4 * i] = static_cast<double>(all[i].step);
  }
  const auto n = static_cast<int32_t>(all.size());
  all.clear();
  return n;
}

int32_t output(std::string text) {
  abi::output() = std::move(text);
  return static_cast<int32_t>(abi::output().size());
}

void append_field(std::string& out, const char* name, std::int64_t value) {
  out.append(",\"");
  out.append(name);
  out.append("\":");
  append_json_int(out, value);
}

}  // namespace

extern "C" {

double* es_res_out(void) { return g_out; }

int32_t es_res_create(int32_t kind, uint32_t config_len) {
  ES_TEXT(text, config_len);
  if (text.empty()) text = "{}";
  auto o = std::make_unique<Object>();
  std::string error;
  if (kind == 0) {
    BreakerConfig config;
    if (!parse_breaker_config(text, config, error)) return abi::fail(ES_ERR_ARGUMENT, error);
    o->breaker = std::make_unique<CircuitBreaker>(std::move(config));
  } else if (kind == 1) {
    ExhaustionConfig config;
    if (!parse_exhaustion_config(text, config, error)) return abi::fail(ES_ERR_ARGUMENT, error);
    o->registry = std::make_unique<ExhaustionRegistry>(config);
  } else if (kind == 2) {
    LedgerConfig config;
    if (!parse_ledger_config(text, config, error)) return abi::fail(ES_ERR_ARGUMENT, error);
    o->ledger = std::make_unique<CreditLedger>(std::move(config));
  } else {
    return abi::fail(ES_ERR_ARGUMENT, "kind must be 0 (breaker), 1 (registry) or 2 (ledger)");
  }
  for (std::size_t i = 0; i < g_objects.size(); ++i) {
    if (!g_objects[i]) {
      g_objects[i] = std::move(o);
      return static_cast<int32_t>(i + 1);
    }
  }
  if (g_objects.size() >= kMaxObjects) {
    return abi::fail(ES_ERR_REJECTED, "too many resilience objects (" + edgescope::decimal(kMaxObjects) + "); destroy unused ones");
  }
  g_objects.push_back(std::move(o));
  return static_cast<int32_t>(g_objects.size());
}

int32_t es_res_destroy(int32_t r) {
  if (!object(r)) return abi::fail(ES_ERR_HANDLE, "unknown resilience handle " + edgescope::decimal(r));
  g_objects[static_cast<std::size_t>(r - 1)].reset();
  return ES_OK;
}

int32_t es_res_decide(int32_t r, double now, double u) {
  ES_OBJECT(breaker, r, breaker, 0);
  ES_NOW(t, now);
  if (!(u >= 0 && u < 1)) return abi::fail(ES_ERR_ARGUMENT, "u: expected a uniform draw in [0, 1)");
  std::vector<Transition> fresh;
  const Decision d = breaker.decide(t, u, fresh);
  g_out[0] = static_cast<double>(d.retry_after_ms);
  g_out[1] = d.primary_share;
  put_transitions(*breaker_obj, fresh);
  return (d.admit ? 1 : 0) | (d.probe ? 2 : 0) | static_cast<int32_t>(d.state) << 2;
}

int32_t es_res_record(int32_t r, double now, int32_t ok, double duration_ms, int32_t probe) {
  ES_OBJECT(breaker, r, breaker, 0);
  ES_NOW(t, now);
  if (ok != 0 && ok != 1) return abi::fail(ES_ERR_ARGUMENT, "ok must be 0 or 1");
  if (probe != 0 && probe != 1) return abi::fail(ES_ERR_ARGUMENT, "probe must be 0 or 1");
  if (!(duration_ms >= 0 && duration_ms <= kMaxTime)) return abi::fail(ES_ERR_ARGUMENT, "durationMs: expected a finite, non-negative number");
  std::vector<Transition> fresh;
  breaker.record(t, ok == 1, static_cast<std::int64_t>(duration_ms), probe == 1, fresh);
  return put_transitions(*breaker_obj, fresh);
}

int32_t es_res_force_open(int32_t r, double now) {
  ES_OBJECT(breaker, r, breaker, 0);
  ES_NOW(t, now);
  std::vector<Transition> fresh;
  breaker.force_open(t, fresh);
  g_out[0] = static_cast<double>(breaker.retry_after(t));
  return put_transitions(*breaker_obj, fresh);
}

int32_t es_res_reset(int32_t r, double now) {
  ES_OBJECT(breaker, r, breaker, 0);
  ES_NOW(t, now);
  std::vector<Transition> fresh;
  breaker.reset(t, fresh);
  return put_transitions(*breaker_obj, fresh);
}

int32_t es_res_state(int32_t r, double now) {
  ES_OBJECT(breaker, r, breaker, 0);
  ES_NOW(t, now);
  breaker.advance(t, breaker_obj->pending);
  const BreakerData& d = breaker.data();
  std::string out = "{\"state\":\"";
  out.append(state_name(d.state));
  out.push_back('"');
  append_field(out, "retryAfterMs", breaker.retry_after(t));
  append_field(out, "consecutiveFailures", d.consecutive_failures);
  append_field(out, "calls", breaker.window_calls(t));
  append_field(out, "failures", breaker.window_failures(t));
  append_field(out, "step", d.step);
  append_field(out, "since", d.since);
  append_field(out, "openings", d.openings);
  append_field(out, "probesInFlight", static_cast<std::int64_t>(d.probes.size()));
  out.append(",\"primaryShare\":");
  append_double(out, breaker.primary_share());
  out.push_back('}');
  return output(std::move(out));
}

int32_t es_res_mark(int32_t r, double now, uint32_t provider_len, double duration_ms) {
  ES_OBJECT(registry, r, registry, 1);
  ES_NOW(t, now);
  ES_TEXT(provider, provider_len);
  if (!(duration_ms == -1 || (duration_ms >= 0 && duration_ms <= kMaxTime))) {
    return abi::fail(ES_ERR_ARGUMENT, "durationMs: expected a finite, non-negative number (-1: the default)");
  }
  std::string error;
  const std::int64_t duration = duration_ms < 0 ? -1 : static_cast<std::int64_t>(duration_ms);
  if (!registry.mark(provider, t, duration, error)) return abi::fail(ES_ERR_ARGUMENT, error);
  return ES_OK;
}

double es_res_exhausted(int32_t r, double now, uint32_t provider_len) {
  Object* o = object(r);
  if (!o || !o->registry) return wrong(r, o, 1);
  std::int64_t t = 0;
  if (!to_time(now, "now", t)) return ES_ERR_ARGUMENT;
  std::string_view provider;
  if (!text_in(provider_len, provider)) return ES_ERR_ARGUMENT;
  return static_cast<double>(o->registry->until(provider, t));
}

int32_t es_res_list(int32_t r, double now) {
  ES_OBJECT(registry, r, registry, 1);
  ES_NOW(t, now);
  std::string out = "[";
  for (const auto& m : registry.list(t)) {
    if (out.size() > 1) out.push_back(',');
    out.append("{\"provider\":");
    append_json_string(out, m.first);
    append_field(out, "untilMs", m.second);
    out.push_back('}');
  }
  out.push_back(']');
  return output(std::move(out));
}

int32_t es_res_ledger_record(int32_t r, double now, uint32_t len) {
  ES_OBJECT(ledger, r, ledger, 2);
  ES_NOW(t, now);
  ES_TEXT(text, len);
  std::string error;
  LedgerEntry entry;
  std::vector<LedgerAlert> alerts;
  if (!parse_ledger_entry(text, entry, error) || !ledger.record(t, entry, alerts, error)) {
    return abi::fail(ES_ERR_ARGUMENT, error);
  }
  std::string out = "[";
  for (const LedgerAlert& a : alerts) {
    if (out.size() > 1) out.push_back(',');
    out.append(a.depletion ? "{\"kind\":\"depletion\",\"provider\":" : "{\"kind\":\"budget\",\"provider\":");
    append_json_string(out, a.provider);
    out.append(",\"tier\":");
    append_double(out, a.tier);
    append_field(out, "spendMicros", a.spend_micros);
    append_field(out, "budgetMicros", a.budget_micros);
    append_field(out, "last24hMicros", a.last24h_micros);
    if (a.depletion) {
      out.append(",\"daysLeft\":");
      append_double(out, a.days_left);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return output(std::move(out));
}

int32_t es_res_ledger_check(int32_t r, double now, uint32_t len) {
  ES_OBJECT(ledger, r, ledger, 2);
  ES_NOW(t, now);
  ES_TEXT(text, len);
  std::string error, provider;
  std::int64_t requests = 0, tokens = 0;
  if (!parse_ledger_check(text, provider, requests, tokens, error)) return abi::fail(ES_ERR_ARGUMENT, error);
  const LedgerVerdict v = ledger.check(t, provider, requests, tokens);
  std::string out = v.allowed ? "{\"allowed\":true,\"reason\":" : "{\"allowed\":false,\"reason\":";
  if (v.allowed) out.append("null");
  else append_json_string(out, v.reason);
  out.append(",\"provider\":");
  if (v.allowed) out.append("null");
  else append_json_string(out, v.provider);
  append_field(out, "retryAfterMs", v.retry_after_ms);
  out.push_back('}');
  return output(std::move(out));
}

int32_t es_res_ledger_status(int32_t r, double now) {
  ES_OBJECT(ledger, r, ledger, 2);
  ES_NOW(t, now);
  return output(ledger.status_json(t));
}

int32_t es_res_serialize(int32_t r, double now) {
  Object* o = object(r);
  if (!o) return abi::fail(ES_ERR_HANDLE, "unknown resilience handle " + edgescope::decimal(r));
  ES_NOW(t, now);
  if (o->breaker) return output(o->breaker->serialize(t));
  if (o->registry) return output(o->registry->serialize(t));
  return output(o->ledger->serialize(t));
}

int32_t es_res_deserialize(int32_t r, double now, uint32_t len) {
  Object* o = object(r);
  if (!o) return abi::fail(ES_ERR_HANDLE, "unknown resilience handle " + edgescope::decimal(r));
  ES_NOW(t, now);
  ES_TEXT(text, len);
  std::string error;
  const bool ok = o->breaker ? o->breaker->deserialize(text, t, error)
                  : o->registry ? o->registry->deserialize(text, t, error)
                                : o->ledger->deserialize(text, t, error);
  if (!ok) return abi::fail(ES_ERR_ARGUMENT, error);
  o->pending.clear();  // a restored state starts its own history
  return ES_OK;
}

int32_t es_res_merge(int32_t r, double now, uint32_t len) {
  Object* o = object(r);
  if (!o) return abi::fail(ES_ERR_HANDLE, "unknown resilience handle " + edgescope::decimal(r));
  ES_NOW(t, now);
  ES_TEXT(text, len);
  std::string error;
  const bool ok = o->breaker ? o->breaker->merge(text, t, error)
                  : o->registry ? o->registry->merge(text, t, error)
                                : o->ledger->merge(text, t, error);
  if (!ok) return abi::fail(ES_ERR_ARGUMENT, error);
  return ES_OK;
}

}  // extern "C"
