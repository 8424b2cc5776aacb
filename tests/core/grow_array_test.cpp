// GrowArray (grow_array.hpp) against what std::vector guarantees for the same operations: callers
// were converted from std::vector and rely on its semantics.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "edgescope/grow_array.hpp"

using edgescope::GrowArray;

TEST_CASE("GrowArray: pushing one of its own elements while it grows keeps the value") {
  GrowArray<std::uint64_t> a;
  a.push_back(42);
  for (int i = 0; i < 20; ++i) a.push_back(a[0]);  // each growth frees the block a[0] was in
  CHECK(a.size() == 21);
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == 42);
}

TEST_CASE("GrowArray: push_back, resize, erase and copies match std::vector") {
  GrowArray<std::int32_t> a;
  std::vector<std::int32_t> v;
  for (std::int32_t i = 0; i < 100; ++i) {
    a.push_back(i * 3);
    v.push_back(i * 3);
  }
  a.erase(a.begin() + 10, a.begin() + 25);
  v.erase(v.begin() + 10, v.begin() + 25);
  a.resize(50);
  v.resize(50);
  a.resize(70);  // grown again: the new elements are zero, not what was cut before
  v.resize(70);
  REQUIRE(a.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(a[i] == v[i]);
  GrowArray<std::int32_t> copy = a;
  GrowArray<std::int32_t> moved = std::move(copy);
  CHECK(moved == a);
  CHECK(copy.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from array is empty
  copy.push_back(7);        // and usable again
  CHECK(copy.size() == 1);
}
