// Generational slot ids, shared by span handles (tracer), interned names (name_table) and metric
// series (metrics): id = (generation << 16) | (index + 1). Positive as an int32 and never 0, so 0
// stays free for "none/refused". A slot whose generation reaches kMaxSlotGeneration is retired
// (never put back on the free list), so an id is never issued twice and a stale one is refused.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "edgescope/grow_array.hpp"

namespace edgescope {

// Slot indices, ids and offsets (4 bytes in wasm32): one GrowArray for every such list, so the
// module has no std::vector growth path for 4-byte elements (grow_array.hpp).
using IndexList = GrowArray<std::uint32_t>;
using IdList = GrowArray<std::int32_t>;

constexpr std::uint32_t kSlotIndexBits = 16;
constexpr std::uint32_t kSlotIndexMask = (1u << kSlotIndexBits) - 1;
constexpr std::uint16_t kMaxSlotGeneration = 0x7FFF;  // keeps ids positive as int32

constexpr std::int32_t slot_id(std::uint16_t generation, std::uint32_t index) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(generation) << kSlotIndexBits) | (index + 1));
}
// The slot index + 1 of an id (0 for an id that names no slot).
constexpr std::uint32_t slot_index_plus_one(std::int32_t id) { return static_cast<std::uint32_t>(id) & kSlotIndexMask; }
constexpr std::uint32_t slot_generation(std::int32_t id) { return static_cast<std::uint32_t>(id) >> kSlotIndexBits; }

// A free slot's index: the most recently freed one, else a new slot at the end.
template <typename Slots>
std::uint32_t take_free_slot(IndexList& free, Slots& slots) {
  if (!free.empty()) {
    const std::uint32_t index = free.back();
    free.pop_back();
    return index;
  }
  slots.resize(slots.size() + 1);
  return static_cast<std::uint32_t>(slots.size() - 1);
}

// Inserts `index` at position `at` of a sorted index list (the name table's and the metric
// registry's binary-search orders, the encoder's metric groups): one out-of-line routine instead
// of vector<uint32_t>::insert and its split-buffer growth path (size budget: scripts/size-budget.mjs).
void insert_index(IndexList& sorted, std::size_t at, std::uint32_t index);

}  // namespace edgescope
