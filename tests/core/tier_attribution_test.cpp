// Cache-tier attribution, table-driven from tests/fixtures/cache-tiers.json (the node suite,
// tests/js/cache-tier-rules.test.js, runs the same cases through the wasm module and the shim).
#include <doctest/doctest.h>

#include <string>

#include "edgescope/tiers/tier_attribution.hpp"
#include "fixtures.hpp"

using namespace edgescope::tiers;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json doc = load_fixture("cache-tiers.json");
  return doc;
}

std::string join(const json& patterns) {
  std::string packed;
  bool first = true;
  for (const json& p : patterns) {
    if (!first) packed += '\n';
    first = false;
    packed += p.get<std::string>();
  }
  return packed;
}

std::string pack(const json& entries) {
  std::string packed;
  for (const json& e : entries) {
    const std::string name = e[1].get<std::string>();
    packed += std::to_string(e[0].get<std::uint32_t>()) + "\t" + e[2].get<std::string>() + "\t" + std::to_string(name.size()) + "\t" + name + "\n";
  }
  return packed;
}

// The message the ABI gives (bindings/tier_api.cpp refuse): "<what> <index>: <why>" or "<why>".
std::string message(const char* what, int index, const char* why) {
  return index < 0 ? std::string(why) : what + std::to_string(index) + ": " + why;
}

}  // namespace

TEST_CASE("every fixture case decides the tier the fixture names") {
  REQUIRE(fixture().is_object());
  const json& cases = fixture()["cases"];
  REQUIRE(cases.size() >= 15);
  for (const json& c : cases) {
    CAPTURE(c["name"].get<std::string>());
    TierRules rules;
    int index = 0;
    REQUIRE(rules.configure(join(c["patterns"].is_null() ? fixture()["defaultPatterns"] : c["patterns"]), index) == nullptr);
    const char* why = nullptr;
    const int decided = rules.decide(pack(c["entries"]), why, index);
    REQUIRE(decided != kMalformed);
    const std::string tier = decided < 0 ? "none" : c["entries"][static_cast<std::size_t>(decided)][2].get<std::string>();
    CHECK(tier == c["tier"].get<std::string>());
  }
}

TEST_CASE("a malformed pattern list is refused whole, naming the pattern, and the patterns in force stay") {
  for (const json& c : fixture()["invalidPatterns"]) {
    const std::string packed = join(c["patterns"]);
    CAPTURE(packed);
    TierRules rules;
    int index = 0;
    REQUIRE(rules.configure("index", index) == nullptr);
    const char* why = rules.configure(packed, index);
    REQUIRE(why != nullptr);
    CHECK(message("pattern ", index, why).find(c["error"].get<std::string>()) != std::string::npos);
    CHECK(rules.size() == 1);
    CHECK(rules.matches("index"));
    CHECK_FALSE(rules.matches("index2"));
  }
}

TEST_CASE("pattern bounds: 32 patterns of 128 bytes are accepted, one more of either is refused") {
  std::string packed;
  for (int i = 0; i < 32; ++i) packed += (i ? "\n" : "") + std::string(127, static_cast<char>('a' + i % 26)) + std::to_string(i % 10);
  TierRules rules;
  int index = 0;
  CHECK(rules.configure(packed, index) == nullptr);
  CHECK(rules.size() == 32);
  const char* why = rules.configure(packed + "\nextra", index);
  REQUIRE(why != nullptr);
  CHECK(message("pattern ", index, why) == "pattern 32: over 32 patterns");
  why = rules.configure(std::string(129, 'x'), index);
  REQUIRE(why != nullptr);
  CHECK(message("pattern ", index, why) == "pattern 0: over 128 bytes");
  why = rules.configure("a\n", index);  // every line break separates: the last pattern is empty
  REQUIRE(why != nullptr);
  CHECK(message("pattern ", index, why).find("pattern 1: empty") == 0);
  CHECK(rules.configure("a", index) == nullptr);
  CHECK(rules.size() == 1);
  CHECK(rules.matches("a"));
  CHECK_FALSE(rules.matches(""));
}

TEST_CASE("malformed entries are refused whole with the entry and field named") {
  TierRules rules;
  int index = 0;
  REQUIRE(rules.configure("*", index) == nullptr);
  for (const json& c : fixture()["invalidEntries"]) {
    const std::string packed = c["packed"].get<std::string>();
    CAPTURE(packed);
    const char* why = nullptr;
    CHECK(rules.decide(packed, why, index) == kMalformed);
    REQUIRE(why != nullptr);
    CHECK(message("entry ", index, why).find(c["error"].get<std::string>()) != std::string::npos);
  }
}

TEST_CASE("at most 1024 entries; all misses decide nothing; the 1025th refuses the list") {
  std::string packed;
  for (int i = 0; i < 1023; ++i) packed += std::to_string(i + 1) + "\tmiss\t5\tindex\n";
  TierRules rules;
  int index = 0;
  const char* why = nullptr;
  REQUIRE(rules.configure("index", index) == nullptr);
  CHECK(rules.decide(packed + "2000\tmiss\t5\tindex\n", why, index) == -1);
  CHECK(rules.decide(packed + "2000\tkv\t5\tindex\n", why, index) == 1023);
  CHECK(rules.decide(packed + "0\tkv\t5\tindex\n", why, index) == 1023);
  CHECK(rules.decide(packed + "1\tkv\t5\tindex\n1\tkv\t5\tindex\n", why, index) == kMalformed);
  CHECK(message("entry ", index, why) == "over 1024 entries");
}
