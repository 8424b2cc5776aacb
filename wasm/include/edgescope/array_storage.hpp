// ArrayStorage<T>: what GrowArray (plain values, moved by bytes) and RecordArray (records that own
// memory, moved by a loop) share: the block, its size and capacity, read access, comparison, and
// the capacity a growth asks for. How elements are built, moved and destroyed is theirs.
#pragma once
#include <cstddef>

namespace edgescope {

// The capacity a growth to `need` elements of `elem_size` bytes takes: double the current one, at
// least `need`. A byte count that does not fit in size_t ends the module, as std::vector's
// length_error does without exceptions: never a small block under a huge capacity. Out of line
// (common/array_storage.cpp): one copy for both grow routines.
std::size_t grown_capacity(std::size_t capacity, std::size_t need, std::size_t elem_size);

template <class T>
class ArrayStorage {
 public:
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  bool operator==(const ArrayStorage& o) const {
    if (size_ != o.size_) return false;
    for (std::size_t i = 0; i < size_; ++i) {
      if (!(data_[i] == o.data_[i])) return false;
    }
    return true;
  }
  bool operator!=(const ArrayStorage& o) const { return !(*this == o); }

 protected:
  // Takes `other`'s block, leaving it empty; the caller has released its own block first.
  void take_block(ArrayStorage& other) noexcept {
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace edgescope
