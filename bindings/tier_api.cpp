// Cache-tier attribution over the C ABI (bindings/edgescope.h, "Cache-tier attribution"). Rule
// handles are this file's own numbering; js/tiers/tier-core.js is the one caller: patterns once
// per core when a config is applied, then at most one es_tier_decide per invocation (at finalize,
// only when a span of it set a source).
#include <string>
#include <string_view>

#include "abi_state.hpp"
#include "edgescope.h"
#include "edgescope/tiers/tier_attribution.hpp"

using namespace edgescope;

namespace {

// One rule set per distinct pattern list in the isolate (the shim shares them); a fixed table
// keeps owner-vector template code out of the module (size budget).
constexpr int32_t kMaxTierRules = 16;
tiers::TierRules* g_rules[kMaxTierRules];

tiers::TierRules* find(int32_t r) { return r > 0 && r <= kMaxTierRules ? g_rules[r - 1] : nullptr; }

std::string_view scratch_text(uint32_t len) {
  return std::string_view(reinterpret_cast<const char*>(abi::scratch_bytes().data()), len);
}

// "<what> <index>: <why>", or "<why>" when the refusal is about the whole list (index -1).
int32_t refuse(const char* what, int index, const char* why) {
  return abi::fail(ES_ERR_ARGUMENT, index < 0 ? std::string(why) : abi::cat_num(what, index, ": ") + why);
}

}  // namespace

extern "C" {

int32_t es_tier_rules(uint32_t len) {
  if (len > abi::scratch_bytes().size()) return abi::fail(ES_ERR_ARGUMENT, "patterns exceed the scratch buffer");
  int32_t slot = 0;
  while (slot < kMaxTierRules && g_rules[slot]) ++slot;
  if (slot == kMaxTierRules) return abi::fail(ES_ERR_REJECTED, "too many tier rule sets (16)");
  auto* rules = new tiers::TierRules();
  int index = -1;
  if (const char* why = rules->configure(scratch_text(len), index)) {
    delete rules;
    return refuse("pattern ", index, why);
  }
  g_rules[slot] = rules;
  return slot + 1;
}

int32_t es_tier_rules_destroy(int32_t r) {
  if (!find(r)) return abi::fail_num(ES_ERR_HANDLE, "unknown tier rules ", r);
  delete g_rules[r - 1];
  g_rules[r - 1] = nullptr;
  return ES_OK;
}

int32_t es_tier_decide(int32_t r, uint32_t len) {
  const tiers::TierRules* rules = find(r);
  if (!rules) return abi::fail_num(ES_ERR_HANDLE, "unknown tier rules ", r);
  if (len > abi::scratch_bytes().size()) return abi::fail(ES_ERR_ARGUMENT, "entries exceed the scratch buffer");
  const char* why = nullptr;
  int index = -1;
  const int decided = rules->decide(scratch_text(len), why, index);
  if (decided == tiers::kMalformed) return refuse("entry ", index, why);
  return decided + 1;
}

}  // extern "C"
