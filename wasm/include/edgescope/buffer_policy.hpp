// The offline buffer's policy: which entries a store keeps, evicts, replays or drops. The shim's
// stores (memory, KV, Durable Object) do the I/O and ask these functions what to do, so every
// store applies one rule and the rule is tested once.
//
// Pure: no clock (`now` is passed in, ms since the epoch), no entropy, no allocation beyond the
// returned vectors. Entries are described by their metadata only (the bodies stay in the store).
//
// The rules (shared contract, helper-design-7 section 4):
// - store: after a store, entries <= max_entries and bytes <= max_bytes. The whole excess is
//   removed in one step, oldest first: existing entries first (evicted), then the oldest incoming
//   ones (refused). An incoming entry larger than max_bytes is refused on its own. max_entries 0
//   disables the buffer: every incoming entry is refused and nothing is evicted (0 never means
//   "the default").
// - replay: entries older than max_age_ms are expired, entries that failed max_attempts times are
//   exhausted (expiry wins when both hold); of the others, the oldest replay_max_entries replay
//   and the rest wait.
// - after an attempt: delivered -> delete; else the attempt counts, and the entry is dropped when
//   it has expired or has now failed max_attempts times, else kept (with attempts + 1).
// "Oldest first" is the order of the input: the stores list entries by key, and keys sort by
// creation time (js/buffering/entry-key.js).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edgescope/grow_array.hpp"

namespace edgescope {

// Largest integer a JavaScript number holds exactly (Number.MAX_SAFE_INTEGER): every count and
// byte size crossing the ABI as a double must stay within it.
constexpr double kMaxSafeInteger = 9007199254740991.0;

struct BufferLimits {
  std::uint64_t max_entries = 0;
  std::uint64_t max_bytes = 0;
  std::uint64_t max_age_ms = 0;
  std::uint64_t max_attempts = 0;
  std::uint64_t replay_max_entries = 0;
};

struct EntryMeta {
  double created = 0;          // ms since the epoch
  std::uint64_t bytes = 0;     // the stored value's size
  std::uint64_t attempts = 0;  // failed delivery attempts so far
};

// Numbering is part of the C ABI (one byte per entry in the output buffer) and mirrored in
// js/core/tables.js.
enum class StoreAction : std::uint8_t { Keep = 0, Evict = 1, Refuse = 2 };
enum class ReplayAction : std::uint8_t { Wait = 0, Replay = 1, Expired = 2, Exhausted = 3 };
enum class AttemptOutcome : std::uint8_t { Delete = 0, Keep = 1, DropExhausted = 2, DropExpired = 3 };

// GrowArray: no std::vector growth path of their own for entries and actions (grow_array.hpp).
struct StorePlan {
  GrowArray<StoreAction> existing;  // Keep or Evict, one per existing entry
  GrowArray<StoreAction> incoming;  // Keep (store it) or Refuse, one per incoming entry
};

// existing and incoming are each oldest first.
StorePlan plan_store(const GrowArray<EntryMeta>& existing, const GrowArray<EntryMeta>& incoming,
                     const BufferLimits& limits);
// One action per entry; entries oldest first.
GrowArray<ReplayAction> plan_replay(const GrowArray<EntryMeta>& entries, double now, const BufferLimits& limits);
AttemptOutcome after_attempt(const EntryMeta& entry, bool delivered, double now, const BufferLimits& limits);

bool is_expired(const EntryMeta& entry, double now, const BufferLimits& limits);
bool is_exhausted(const EntryMeta& entry, const BufferLimits& limits);

// Checks for values that reach the core as doubles (the ABI). Each returns false and sets `why`
// (naming `what`) unless the value is what the policy needs.
bool to_count(double value, const char* what, std::uint64_t& out, std::string& why);  // integer in [0, 2^53)
bool is_time(double value, const char* what, std::string& why);                       // finite

}  // namespace edgescope
