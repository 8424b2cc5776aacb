// The one grow routine behind every GrowArray<T> (grow_array.hpp says why it exists).
#include "edgescope/grow_array.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace edgescope {

void* grow_array_storage(void* data, std::size_t& capacity, std::size_t need, std::size_t elem_size) {
  // A byte count that does not fit in size_t ends the module, as std::vector's length_error does
  // without exceptions: never a small block under a huge capacity.
  const std::size_t most = SIZE_MAX / elem_size;
  if (need > most) std::abort();
  std::size_t next = capacity <= most / 2 ? capacity * 2 : most;
  if (next < need) next = need;
  // operator new/delete and a byte copy, not realloc: the module has those already (realloc
  // would bring its own code), and allocation failure ends the module as std::vector's would.
  void* grown = ::operator new(next * elem_size);
  if (data != nullptr) {
    std::memcpy(grown, data, capacity * elem_size);
    ::operator delete(data);
  }
  capacity = next;
  return grown;
}

}  // namespace edgescope
