// RecordArray<T>: a growable array for records that own memory (strings, attribute lists), with
// one grow routine shared by every element type.
//
// Why not std::vector: libc++ instantiates its growth machinery (__push_back_slow_path,
// __recommend, __split_buffer and its destructor, __swap_out_circular_buffer) once per element
// type, 0.4-0.6 KB of wasm each, and the module is charged by its size (issue "Near the floor",
// README "Size"; scripts/size-budget.mjs). GrowArray (grow_array.hpp) serves plain values by
// moving bytes; records with std::string members may not be moved by bytes, so here the shared,
// out-of-line routine (record_array_storage) allocates and frees, and each element type brings
// only one small function: `relocate`, a move-construct and destroy loop.
//
// Semantics follow std::vector's where the core uses them: capacity doubles (at least the need),
// push_back/emplace_back of one of the array's own elements is safe (it is copied or moved out
// before the storage moves), a size past size_t ends the module (as length_error would without
// exceptions), and moved-from arrays are empty.
#pragma once
#include "edgescope/array_storage.hpp"
#include <cstddef>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <type_traits>
#include <utility>

namespace edgescope {

using RelocateRecords = void (*)(void* to, void* from, std::size_t n);

// Moves `size` elements from `data` into a new block of at least `need` elements (capacity doubles)
// through `relocate`, frees the old block, and updates `capacity`. Out of line: the one copy.
void* record_array_storage(void* data, std::size_t size, std::size_t& capacity, std::size_t need,
                           std::size_t elem_size, RelocateRecords relocate);

template <class T>
class RecordArray : public ArrayStorage<T> {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  RecordArray() = default;
  explicit RecordArray(std::size_t n) { resize(n); }
  RecordArray(std::size_t n, const T& value) {
    reserve(n);
    while (size_ < n) new (data_ + size_++) T(value);
  }
  RecordArray(std::initializer_list<T> values) {
    reserve(values.size());
    for (const T& v : values) new (data_ + size_++) T(v);
  }
  RecordArray(const RecordArray& other) {
    reserve(other.size_);
    for (const T& v : other) new (data_ + size_++) T(v);
  }
  RecordArray(RecordArray&& other) noexcept { *this = std::move(other); }
  RecordArray& operator=(const RecordArray& other) {
    if (this != &other) {
      clear();
      reserve(other.size_);
      for (const T& v : other) new (data_ + size_++) T(v);
    }
    return *this;
  }
  RecordArray& operator=(RecordArray&& other) noexcept {
    if (this != &other) {
      release();
      this->take_block(other);
    }
    return *this;
  }
  ~RecordArray() { release(); }
  void swap(RecordArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  void reserve(std::size_t n) {
    // Here, not at class scope: a record may hold an array of its own type (AttributeValue's
    // elements), incomplete where the member is declared, as std::vector allows.
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "RecordArray allocates with plain operator new");
    static_assert(std::is_nothrow_move_constructible_v<T>, "relocation moves elements");
    if (n > capacity_) data_ = static_cast<T*>(record_array_storage(data_, size_, capacity_, n, sizeof(T), &relocate));
  }
  void push_back(const T& value) { emplace_back(value); }
  void push_back(T&& value) { emplace_back(std::move(value)); }
  // The new element is built before the storage moves only when it cannot be one of ours: an
  // argument that points into this array is taken out first (std::vector allows a.push_back(a[0])).
  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) {
      T made(std::forward<Args>(args)...);
      reserve(size_ + 1);
      return *new (data_ + size_++) T(std::move(made));
    }
    return *new (data_ + size_++) T(std::forward<Args>(args)...);
  }
  void pop_back() { data_[--size_].~T(); }
  // Removes [first, last) (pointers into this array), the ones after moving down.
  void erase(T* first, T* last) {
    if (first == last) return;
    T* out = first;
    for (T* in = last; in != this->end(); ++in, ++out) *out = std::move(*in);
    while (this->end() != out) pop_back();
  }
  void erase(T* at) { erase(at, at + 1); }
  void clear() {
    while (size_ != 0) pop_back();
  }
  // `n` elements, as std::vector::resize: cut, or grown with value-initialized (T{}) ones.
  void resize(std::size_t n) {
    while (size_ > n) pop_back();
    reserve(n);
    while (size_ < n) new (data_ + size_++) T();
  }

  // As std::vector::at, which would throw: an index past the end ends the module.
  T& at(std::size_t i) {
    if (i >= size_) std::abort();
    return data_[i];
  }
  const T& at(std::size_t i) const {
    if (i >= size_) std::abort();
    return data_[i];
  }

 private:
  static void relocate(void* to, void* from, std::size_t n) {
    T* dst = static_cast<T*>(to);
    T* src = static_cast<T*>(from);
    for (std::size_t i = 0; i < n; ++i) {
      new (dst + i) T(std::move(src[i]));
      src[i].~T();
    }
  }
  void release() {
    clear();
    ::operator delete(data_);
    data_ = nullptr;
    capacity_ = 0;
  }

  using ArrayStorage<T>::data_;
  using ArrayStorage<T>::size_;
  using ArrayStorage<T>::capacity_;
};

}  // namespace edgescope
