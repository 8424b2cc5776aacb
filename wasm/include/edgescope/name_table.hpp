// Interned names (span, event and metric names, units, attribute keys): the host interns a
// string once and then passes a small integer on every hot call.
//
// Bounds apply to a drain window, not to the isolate's lifetime: a name no call used during a
// whole window is evicted at the drain that closes it (Telemetry::drain), so max_interned and
// max_name_table_bytes limit the names in use, and new names are accepted again once old ones go
// idle. An id carries its slot's generation (the same scheme as span handles, tracer.hpp): the id
// of an evicted name is refused, never taken for the name that reuses its slot. A slot whose
// generation would wrap is retired instead of reused, so an id is never issued twice.
//
// A name that cannot be interned is refused, never replaced by a placeholder: two unrelated
// counters must not merge under one name. The refusal is a negative id the host passes on, and
// whatever it would have named is refused and counted (Telemetry).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "edgescope/limits.hpp"
#include "edgescope/record_array.hpp"
#include "edgescope/slot_id.hpp"

namespace edgescope {

using NameId = std::int32_t;
constexpr NameId kNoName = 0;        // "no unit"; never a name
constexpr NameId kNameEmpty = -2;    // refused: empty (ES_ERR_ARGUMENT)
constexpr NameId kNameRefused = -4;  // refused: the table is full by count or bytes (ES_ERR_REJECTED)

class NameTable {
 public:
  NameTable(const Limits& limits, Stats& stats) : limits_(limits), stats_(stats) {}
  NameTable(const NameTable&) = delete;
  NameTable& operator=(const NameTable&) = delete;

  // Sanitizes `raw` (UTF-8 repair, cut at max_name_bytes, both counted) and returns its id (> 0),
  // or kNameEmpty / kNameRefused (counted). Marks the name used in `window`.
  NameId intern(std::string_view raw, std::uint64_t window);
  // The name of a live id, marked used in `window`; nullptr for a refused, evicted or unknown id.
  const std::string* use(NameId id, std::uint64_t window);
  const std::string* find(NameId id) const;
  // Evicts every name not used in `window` (the window a drain closes); appends their ids.
  void evict_idle(std::uint64_t window, IdList& evicted);

  std::size_t size() const { return ids_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct Slot {
    std::unique_ptr<std::string> name;  // its own allocation: find() and use() pointers outlive slots_ growth; null: free
    std::uint64_t last_used = 0;
    std::uint16_t generation = 0;
  };
  std::size_t capacity() const;
  std::uint32_t slot_index(NameId id) const;  // index + 1, or 0 when `id` is not live
  // The first place in ids_ whose name is not less than `name` (binary search).
  std::uint32_t* name_place(const std::string& name);

  const Limits& limits_;
  Stats& stats_;
  // Live slot indices sorted by name: O(log n) lookups without hash-table code in the module
  // (size budget).
  IndexList ids_;
  RecordArray<Slot> slots_;
  IndexList free_;
  std::size_t bytes_ = 0;
};

}  // namespace edgescope
