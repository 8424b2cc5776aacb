// The one grow routine behind every GrowArray<T> (grow_array.hpp says why it exists).
#include "edgescope/grow_array.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace edgescope {

void* grow_array_storage(void* data, std::size_t& capacity, std::size_t need, std::size_t elem_size) {
  const std::size_t next = grown_capacity(capacity, need, elem_size);
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
