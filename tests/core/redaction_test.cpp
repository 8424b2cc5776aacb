#include <doctest/doctest.h>

#include <string>

#include "edgescope/redaction.hpp"
#include "edgescope/utf8.hpp"
#include "fixtures.hpp"

using namespace edgescope;

namespace {

RedactionPolicy build_or_fail(const RedactionConfig& config) {
  RedactionPolicy policy;
  std::string error;
  const bool ok = RedactionPolicy::build(config, policy, error);
  CAPTURE(error);
  REQUIRE(ok);
  return policy;
}

// A policy with exactly one built-in value scanner on (the key list stays on for key_in_text,
// which needs it, and is off otherwise).
RedactionPolicy only(const std::string& detector) {
  RedactionConfig config;
  config.default_keys = detector == "key_in_text";
  config.keys_in_text = detector == "key_in_text";
  config.auth_credentials = detector == "auth";
  config.jwts = detector == "jwt";
  config.card_numbers = detector == "card";
  return build_or_fail(config);
}

std::string redacted(const RedactionPolicy& policy, std::string text, std::size_t* count = nullptr) {
  const std::size_t n = policy.redact_text(text);
  if (count) *count = n;
  return text;
}

std::string error_for(const RedactionConfig& config) {
  RedactionPolicy policy;
  std::string error;
  CHECK_FALSE(RedactionPolicy::build(config, policy, error));
  return error;
}

}  // namespace

TEST_CASE("the built-in deny list matches a key by its last words, whatever the namespace before") {
  const auto fixture = load_fixture("secret-shapes.json");
  REQUIRE(fixture.is_object());
  const RedactionPolicy policy;
  for (const auto& c : fixture["keys"]) {
    const std::string key = c["key"].get<std::string>();
    CAPTURE(key);
    CHECK(policy.key_denied(key) == c["denied"].get<bool>());
  }
}

TEST_CASE("each secret shape is masked by its detector, and near-misses are left alone") {
  const auto fixture = load_fixture("secret-shapes.json");
  REQUIRE(fixture.is_object());
  const RedactionPolicy defaults;
  for (const auto& c : fixture["values"]) {
    const std::string input = c["input"].get<std::string>();
    const std::string expected = c["output"].get<std::string>();
    const std::string detector = c["detector"].get<std::string>();
    CAPTURE(input);
    CAPTURE(detector);
    std::size_t count = 0;
    CHECK(redacted(defaults, input, &count) == expected);
    CHECK(count == c["count"].get<std::size_t>());
    if (detector != "none") {
      // The named detector alone produces the same result: the case tests what it says it tests.
      CHECK(redacted(only(detector), input) == expected);
    } else {
      CHECK(expected == input);
    }
  }
}

TEST_CASE("redaction is idempotent: a second pass finds nothing") {
  const auto fixture = load_fixture("secret-shapes.json");
  const RedactionPolicy defaults;
  for (const auto& c : fixture["values"]) {
    const std::string once = redacted(defaults, c["input"].get<std::string>());
    CAPTURE(once);
    std::size_t count = 1;
    CHECK(redacted(defaults, once, &count) == once);
    CHECK(count == 0);
  }
}

TEST_CASE("a stretch widened over a number takes the words glued to it, so a second pass finds nothing new") {
  // A value prefix's token stops at ',', and the stretch then takes the rest of the number
  // ("1,89"). Whatever was glued to the number must go with it: next to the marker it would start
  // a new word, and a second pass (a record through two edgescope hops) would read it as a denied
  // key, another prefix, an auth scheme or a JWT header that the first pass never saw.
  RedactionConfig config;
  config.value_prefixes = {"ghp_"};
  const RedactionPolicy policy = build_or_fail(config);
  struct Case {
    std::string input, once;
  };
  const std::string control_bytes("\0\0\x06" "2\0\0\rp\0~w2d\0\r", 15);
  const Case cases[] = {
      {control_bytes + "=ghp_1,89pwd::[", control_bytes + "=ghp_[REDACTED]::["},  // found by fuzz_redaction
      {"x=ghp_1,89pwd: hunter2", "x=ghp_[REDACTED]: hunter2"},            // "pwd" would be a denied key
      {"x=ghp_12,3ghp_abcdef", "x=ghp_[REDACTED]"},                       // a second prefix at a word start
      {"x=ghp_1,2Bearer abcdefgh1", "x=ghp_[REDACTED] abcdefgh1"},        // an auth scheme at a word start
      {"x=ghp_1,2eyJhbGci.e30.sig", "x=ghp_[REDACTED].e30.sig"},          // a JWT header at a segment start
      // The glued word ends in a digit before '.' and digits: the number goes on, and the card
      // "4111..." (not one while a digit came before its '.') is not left after the marker.
      {"x=ghp_1,9a9.4111111111111111 ok", "x=ghp_[REDACTED] ok"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    std::size_t count = 0;
    const std::string once = redacted(policy, c.input, &count);
    CHECK(once == c.once);
    CHECK(count == 1);
    CHECK(redacted(policy, once, &count) == once);
    CHECK(count == 0);
  }
}

TEST_CASE("user extensions add keys, value prefixes and literal values") {
  const auto fixture = load_fixture("secret-shapes.json");
  const auto& ext = fixture["extensions"];
  RedactionConfig config;
  for (const auto& k : ext["config"]["extra_keys"]) config.extra_keys.push_back(k.get<std::string>());
  for (const auto& p : ext["config"]["value_prefixes"]) config.value_prefixes.push_back(p.get<std::string>());
  for (const auto& l : ext["config"]["literal_values"]) config.literal_values.push_back(l.get<std::string>());
  const RedactionPolicy policy = build_or_fail(config);
  CHECK(policy.warnings().empty());
  for (const auto& c : ext["keys"]) {
    CAPTURE(c["key"].get<std::string>());
    CHECK(policy.key_denied(c["key"].get<std::string>()) == c["denied"].get<bool>());
  }
  for (const auto& c : ext["values"]) {
    const std::string input = c["input"].get<std::string>();
    CAPTURE(input);
    std::size_t count = 0;
    CHECK(redacted(policy, input, &count) == c["output"].get<std::string>());
    CHECK(count == c["count"].get<std::size_t>());
  }
  // The built-in list still applies next to the extra keys.
  CHECK(policy.key_denied("user.password"));
}

TEST_CASE("extra keys work with the built-in list off, in attributes and in text") {
  RedactionConfig config;
  config.default_keys = false;
  config.extra_keys = {"internal.ticket"};
  const RedactionPolicy policy = build_or_fail(config);
  CHECK_FALSE(policy.key_denied("password"));
  CHECK(policy.key_denied("app.internal_ticket"));
  CHECK(redacted(policy, "password=a internalTicket=b") == "password=a internalTicket=[REDACTED]");
}

TEST_CASE("integer attribute values that are card numbers become the marker") {
  const auto fixture = load_fixture("secret-shapes.json");
  const RedactionPolicy policy;
  for (const auto& c : fixture["integers"]) {
    const auto number = c["value"].get<std::int64_t>();
    CAPTURE(number);
    AttributeValue value = AttributeValue::of_int(number);
    const bool expected = c["redacted"].get<bool>();
    CHECK(policy.redact_value(value, false) == (expected ? 1u : 0u));
    CHECK(value == (expected ? AttributeValue::of_string("[REDACTED]") : AttributeValue::of_int(number)));
  }
  RedactionConfig no_cards;
  no_cards.card_numbers = false;
  AttributeValue value = AttributeValue::of_int(4111111111111111);
  CHECK(build_or_fail(no_cards).redact_value(value, false) == 0);
}

TEST_CASE("a denied key turns a value of any type into the marker string, counted once") {
  const RedactionPolicy policy;
  for (auto value : {AttributeValue::of_string("hunter2"), AttributeValue::of_int(1234), AttributeValue::of_double(0.5),
                     AttributeValue::of_bool(true)}) {
    Attribute attribute{"db.password", value};
    CHECK(policy.redact_attribute(attribute) == 1);
    CHECK(attribute.value == AttributeValue::of_string("[REDACTED]"));
    CHECK(policy.redact_attribute(attribute) == 0);  // already redacted
  }
  Attribute kept{"url.full", AttributeValue::of_string("https://x.example/?page=2")};
  CHECK(policy.redact_attribute(kept) == 0);
  CHECK(kept.value.text == "https://x.example/?page=2");
  Attribute scanned{"url.full", AttributeValue::of_string("https://x.example/?code=1&token=abc")};
  CHECK(policy.redact_attribute(scanned) == 1);
  CHECK(scanned.value.text == "https://x.example/?code=1&token=[REDACTED]");
}

TEST_CASE("overlapping findings of several scanners count as one redaction") {
  const RedactionPolicy policy;
  std::size_t count = 0;
  // key_in_text masks the line, auth and jwt the credential inside it.
  CHECK(redacted(policy, "Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", &count) == "Authorization: [REDACTED]");
  CHECK(count == 1);
  CHECK(redacted(policy, "{\"card_number\":4111111111111111}", &count) == "{\"card_number\":\"[REDACTED]\"}");
  CHECK(count == 1);
  CHECK(redacted(policy, "Bearer a1b2c3d4e5 and 4111111111111111", &count) == "Bearer [REDACTED] and [REDACTED]");
  CHECK(count == 2);
}

TEST_CASE("valid UTF-8 stays valid UTF-8 around what is masked") {
  const RedactionPolicy policy;
  const std::string text = "пароль: секрет\n\xE2\x82\xAC password=\xF0\x9F\x98\x80\xF0\x9F\x98\x80 карта 4111 1111 1111 1111 ✓";
  std::size_t count = 0;
  const std::string out = redacted(policy, text, &count);
  CHECK(out == "пароль: секрет\n\xE2\x82\xAC password=[REDACTED] карта [REDACTED] ✓");
  CHECK(count == 2);
  CHECK(is_valid_utf8(out));
}

TEST_CASE("invalid config is refused with a message naming the entry and the rule") {
  RedactionConfig config;
  config.extra_keys = {"ok.key", "..."};
  CHECK(error_for(config) == "extra_keys[1] \"...\": a key needs at least one ASCII letter or digit");
  config = {};
  config.extra_keys = {"a.b.c.d.e.f.g.h.i"};
  CHECK(error_for(config) == "extra_keys[0] \"a.b.c.d.e.f.g.h.i\": more than 8 words");
  config = {};
  config.value_prefixes = {"sk"};
  CHECK(error_for(config) == "value_prefixes[0] \"sk\": must be 3 to 64 bytes");
  config.value_prefixes = {"sk live"};
  CHECK(error_for(config) == "value_prefixes[0] \"sk live\": must be printable ASCII without spaces");
  config.value_prefixes = {"RED"};
  CHECK(error_for(config) == "value_prefixes[0] \"RED\": must not overlap the marker [REDACTED]");
  config = {};
  config.literal_values = {"short"};
  // The literal is a secret: the message never repeats it.
  CHECK(error_for(config) == "literal_values[0] (not shown): must be 8 to 256 bytes, is 5");
  config.literal_values = {"abc\xFF" "defgh"};
  CHECK(error_for(config) == "literal_values[0] (not shown): is not valid UTF-8");
  config.literal_values = {"xx[REDACTED]xx"};
  CHECK(error_for(config) == "literal_values[0] (not shown): must not overlap the marker [REDACTED]");
  config = {};
  config.value_prefixes = RecordArray<std::string>(33, "sk_live_");
  CHECK(error_for(config) == "value_prefixes: 33 entries, at most 32");
  // A refused config leaves the policy it was given unchanged.
  RedactionPolicy policy;
  std::string error;
  config = {};
  config.card_numbers = false;
  config.value_prefixes = {"x"};
  CHECK_FALSE(RedactionPolicy::build(config, policy, error));
  CHECK(policy.config().card_numbers);
}

TEST_CASE("turning a built-in category off is reported, never silent") {
  CHECK(RedactionPolicy().warnings().empty());
  CHECK(build_or_fail(RedactionConfig{}).warnings().empty());
  struct Case {
    bool RedactionConfig::*flag;
    const char* mentions;
  };
  for (const Case c : {Case{&RedactionConfig::default_keys, "key deny list"}, Case{&RedactionConfig::keys_in_text, "inside text"},
                       Case{&RedactionConfig::auth_credentials, "Bearer and Basic"}, Case{&RedactionConfig::jwts, "JWT"},
                       Case{&RedactionConfig::card_numbers, "card numbers"}}) {
    RedactionConfig config;
    config.*(c.flag) = false;
    const auto policy = build_or_fail(config);
    REQUIRE(policy.warnings().size() == 1);
    CAPTURE(policy.warnings()[0]);
    CHECK(policy.warnings()[0].find(c.mentions) != std::string::npos);
  }
  // Only the switched-off category stops: card masking stays when the key list is off.
  RedactionConfig keys_off;
  keys_off.default_keys = false;
  const auto policy = build_or_fail(keys_off);
  CHECK_FALSE(policy.key_denied("password"));
  CHECK(redacted(policy, "password=x card 4111111111111111") == "password=x card [REDACTED]");
}

TEST_CASE("a policy with every category off and no extensions changes nothing") {
  RedactionConfig config;
  config.default_keys = config.keys_in_text = config.auth_credentials = config.jwts = config.card_numbers = false;
  const auto policy = build_or_fail(config);
  CHECK_FALSE(policy.active());
  CHECK(policy.warnings().size() == 5);
  std::string text = "password=x Bearer abc123456 4111111111111111";
  CHECK(policy.redact_text(text) == 0);
  CHECK(text == "password=x Bearer abc123456 4111111111111111");
  CHECK(RedactionPolicy().active());
}

TEST_CASE("truncation after redaction cuts on a code point and drops a partial word") {
  std::string text = "id 4111111111111111.5";  // a decimal: not a card as a whole
  CHECK(truncate_redacted(text, 19));
  CHECK(text == "id ");  // "id 4111111111111111" alone would read as a card
  text = "id 4111111111111111,5";  // digit-grouped: cut after the separator
  CHECK(truncate_redacted(text, 20));
  CHECK(text == "id ");
  text = "id 4111111111111111.5x";
  CHECK(truncate_redacted(text, 21));
  CHECK(text == "id ");
  text = "n=41111111111111111115 ok";
  CHECK(truncate_redacted(text, 18));
  CHECK(text == "n=");
  text = "password=[REDACTED] more";
  CHECK(truncate_redacted(text, 13));
  CHECK(text == "password=[");
  text = "done \xE2\x82\xAC\xE2\x82\xAC";
  CHECK(truncate_redacted(text, 7));
  CHECK(text == "done ");
  text = "word end";
  CHECK(truncate_redacted(text, 5));
  CHECK(text == "word ");
  text = "short";
  CHECK_FALSE(truncate_redacted(text, 5));
  CHECK(text == "short");
}

TEST_CASE("hostile repetitions up to the 16 KiB message limit are handled whole") {
  const RedactionPolicy policy;
  auto repeat = [](const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
  };
  auto fill = [](const std::string& unit) { return 16384 / unit.size(); };
  std::size_t count = 0;
  // One run of base64url and dots: one JWT from the first header to the end of the run.
  CHECK(redacted(policy, repeat(".eyJa.b", fill(".eyJa.b")), &count) == ".[REDACTED]");
  CHECK(count == 1);
  const std::string bearer = "Bearer a1b2c3d4e5 ";
  CHECK(redacted(policy, repeat(bearer, fill(bearer)), &count) == repeat("Bearer [REDACTED] ", fill(bearer)));
  CHECK(count == fill(bearer));
  const std::string card = "4111 1111 1111 1111 ";
  CHECK(redacted(policy, repeat(card, fill(card)), &count) == repeat("[REDACTED] ", fill(card)));
  CHECK(count == fill(card));
  // A quoted value that never closes: masked to the end.
  CHECK(redacted(policy, "\"password\":\"" + repeat("\\\"a", 5000), &count) == "\"password\":\"[REDACTED]");
  CHECK(count == 1);
  // A structure that never closes, full of denied keys: one value, to the end.
  CHECK(redacted(policy, repeat("{\"token\":[[", 1000), &count) == "{\"token\":\"[REDACTED]\"");
  CHECK(count == 1);
  for (const std::string unit : {"a=", "eyJ", "1 ", "1-", "bearer ", "basic QUJD", "\\\"", "x: "}) {
    CAPTURE(unit);
    const std::string text = repeat(unit, fill(unit));
    CHECK(redacted(policy, text, &count) == text);
    CHECK(count == 0);
  }
}
