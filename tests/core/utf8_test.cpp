#include <doctest/doctest.h>

#include "edgescope/attributes.hpp"
#include "edgescope/utf8.hpp"
#include "fixtures.hpp"

using namespace edgescope;

TEST_CASE("ill-formed UTF-8 is repaired with one U+FFFD per maximal subpart") {
  const auto fixture = load_fixture("utf8.json");
  REQUIRE(fixture.is_object());
  for (const auto& c : fixture["cases"]) {
    const std::string input = from_hex(c["input"].get<std::string>());
    CAPTURE(c["input"].get<std::string>());
    std::string repaired;
    const bool changed = repair_utf8(input, repaired);
    CHECK(to_hex_bytes(repaired) == c["repaired"].get<std::string>());
    CHECK(changed == (c["input"] != c["repaired"]));
    CHECK(is_valid_utf8(repaired));
  }
}

TEST_CASE("truncation never splits a code point") {
  const std::string text = "a\xE2\x82\xAC" "b";  // a € b
  CHECK(truncate_utf8(text, 1) == "a");
  CHECK(truncate_utf8(text, 2) == "a");
  CHECK(truncate_utf8(text, 3) == "a");
  CHECK(truncate_utf8(text, 4) == "a\xE2\x82\xAC");
  CHECK(truncate_utf8(text, 100) == text);
}

TEST_CASE("sanitize_text repairs, cuts and counts both") {
  Stats stats;
  CHECK(sanitize_text("ok", 10, stats) == "ok");
  CHECK(stats.strings_repaired == 0);
  CHECK(sanitize_text("\xFFxyz", 10, stats) == "\xEF\xBF\xBDxyz");
  CHECK(stats.strings_repaired == 1);
  CHECK(sanitize_text(std::string(100, 'x'), 10, stats).size() == 10);
  CHECK(stats.values_truncated == 1);
}

TEST_CASE("sanitize_text of a string far over the limit keeps a valid prefix and counts one cut") {
  Stats stats;
  // A 4-byte sequence straddling the cut, and invalid bytes only past it.
  const std::string raw = std::string(9, 'a') + "\xF0\x9F\x98\x80" + std::string(100000, 'b') + "\xFF";
  const std::string out = sanitize_text(raw, 10, stats);
  CHECK(out == std::string(9, 'a'));
  CHECK(is_valid_utf8(out));
  CHECK(stats.values_truncated == 1);
  CHECK(stats.strings_repaired == 0);
  // Repairing only the prefix gives what repairing everything and then cutting gives.
  for (const std::string& text : {std::string("ab\xE2\x82"), std::string("\xC3\xA9\xC3\xA9\xC3"), raw.substr(0, 20)}) {
    for (std::size_t max = 0; max < 12; ++max) {
      Stats s;
      std::string full;
      repair_utf8(text, full);
      CHECK(sanitize_text(text, max, s) == std::string(truncate_utf8(full, max)));
    }
  }
}
