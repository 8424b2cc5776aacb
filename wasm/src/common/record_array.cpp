// The one grow routine behind every RecordArray<T> (record_array.hpp says why it exists).
#include "edgescope/record_array.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace edgescope {

void* record_array_storage(void* data, std::size_t size, std::size_t& capacity, std::size_t need,
                           std::size_t elem_size, RelocateRecords relocate) {
  const std::size_t next = grown_capacity(capacity, need, elem_size);
  void* grown = ::operator new(next * elem_size);
  if (data != nullptr) {
    relocate(grown, data, size);
    ::operator delete(data);
  }
  capacity = next;
  return grown;
}

}  // namespace edgescope
