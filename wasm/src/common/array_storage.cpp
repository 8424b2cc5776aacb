// The capacity rule behind both grow routines (array_storage.hpp says why it is shared).
#include "edgescope/array_storage.hpp"

#include <cstdint>
#include <cstdlib>

namespace edgescope {

std::size_t grown_capacity(std::size_t capacity, std::size_t need, std::size_t elem_size) {
  const std::size_t most = SIZE_MAX / elem_size;
  if (need > most) std::abort();
  std::size_t next = capacity <= most / 2 ? capacity * 2 : most;
  if (next < need) next = need;
  return next;
}

}  // namespace edgescope
