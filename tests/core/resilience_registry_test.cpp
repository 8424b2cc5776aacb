// The exhaustion registry (wasm/include/edgescope/resilience/exhaustion.hpp): marks, the default
// duration, lazy expiry, listing, snapshots and merges.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "edgescope/resilience/exhaustion.hpp"

using namespace edgescope::resilience;

namespace {
constexpr std::int64_t T0 = 1'700'000'000'000;
}

TEST_CASE("registry: a mark lasts the default 5 minutes and expires lazily on time") {
  ExhaustionRegistry r{ExhaustionConfig{}};
  std::string error;
  REQUIRE(r.mark("openai", T0, -1, error));
  CHECK(r.until("openai", T0 + 299'999) == T0 + 300'000);
  CHECK(r.until("openai", T0 + 300'000) == 0);
  CHECK(r.list(T0 + 300'000).empty());
}

TEST_CASE("registry: an explicit duration; a shorter re-mark keeps the later expiry; list is by name") {
  ExhaustionRegistry r{ExhaustionConfig{}};
  std::string error;
  REQUIRE(r.mark("b", T0, 10'000, error));
  REQUIRE(r.mark("a", T0, 20'000, error));
  REQUIRE(r.mark("b", T0 + 1, 100, error));
  const auto& list = r.list(T0 + 5'000);
  REQUIRE(list.size() == 2);
  CHECK(list[0].first == "a");
  CHECK(list[1].second == T0 + 10'000);
  CHECK(r.until("c", T0) == 0);
}

TEST_CASE("registry: refuses an empty or overlong name and a full registry") {
  ExhaustionRegistry r{ExhaustionConfig{}};
  std::string error;
  CHECK_FALSE(r.mark("", T0, -1, error));
  CHECK(error.find("provider") == 0);
  CHECK_FALSE(r.mark(std::string(129, 'x'), T0, -1, error));
  for (std::size_t i = 0; i < kMaxProviders; ++i) REQUIRE(r.mark("p" + std::to_string(i), T0, 1000, error));
  CHECK_FALSE(r.mark("one-more", T0, 1000, error));
  CHECK(error.find("registry full") == 0);
  CHECK(r.mark("p0", T0, 2000, error));  // an existing one still extends
}

TEST_CASE("registry: a configured default duration") {
  ExhaustionConfig c;
  std::string error;
  REQUIRE(parse_exhaustion_config(R"({"defaultMs":1000})", c, error));
  ExhaustionRegistry r{c};
  REQUIRE(r.mark("x", T0, -1, error));
  CHECK(r.until("x", T0) == T0 + 1000);
  CHECK_FALSE(parse_exhaustion_config(R"({"defaultMs":0})", c, error));
  CHECK(error.rfind("config.defaultMs:", 0) == 0);
}

TEST_CASE("registry: snapshots round-trip, drop what expired, and merges union marks keeping the later expiry") {
  ExhaustionRegistry a{ExhaustionConfig{}}, b{ExhaustionConfig{}};
  std::string error;
  REQUIRE(a.mark("x", T0, 1000, error));
  REQUIRE(a.mark("y", T0, 5000, error));
  REQUIRE(b.mark("y", T0, 9000, error));
  REQUIRE(b.mark("z", T0, 100, error));
  ExhaustionRegistry restored{ExhaustionConfig{}};
  REQUIRE(restored.deserialize(a.serialize(T0), T0, error));
  CHECK(restored.serialize(T0) == a.serialize(T0));
  const std::string sa = a.serialize(T0), sb = b.serialize(T0);
  ExhaustionRegistry ab{ExhaustionConfig{}}, ba{ExhaustionConfig{}};
  REQUIRE(ab.deserialize(sa, T0, error));
  REQUIRE(ab.merge(sb, T0 + 200, error));
  REQUIRE(ba.deserialize(sb, T0, error));
  REQUIRE(ba.merge(sa, T0 + 200, error));
  CHECK(ab.serialize(T0 + 200) == ba.serialize(T0 + 200));
  CHECK(ab.until("y", T0 + 200) == T0 + 9000);
  CHECK(ab.until("z", T0 + 200) == 0);  // expired by the merge time
  const std::string once = ab.serialize(T0 + 200);
  REQUIRE(ab.merge(once, T0 + 200, error));
  CHECK(ab.serialize(T0 + 200) == once);
}

TEST_CASE("registry snapshot: malformed documents are refused with the field named, marks untouched") {
  ExhaustionRegistry r{ExhaustionConfig{}};
  std::string error;
  REQUIRE(r.mark("kept", T0, 1000, error));
  const std::string before = r.serialize(T0);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"version":2,"kind":"registry","marks":[]})", "registry.version: unknown version 2"},
      {R"({"version":1,"kind":"breaker","marks":[]})", "registry.kind: expected 'registry'"},
      {R"({"version":1,"kind":"registry"})", "registry.marks: missing"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"a","until":-1}]})", "registry.marks[0].until: expected a non-negative integer"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"a","until":1e3}]})", "registry.marks[0].until: expected a non-negative integer"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"","until":1}]})", "registry.marks[0].provider: expected a non-empty string"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"a","until":1},{"provider":"a","until":2}]})", "registry.marks[1].provider: duplicate provider 'a'"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"a","until":1,"why":"x"}]})", "registry.marks[0].why: unknown field"},
      {R"({"version":1,"kind":"registry","marks":[{"provider":"a","until":1})", "registry: JSON offset"},
  };
  for (const auto& item : cases) {
    const std::string& doc = item.first;
    const std::string& want = item.second;
    CHECK_FALSE(r.deserialize(doc, T0, error));
    CHECK_MESSAGE(error.rfind(want, 0) == 0, doc << " -> " << error);
    CHECK_FALSE(r.merge(doc, T0, error));
    CHECK(r.serialize(T0) == before);
  }
}
