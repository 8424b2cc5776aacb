// RecordArray (record_array.hpp) against what std::vector guarantees for the same operations: the
// record lists (attributes, spans, payloads, tags, string lists) were converted from std::vector
// and rely on its semantics, including for elements that own memory.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edgescope/record_array.hpp"

#if !defined(__EMSCRIPTEN__)
#include <sys/wait.h>
#include <unistd.h>
#endif

using edgescope::RecordArray;

namespace {

// Longer than any small-string buffer: every copy owns a heap block, so a use after free or a
// double free shows (and ASan names it in the fuzz/sanitizer build).
std::string long_text(int i) { return std::string(40, static_cast<char>('a' + i % 26)) + std::to_string(i); }

// Counts live objects: each constructed one destroyed exactly once, none leaked by growth.
struct Tracked {
  static int live;
  std::string text;
  explicit Tracked(std::string t = "") : text(std::move(t)) { ++live; }
  Tracked(const Tracked& o) : text(o.text) { ++live; }
  Tracked(Tracked&& o) noexcept : text(std::move(o.text)) { ++live; }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) noexcept = default;
  ~Tracked() { --live; }
  bool operator==(const Tracked& o) const { return text == o.text; }
};
int Tracked::live = 0;

// A record holding a list of its own type, as AttributeValue holds its array elements.
struct Node {
  std::string name;
  RecordArray<Node> children;
};

template <class A, class V>
void check_same(const A& a, const V& v) {
  REQUIRE(a.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(a[i] == v[i]);
}

}  // namespace

TEST_CASE("RecordArray: pushing one of its own elements while it grows keeps the value") {
  RecordArray<std::string> a;
  std::vector<std::string> v;
  a.push_back(long_text(0));
  v.push_back(long_text(0));
  for (int i = 0; i < 40; ++i) {  // each growth moves the block a[0] was in
    a.push_back(a[0]);
    v.push_back(v[0]);
    a.emplace_back(a[a.size() / 2]);
    v.emplace_back(v[v.size() / 2]);
  }
  check_same(a, v);
}

TEST_CASE("RecordArray: moving one of its own elements in while it grows keeps the value") {
  RecordArray<std::string> a;
  for (int i = 0; i < 4; ++i) a.push_back(long_text(i));  // full: capacity 4
  REQUIRE(a.size() == a.capacity());
  a.push_back(std::move(a[1]));  // the argument lives in the block that growth frees
  REQUIRE(a.size() == 5);
  CHECK(a[4] == long_text(1));
  CHECK(a[0] == long_text(0));
  CHECK(a[3] == long_text(3));
}

TEST_CASE("RecordArray: push_back, emplace_back, erase, resize, pop_back and clear match std::vector") {
  RecordArray<std::string> a;
  std::vector<std::string> v;
  for (int i = 0; i < 100; ++i) {
    a.push_back(long_text(i));
    v.push_back(long_text(i));
    a.emplace_back(3, static_cast<char>('0' + i % 10));
    v.emplace_back(3, static_cast<char>('0' + i % 10));
  }
  check_same(a, v);
  a.erase(a.begin() + 10, a.begin() + 25);
  v.erase(v.begin() + 10, v.begin() + 25);
  check_same(a, v);
  a.erase(a.begin());
  v.erase(v.begin());
  a.erase(a.end() - 1);
  v.erase(v.end() - 1);
  a.erase(a.begin() + 3, a.begin() + 3);  // empty range: nothing moves
  v.erase(v.begin() + 3, v.begin() + 3);
  check_same(a, v);
  a.resize(50);
  v.resize(50);
  a.resize(70);  // grown again: the new elements are empty strings, not what was cut before
  v.resize(70);
  check_same(a, v);
  CHECK(a[69].empty());
  a.pop_back();
  v.pop_back();
  check_same(a, v);
  CHECK(a.front() == v.front());
  CHECK(a.back() == v.back());
  a.clear();
  CHECK(a.empty());
  a.push_back("again");  // usable after clear
  CHECK(a.size() == 1);
}

TEST_CASE("RecordArray: copies are deep, moves leave an empty and usable array, swap exchanges") {
  RecordArray<std::string> a{long_text(1), long_text(2), long_text(3)};
  RecordArray<std::string> copy = a;
  copy[0] = "changed";
  CHECK(a[0] == long_text(1));
  RecordArray<std::string> assigned;
  assigned.push_back("old");
  assigned = a;
  CHECK(assigned == a);
  assigned = assigned;  // self-assignment keeps the contents
  CHECK(assigned == a);
  RecordArray<std::string> moved = std::move(copy);
  CHECK(moved.size() == 3);
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from array is empty
  copy.push_back("reused");
  CHECK(copy.size() == 1);
  moved = std::move(copy);
  CHECK(moved.size() == 1);
  CHECK(moved[0] == "reused");
  RecordArray<std::string> other(2, "x");
  other.swap(a);
  CHECK(other.size() == 3);
  CHECK(a == RecordArray<std::string>{"x", "x"});
  CHECK(a != other);
}

TEST_CASE("RecordArray: every element is destroyed exactly once through growth, erase and destruction") {
  Tracked::live = 0;
  {
    RecordArray<Tracked> a;
    for (int i = 0; i < 1000; ++i) a.emplace_back(long_text(i));
    CHECK(Tracked::live == 1000);
    a.erase(a.begin() + 100, a.begin() + 600);
    CHECK(Tracked::live == 500);
    CHECK(a[100].text == long_text(600));
    a.resize(10);
    CHECK(Tracked::live == 10);
    a.resize(20);
    CHECK(Tracked::live == 20);
    RecordArray<Tracked> b = a;
    CHECK(Tracked::live == 40);
    b = RecordArray<Tracked>{};
    CHECK(Tracked::live == 20);
  }
  CHECK(Tracked::live == 0);
}

TEST_CASE("RecordArray: holds records that contain arrays of their own type") {
  Node root{"root", {}};
  for (int i = 0; i < 20; ++i) {
    root.children.push_back(Node{long_text(i), {}});
    root.children.back().children.push_back(Node{"leaf", {}});
  }
  Node copy = root;
  CHECK(copy.children.size() == 20);
  CHECK(copy.children[19].name == long_text(19));
  CHECK(copy.children[19].children[0].name == "leaf");
}

TEST_CASE("RecordArray: reserve keeps the elements and capacity grows by doubling, as std::vector's") {
  RecordArray<std::string> a;
  a.reserve(3);
  CHECK(a.capacity() == 3);
  a.push_back(long_text(1));
  a.reserve(2);  // never shrinks
  CHECK(a.capacity() == 3);
  for (int i = 0; i < 3; ++i) a.push_back(long_text(i));
  CHECK(a.capacity() == 6);
  CHECK(a[0] == long_text(1));
  CHECK(a[3] == long_text(2));
}

#if !defined(__EMSCRIPTEN__)
// As std::vector's length_error would end a -fno-exceptions program: never a small block under
// a capacity whose byte count wrapped around.
TEST_CASE("RecordArray: a size whose byte count does not fit in size_t ends the process") {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    RecordArray<std::string> a;
    a.reserve(SIZE_MAX / sizeof(std::string) + 1);
    _exit(0);  // not reached when the size is refused
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
}
#endif
