#include "edgescope/slot_id.hpp"

#include <cstring>

namespace edgescope {

void insert_index(IndexList& sorted, std::size_t at, std::uint32_t index) {
  sorted.push_back(index);
  std::uint32_t* const data = sorted.data();
  const std::size_t after = sorted.size() - 1 - at;  // the entries that move up one place
  std::memmove(data + at + 1, data + at, after * sizeof *data);
  data[at] = index;
}

}  // namespace edgescope
