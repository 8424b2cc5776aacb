// Error classification and fingerprints, table-driven from tests/fixtures/error-classification.json
// (the node suite, tests/js/error-classification.test.js, reads the same cases through the wasm module).
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "edgescope/monitoring/classifier.hpp"
#include "edgescope/monitoring/fingerprint.hpp"
#include "fixtures.hpp"

using namespace edgescope::monitoring;
using nlohmann::json;

namespace {

const json& fixture() {
  static const json doc = load_fixture("error-classification.json");
  return doc;
}

std::string field(const json& input, const char* key) { return input.value(key, std::string()); }

struct Owned {
  std::string type, message, stack, route, binding, span, log;
  ErrorInput view(int status) const { return ErrorInput{type, message, stack, route, binding, span, log, status}; }
};

Classification run(const Classifier& c, const json& input) {
  const Owned o{field(input, "type"), field(input, "message"), field(input, "stack"), field(input, "route"),
                field(input, "binding"), field(input, "span"), field(input, "log")};
  return c.classify(o.view(input.value("status", 0)));
}

Classifier configured(const std::string& rules, bool defaults) {
  Classifier c;
  std::string error;
  const bool ok = c.configure(rules, defaults, error);
  CAPTURE(error);
  REQUIRE(ok);
  return c;
}

void check_case(const Classification& got, const json& expected) {
  CHECK(severity_name(got.severity) == expected["severity"].get<std::string>());
  CHECK(got.category == expected["category"].get<std::string>());
  if (expected.contains("repeated")) {
    CHECK(got.repeated.count == expected["repeated"]["count"].get<unsigned>());
    CHECK(got.repeated.window_ms == expected["repeated"]["windowMs"].get<long long>());
    CHECK(severity_name(got.repeated.severity) == expected["repeated"]["severity"].get<std::string>());
  } else {
    CHECK(got.repeated.count == 0u);
  }
  CHECK(got.fingerprint.size() == 16u);
  CHECK(got.fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos);
}

}  // namespace

TEST_CASE("default rules classify each fixture case and group fingerprints as the fixture says") {
  REQUIRE(fixture().is_object());
  const Classifier c = configured("", true);
  std::map<std::string, std::string> by_group;
  std::set<std::string> seen;
  for (const json& t : fixture()["cases"]) {
    CAPTURE(t["name"].get<std::string>());
    const Classification got = run(c, t["input"]);
    check_case(got, t);
    const std::string group = t["group"].get<std::string>();
    auto it = by_group.find(group);
    if (it == by_group.end()) {
      CHECK(seen.count(got.fingerprint) == 0);  // another group must not share it
      by_group[group] = got.fingerprint;
      seen.insert(got.fingerprint);
    } else {
      CHECK(got.fingerprint == it->second);
    }
  }
  CHECK(by_group.size() > 10);
}

TEST_CASE("a fingerprint is the same on every platform (pinned value)") {
  const Classifier c = configured("", false);
  const json& pinned = fixture()["pinned"];
  CHECK(run(c, pinned["input"]).fingerprint == pinned["fingerprint"].get<std::string>());
}

TEST_CASE("messages normalize ids, numbers, hex, quoted values, e-mails and query strings") {
  for (const json& t : fixture()["normalize"]) {
    CAPTURE(t["message"].get<std::string>());
    CHECK(normalize_message(t["message"].get<std::string>()) == t["normalized"].get<std::string>());
  }
}

TEST_CASE("the top application frame skips runtime and edgescope frames and drops line and column") {
  for (const json& t : fixture()["frames"]) {
    CAPTURE(t["stack"].get<std::string>());
    CHECK(top_frame(t["stack"].get<std::string>()) == t["frame"].get<std::string>());
  }
}

TEST_CASE("custom rules match on route, status range, span, name and message, before the defaults") {
  const json& custom = fixture()["custom"];
  const std::string rules = custom["packed"].get<std::string>();
  for (const json& t : custom["cases"]) {
    CAPTURE(t["name"].get<std::string>());
    check_case(run(configured(rules, t["defaults"].get<bool>()), t["input"]), t);
  }
}

TEST_CASE("malformed packed rules are refused whole, naming the rule, and the rules in force stay") {
  const struct {
    const char* packed;
    const char* error;
  } cases[] = {
      {"s1\tcok\ns1", "rule 001: severity and category are required"},
      {"cx", "rule 000: severity and category are required"},
      {"s3\tcx", "rule 000: bad severity"},
      {"s1\tcx\th499-400", "rule 000: bad status range"},
      {"s1\tcx\th99-200", "rule 000: bad status range"},
      {"s1\tcx\th400", "rule 000: bad status range"},
      {"s1\tcx\th400-499\th500-599", "rule 000: bad status range"},
      {"s1\tcx\tn", "rule 000: pattern empty or too long"},
      {"s1\tcx\tn\x01", "rule 000: control character"},
      {"s1\tcx\tq1", "rule 000: unknown field"},
      {"s1\tcx\t", "rule 000: empty field"},
      {"s1\tcx\tcy", "rule 000: bad category"},
      {"s1\tcx\tx1,100,2", "rule 000: bad repeated"},
      {"s1\tcx\tx5,0,2", "rule 000: bad repeated"},
      {"s1\tcx\tx5,100,3", "rule 000: bad repeated"},
      {"s1\tcx\tx5,100,2,", "rule 000: bad repeated"},
  };
  for (const auto& t : cases) {
    CAPTURE(t.packed);
    Classifier c = configured("s1\tckept", false);
    std::string error;
    CHECK_FALSE(c.configure(t.packed, true, error));
    CHECK(error == t.error);
    REQUIRE(c.rules().rules.size() == 1u);
    CHECK(c.rules().category(c.rules().rules[0]) == "kept");
  }
}

TEST_CASE("the built-in rules are read by the same reader, after the user's") {
  const Classifier c = configured("s1\tcmine", true);
  REQUIRE(c.rules().rules.size() > 10u);
  CHECK(c.rules().category(c.rules().rules[0]) == "mine");
  CHECK(c.rules().category(c.rules().rules[1]) == "database");
}

TEST_CASE("globs: * and ? over the whole value, case-insensitive; plain text is a substring") {
  const Classifier c = configured("nD1_?RR*\ts2\tcglob\nmABC\ts1\tcsub", false);
  auto classify = [&](const char* type, const char* message) {
    return c.classify(ErrorInput{type, message, "", "", "", "", "", 0}).category;
  };
  CHECK(classify("D1_ERROR", "") == "glob");
  CHECK(classify("xD1_ERROR", "") == "other");
  CHECK(classify("D1_EERROR", "") == "other");
  CHECK(classify("Error", "xxabcxx") == "sub");
  CHECK(classify("Error", "ab c") == "other");
  // A '*' in the value is a character like any other, never taken for the pattern's wildcard.
  const Classifier star = configured("nA*C\ts2\tcstar", false);
  CHECK(star.classify(ErrorInput{"A*BC", "", "", "", "", "", "", 0}).category == "star");
}

TEST_CASE("pathological glob input stays linear") {
  std::string pattern = "m";
  for (int i = 0; i < 40; ++i) pattern += "*a";
  pattern += "b\ts0\tcx";
  const Classifier c = configured(pattern, false);
  const std::string message(4096, 'a');
  CHECK(c.classify(ErrorInput{"E", message, "", "", "", "", "", 0}).category == "other");
}

TEST_CASE("hostile messages normalize to what their shape implies") {
  // Many token starts inside one long e-mail-like run, "@" runs, and many '?' in one URL. Their
  // cost against a plain message of the same size is in bench/classify_bench.cpp (timing stays
  // out of tests); here, what they become.
  std::string dots, ats;
  for (int i = 0; i < 2048; ++i) {
    dots += "a.";
    ats += "a@";
  }
  CHECK(normalize_message(dots) == dots);  // no "@": no e-mail address, no number
  CHECK(normalize_message(ats) == ats);    // no dot in any domain: no e-mail address
  CHECK(normalize_message("mail a@b.example.com now") == "mail <email> now");
  const std::string url = "https://x.example/" + std::string(4000, '?');
  CHECK(normalize_message(url) == "https://x.example/?<query>");
}
