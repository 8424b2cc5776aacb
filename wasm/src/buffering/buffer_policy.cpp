#include "edgescope/buffer_policy.hpp"

#include <cmath>

namespace edgescope {

bool is_expired(const EntryMeta& entry, double now, const BufferLimits& limits) {
  // An entry from a clock ahead of ours (created > now) is young, not expired.
  return now - entry.created > static_cast<double>(limits.max_age_ms);
}

bool is_exhausted(const EntryMeta& entry, const BufferLimits& limits) { return entry.attempts >= limits.max_attempts; }

StorePlan plan_store(const GrowArray<EntryMeta>& existing, const GrowArray<EntryMeta>& incoming,
                     const BufferLimits& limits) {
  StorePlan plan;
  // resize on empty vectors: every action Keep (0). Not assign(n, action): its fill path is module
  // code of its own for this one element type (size budget: scripts/size-budget.mjs).
  plan.existing.resize(existing.size());
  plan.incoming.resize(incoming.size());
  if (limits.max_entries == 0) {
    for (auto& action : plan.incoming) action = StoreAction::Refuse;
    return plan;
  }
  for (std::size_t i = 0; i < incoming.size(); ++i) {
    if (incoming[i].bytes > limits.max_bytes) plan.incoming[i] = StoreAction::Refuse;
  }
  // Removing the oldest entries until the rest fits is keeping the longest run of newest entries
  // that fits. Walking from the newest, the byte sum never exceeds max_bytes + one entry (each
  // <= 2^53), so it cannot overflow however many entries there are.
  std::uint64_t kept = 0;
  std::uint64_t bytes = 0;
  bool full = false;
  const auto keep = [&](std::uint64_t size) {
    if (!full && kept < limits.max_entries && size <= limits.max_bytes - bytes) {
      ++kept;
      bytes += size;
      return true;
    }
    full = true;  // everything older goes too: eviction is oldest first, never a gap
    return false;
  };
  for (std::size_t i = incoming.size(); i-- > 0;) {
    if (plan.incoming[i] == StoreAction::Refuse) continue;  // never counted: it is not stored
    if (!keep(incoming[i].bytes)) plan.incoming[i] = StoreAction::Refuse;
  }
  for (std::size_t i = existing.size(); i-- > 0;) {
    if (!keep(existing[i].bytes)) plan.existing[i] = StoreAction::Evict;
  }
  return plan;
}

GrowArray<ReplayAction> plan_replay(const GrowArray<EntryMeta>& entries, double now, const BufferLimits& limits) {
  GrowArray<ReplayAction> actions(entries.size());  // all Wait (0)
  std::uint64_t replayed = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (is_expired(entries[i], now, limits)) {
      actions[i] = ReplayAction::Expired;
    } else if (is_exhausted(entries[i], limits)) {
      actions[i] = ReplayAction::Exhausted;
    } else if (replayed < limits.replay_max_entries) {
      actions[i] = ReplayAction::Replay;
      ++replayed;
    }
  }
  return actions;
}

AttemptOutcome after_attempt(const EntryMeta& entry, bool delivered, double now, const BufferLimits& limits) {
  if (delivered) return AttemptOutcome::Delete;
  if (is_expired(entry, now, limits)) return AttemptOutcome::DropExpired;
  EntryMeta next = entry;
  next.attempts = entry.attempts + 1;
  if (is_exhausted(next, limits)) return AttemptOutcome::DropExhausted;
  return AttemptOutcome::Keep;
}

bool to_count(double value, const char* what, std::uint64_t& out, std::string& why) {
  if (!(value >= 0 && value <= kMaxSafeInteger) || std::floor(value) != value) {
    why = std::string(what) + " must be an integer from 0 to 2^53 - 1";
    return false;
  }
  out = static_cast<std::uint64_t>(value);
  return true;
}

bool is_time(double value, const char* what, std::string& why) {
  if (!std::isfinite(value)) {
    why = std::string(what) + " must be a finite number of milliseconds";
    return false;
  }
  return true;
}

}  // namespace edgescope
