// GrowArray<T>: a growable array for trivially copyable element types (plain records of integers,
// offsets, ids), with the one grow routine shared by every element type.
//
// Why not std::vector: libc++ instantiates its growth machinery (__push_back_slow_path,
// __recommend, __split_buffer, __swap_out_circular_buffer, resize) once per element layout, about
// 0.3-0.5 KB of wasm each, and the module is charged by its size (issue "Near the floor", README
// "Size"; scripts/size-budget.mjs). Trivially copyable elements move by bytes, so one type-erased,
// out-of-line routine (grow_array_storage: a new block, a byte copy) grows them all. It pays only
// when every std::vector of a layout goes (the linker folds same-layout instantiations into one):
// the 1-, 4-, 8-, 12- and 24-byte lists (ids, indices, counts, bounds, scan ranges, buffer metas
// and plans, the scratch buffer). Records that own memory (strings, attribute lists) are not
// moved by bytes: they are RecordArray (record_array.hpp).
#pragma once
#include "edgescope/array_storage.hpp"
#include <utility>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <new>
#include <type_traits>

namespace edgescope {

// Makes room for at least `need` elements of `elem_size` bytes: capacity doubles (at least
// `need`), contents kept, as std::vector grows. Out of line: the one copy in the module.
void* grow_array_storage(void* data, std::size_t& capacity, std::size_t need, std::size_t elem_size);

template <class T>
class GrowArray : public ArrayStorage<T> {
  static_assert(std::is_trivially_copyable_v<T>, "GrowArray moves its elements by bytes");
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "GrowArray allocates with plain operator new");

 public:
  GrowArray() = default;
  explicit GrowArray(std::size_t n) { resize(n); }
  GrowArray(std::initializer_list<T> values) {
    reserve(values.size());
    for (const T& v : values) data_[size_++] = v;
  }
  GrowArray(const GrowArray& other) { *this = other; }
  GrowArray(GrowArray&& other) noexcept { *this = std::move(other); }
  GrowArray& operator=(const GrowArray& other) {
    if (this != &other) {
      size_ = 0;
      reserve(other.size_);
      if (other.size_ != 0) std::memcpy(data_, other.data_, other.size_ * sizeof(T));
      size_ = other.size_;
    }
    return *this;
  }
  GrowArray& operator=(GrowArray&& other) noexcept {
    if (this != &other) {
      ::operator delete(data_);
      this->take_block(other);
    }
    return *this;
  }
  ~GrowArray() { ::operator delete(data_); }

  void reserve(std::size_t n) {
    if (n > capacity_) data_ = static_cast<T*>(grow_array_storage(data_, capacity_, n, sizeof(T)));
  }
  // `value` is copied first: it may be an element of this array, which growing frees (as
  // std::vector allows: a.push_back(a[0])).
  void push_back(const T& value) {
    const T copy = value;
    if (size_ == capacity_) reserve(size_ + 1);
    data_[size_++] = copy;
  }
  // `n` elements, as std::vector::resize: cut, or grown with value-initialized (T{}) ones.
  void resize(std::size_t n) {
    if (n < size_) size_ = n;
    if (n <= size_) return;
    reserve(n);
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
      std::memset(data_ + size_, 0, (n - size_) * sizeof(T));  // T{} is all zero bytes
      size_ = n;
    } else {
      while (size_ < n) data_[size_++] = T{};
    }
  }
  void pop_back() { --size_; }
  // Removes [first, last) (pointers into this array), the ones after moving down.
  void erase(T* first, T* last) {
    if (first == last) return;  // also the empty array's null data (memmove wants real pointers)
    std::memmove(first, last, static_cast<std::size_t>(this->end() - last) * sizeof(T));
    size_ -= static_cast<std::size_t>(last - first);
  }
  // Removes the element at `at` (a pointer into this array), the ones after it moving down.
  void erase(T* at) {
    std::memmove(at, at + 1, static_cast<std::size_t>(this->end() - at - 1) * sizeof(T));
    --size_;
  }
  void clear() { size_ = 0; }

 private:
  using ArrayStorage<T>::data_;
  using ArrayStorage<T>::size_;
  using ArrayStorage<T>::capacity_;
};

}  // namespace edgescope
