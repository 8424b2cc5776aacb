#include "edgescope/name_table.hpp"

#include "edgescope/accounting.hpp"
#include "edgescope/attributes.hpp"
#include "edgescope/slot_id.hpp"

#include <algorithm>

namespace edgescope {
namespace {

std::size_t name_cost(const std::string& name) { return kNameOverhead + name.size(); }
}  // namespace

std::size_t NameTable::capacity() const {
  return limits_.max_interned < kSlotIndexMask ? limits_.max_interned : kSlotIndexMask;
}

std::uint32_t* NameTable::name_place(const std::string& name) {
  return std::lower_bound(ids_.begin(), ids_.end(), name,
                          [this](std::uint32_t index, const std::string& n) { return *slots_[index].name < n; });
}

std::uint32_t NameTable::slot_index(NameId id) const {
  if (id <= 0) return 0;
  const std::uint32_t index_plus_one = slot_index_plus_one(id);
  if (index_plus_one == 0 || index_plus_one > slots_.size()) return 0;
  const Slot& slot = slots_[index_plus_one - 1];
  if (slot.name == nullptr || slot.generation != slot_generation(id)) return 0;
  return index_plus_one;
}

NameId NameTable::intern(std::string_view raw, std::uint64_t window) {
  std::string name = sanitize_text(raw, limits_.max_name_bytes, stats_);
  if (name.empty()) {
    ++stats_.names_refused_empty;
    return kNameEmpty;
  }
  const auto found = name_place(name);
  if (found != ids_.end() && *slots_[*found].name == name) {
    Slot& slot = slots_[*found];
    slot.last_used = window;
    return static_cast<NameId>(slot_id(slot.generation, *found));
  }
  if (ids_.size() >= capacity() || (free_.empty() && slots_.size() >= capacity())) {
    ++stats_.names_dropped_intern_limit;
    return kNameRefused;
  }
  const std::size_t cost = name_cost(name);
  if (cost > limits_.max_name_table_bytes - (bytes_ < limits_.max_name_table_bytes ? bytes_ : limits_.max_name_table_bytes)) {
    ++stats_.names_dropped_byte_budget;
    return kNameRefused;
  }
  const std::uint32_t index = take_free_slot(free_, slots_);
  Slot& slot = slots_[index];
  ++slot.generation;
  const auto id = static_cast<NameId>(slot_id(slot.generation, index));
  // `found` still marks where the name goes: ids_ is unchanged
  insert_index(ids_, static_cast<std::size_t>(found - ids_.begin()), index);
  slot.name.reset(new std::string(std::move(name)));
  slot.last_used = window;
  bytes_ += cost;
  return id;
}

const std::string* NameTable::use(NameId id, std::uint64_t window) {
  const std::uint32_t i = slot_index(id);
  if (i == 0) return nullptr;
  slots_[i - 1].last_used = window;
  return slots_[i - 1].name.get();
}

const std::string* NameTable::find(NameId id) const {
  const std::uint32_t i = slot_index(id);
  return i == 0 ? nullptr : slots_[i - 1].name.get();
}

void NameTable::evict_idle(std::uint64_t window, IdList& evicted) {
  for (std::uint32_t index = 0; index < slots_.size(); ++index) {
    Slot& slot = slots_[index];
    if (slot.name == nullptr || slot.last_used >= window) continue;
    evicted.push_back(static_cast<NameId>(slot_id(slot.generation, index)));
    bytes_ -= name_cost(*slot.name);
    ids_.erase(name_place(*slot.name));  // names are unique: the place holds this slot
    slot.name.reset();
    ++stats_.names_evicted;
    if (slot.generation < kMaxSlotGeneration) free_.push_back(index);  // else retired (slot_id.hpp)
  }
}

}  // namespace edgescope
