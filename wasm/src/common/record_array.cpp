// The one grow routine behind every RecordArray<T> (record_array.hpp says why it exists).
#include "edgescope/record_array.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace edgescope {

void* record_array_storage(void* data, std::size_t size, std::size_t& capacity, std::size_t need,
                           std::size_t elem_size, RelocateRecords relocate) {
  // A byte count that does not fit in size_t ends the module, as std::vector's length_error does
  // without exceptions: never a small block under a huge capacity.
  const std::size_t most = SIZE_MAX / elem_size;
  if (need > most) std::abort();
  std::size_t next = capacity <= most / 2 ? capacity * 2 : most;
  if (next < need) next = need;
  void* grown = ::operator new(next * elem_size);
  if (data != nullptr) {
    relocate(grown, data, size);
    ::operator delete(data);
  }
  capacity = next;
  return grown;
}

}  // namespace edgescope
