// The offline buffer's policy over the C ABI (bindings/edgescope.h, "offline buffer"). Stateless:
// the stores in js/storage call these with metadata they read, and do what the answer says.
#include <cstring>
#include <string>
#include <vector>

#include "abi_state.hpp"
#include "edgescope.h"
#include "edgescope/buffer_policy.hpp"

using namespace edgescope;

namespace {

constexpr std::size_t kMetaBytes = 24;  // three little-endian f64

double read_f64(const std::uint8_t* p) {
  std::uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | p[i];  // little-endian whatever the host
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// Reads `count` triples from scratch offset `first` (in entries) into `out`; false with the
// error set when one is not a valid meta. `what` names the list in the message.
bool read_metas(std::size_t first, std::uint32_t count, const char* what, GrowArray<EntryMeta>& out) {
  const std::uint8_t* base = abi::scratch_bytes().data();
  out.resize(count);
  std::string why;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint8_t* p = base + (first + i) * kMetaBytes;
    EntryMeta& meta = out[i];
    meta.created = read_f64(p);
    if (!is_time(meta.created, "created", why) || !to_count(read_f64(p + 8), "bytes", meta.bytes, why) ||
        !to_count(read_f64(p + 16), "attempts", meta.attempts, why)) {
      abi::fail(ES_ERR_ARGUMENT, std::string(what) + abi::cat_num(" ", i, ": ") + why);
      return false;
    }
  }
  return true;
}

bool metas_fit(std::uint64_t count) {
  if (count * kMetaBytes <= abi::scratch_bytes().size()) return true;
  abi::fail(ES_ERR_ARGUMENT, abi::cat_num("", static_cast<long long>(count), " entries (") +
                                 abi::cat_num("", kMetaBytes, " bytes each) exceed the scratch buffer"));
  return false;
}

#define ES_COUNT(value, name, field)                                   \
  if (!to_count(value, name, field, why)) return abi::fail(ES_ERR_ARGUMENT, why)
#define ES_TIME(value, name) \
  if (!is_time(value, name, why)) return abi::fail(ES_ERR_ARGUMENT, why)

template <typename Action>
void write_actions(std::string& out, const GrowArray<Action>& actions) {
  static_assert(sizeof(Action) == 1, "one byte per action (edgescope.h)");
  out.append(reinterpret_cast<const char*>(actions.data()), actions.size());
}

}  // namespace

extern "C" {

int32_t es_buffer_plan_store(uint32_t existing, uint32_t incoming, double max_entries, double max_bytes) {
  std::string why;
  BufferLimits limits;
  ES_COUNT(max_entries, "maxEntries", limits.max_entries);
  ES_COUNT(max_bytes, "maxBytes", limits.max_bytes);
  if (!metas_fit(static_cast<std::uint64_t>(existing) + incoming)) return ES_ERR_ARGUMENT;
  GrowArray<EntryMeta> old_entries;
  GrowArray<EntryMeta> new_entries;
  if (!read_metas(0, existing, "existing entry", old_entries)) return ES_ERR_ARGUMENT;
  if (!read_metas(existing, incoming, "incoming entry", new_entries)) return ES_ERR_ARGUMENT;
  const StorePlan plan = plan_store(old_entries, new_entries, limits);
  std::string& out = abi::output();
  out.clear();
  write_actions(out, plan.existing);
  write_actions(out, plan.incoming);
  return static_cast<int32_t>(out.size());
}

int32_t es_buffer_plan_replay(uint32_t count, double now, double max_age_ms, double max_attempts,
                              double replay_max_entries) {
  std::string why;
  BufferLimits limits;
  ES_TIME(now, "now");
  ES_COUNT(max_age_ms, "maxAgeMs", limits.max_age_ms);
  ES_COUNT(max_attempts, "maxAttempts", limits.max_attempts);
  ES_COUNT(replay_max_entries, "replayMaxEntries", limits.replay_max_entries);
  if (!metas_fit(count)) return ES_ERR_ARGUMENT;
  GrowArray<EntryMeta> entries;
  if (!read_metas(0, count, "entry", entries)) return ES_ERR_ARGUMENT;
  std::string& out = abi::output();
  out.clear();
  write_actions(out, plan_replay(entries, now, limits));
  return static_cast<int32_t>(out.size());
}

int32_t es_buffer_after_attempt(double created, double bytes, double attempts, int32_t delivered, double now,
                                double max_age_ms, double max_attempts) {
  std::string why;
  BufferLimits limits;
  EntryMeta entry;
  ES_TIME(created, "created");
  ES_COUNT(bytes, "bytes", entry.bytes);
  ES_COUNT(attempts, "attempts", entry.attempts);
  ES_TIME(now, "now");
  ES_COUNT(max_age_ms, "maxAgeMs", limits.max_age_ms);
  ES_COUNT(max_attempts, "maxAttempts", limits.max_attempts);
  if (delivered != 0 && delivered != 1) return abi::fail(ES_ERR_ARGUMENT, "delivered must be 0 or 1");
  entry.created = created;
  return static_cast<int32_t>(after_attempt(entry, delivered == 1, now, limits));
}

}  // extern "C"
