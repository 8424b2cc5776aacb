#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "edgescope/telemetry.hpp"
#include "edgescope/trace_context.hpp"
#include "fixtures.hpp"

using namespace edgescope;

TEST_CASE("traceparent headers are accepted or rejected per W3C Trace Context") {
  const auto fixture = load_fixture("traceparent.json");
  REQUIRE(fixture.is_object());
  for (const auto& c : fixture["cases"]) {
    const std::string header = c["header"].get<std::string>();
    CAPTURE(header);
    const auto parsed = parse_traceparent(header);
    CHECK(parsed.has_value() == c["valid"].get<bool>());
    if (parsed && c["valid"].get<bool>()) {
      CHECK(to_hex(parsed->trace_id) == c["traceId"].get<std::string>());
      CHECK(to_hex(parsed->span_id) == c["spanId"].get<std::string>());
      CHECK(parsed->sampled() == c["sampled"].get<bool>());
    }
  }
}

TEST_CASE("a formatted traceparent parses back to the same context") {
  const TraceId trace{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  const std::string header = format_traceparent(trace, 0x1122334455667788ULL, 0x01);
  CHECK(header == "00-0123456789abcdeffedcba9876543210-1122334455667788-01");
  const auto parsed = parse_traceparent(header);
  REQUIRE(parsed.has_value());
  CHECK(parsed->trace_id == trace);
  CHECK(parsed->span_id == 0x1122334455667788ULL);
}

namespace {

// Sends one request's headers through the same path the shim uses (start_remote_span) and reads
// back the tracestate the span would propagate.
std::string propagated_tracestate(const std::string& traceparent, const std::string& tracestate) {
  TelemetryOptions o;
  o.service = "svc";
  o.seed = {1, 2, 3, 4};
  Telemetry t(o);
  const auto span = t.start_remote_span(t.intern("in"), SpanKind::Server, 0, traceparent, tracestate, nullptr);
  const auto ctx = t.tracer().context(span);
  REQUIRE(ctx.has_value());
  return ctx->tracestate;
}

// The propagated list as (key, value) pairs: split at "," and at each member's first "=".
std::vector<std::pair<std::string, std::string>> members_of(const std::string& list) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (!list.empty() && start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string member = list.substr(start, comma - start);
    const std::size_t eq = member.find('=');
    REQUIRE(eq != std::string::npos);
    out.emplace_back(member.substr(0, eq), member.substr(eq + 1));
    start = comma + 1;
  }
  return out;
}

// The members as sent, whole: split at ",", optional whitespace (space, tab) taken off, empty ones
// skipped, joined with "," again.
std::string received_list(const std::string& header) {
  std::string out;
  std::size_t start = 0;
  while (start <= header.size()) {
    std::size_t comma = header.find(',', start);
    if (comma == std::string::npos) comma = header.size();
    std::string member = header.substr(start, comma - start);
    start = comma + 1;
    member.erase(0, member.find_first_not_of(" \t"));
    const std::size_t last = member.find_last_not_of(" \t");
    member.erase(last == std::string::npos ? 0 : last + 1);
    if (!member.empty()) out += (out.empty() ? "" : ",") + member;
  }
  return out;
}

std::string combined(const nlohmann::json& fields, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? separator : "") + fields[i].get<std::string>();
  return out;
}

}  // namespace

TEST_CASE("tracestate is propagated as the W3C trace-context test suite expects") {
  const auto fixture = load_fixture("tracestate-cases.json");
  REQUIRE(fixture.is_object());
  const std::string suite_traceparent = fixture["traceparent"].get<std::string>();
  const std::string separator = fixture["combine"].get<std::string>();
  int checked = 0;
  for (const auto& c : fixture["cases"]) {
    const std::string header = combined(c["tracestate"], separator);
    CAPTURE(c["test"].get<std::string>());
    CAPTURE(header);
    const std::string out = propagated_tracestate(c["traceparent"].get<bool>() ? suite_traceparent : "", header);
    const auto members = members_of(out);
    if (c.value("discarded", false)) CHECK(out.empty());
    if (c.contains("count")) CHECK(members.size() == c["count"].get<std::size_t>());
    if (c.contains("members")) {
      for (const auto& item : c["members"].items()) {
        const auto found = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == item.key(); });
        REQUIRE_MESSAGE(found != members.end(), "missing key " << item.key());
        CHECK(found->second == item.value().get<std::string>());
      }
    }
    if (c.contains("order")) {
      std::vector<std::string> keys;
      for (const auto& m : members) keys.push_back(m.first);
      CHECK(keys == c["order"].get<std::vector<std::string>>());
    }
    ++checked;
  }
  CHECK(checked == 34);
}

TEST_CASE("a tracestate over 512 characters loses whole members only, long ones first") {
  const auto fixture = load_fixture("tracestate-cases.json");
  REQUIRE(fixture.is_object());
  const std::string separator = fixture["combine"].get<std::string>();
  for (const auto& c : fixture["truncation"]["cases"]) {
    CAPTURE(c["note"].get<std::string>());
    const std::string header = combined(c["tracestate"], separator);
    const auto received = members_of(received_list(header));
    const TracestateResult result = parse_tracestate(header);
    CHECK(result.status == TracestateStatus::Ok);
    CHECK(result.value.size() <= kMaxTracestateLength);
    std::vector<std::string> keys;
    for (const auto& m : members_of(result.value)) {
      keys.push_back(m.first);
      // Every propagated member is one of the received members, unchanged.
      CHECK(std::find(received.begin(), received.end(), m) != received.end());
    }
    CHECK(keys == c["keys"].get<std::vector<std::string>>());
    CHECK(result.members_removed == received.size() - keys.size());
  }
}

TEST_CASE("tracestate members follow the W3C grammar; an invalid one discards the whole list") {
  CHECK(normalize_tracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7") == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  CHECK(normalize_tracestate("tenant@system=1,,a=b") == "tenant@system=1,a=b");
  CHECK(normalize_tracestate("0tenant@s=1") == "0tenant@s=1");      // a tenant id may start with a digit
  CHECK(normalize_tracestate("a=  leading") == "a=  leading");      // leading spaces belong to the value
  CHECK(normalize_tracestate("") == "");
  const std::string value256(256, 'v');
  CHECK(normalize_tracestate("k=" + value256) == "k=" + value256);

  const struct {
    const char* header;
    TracestateStatus status;
  } invalid[] = {
      {"Upper=1", TracestateStatus::InvalidMember},         // keys are lower case
      {"0simple=1", TracestateStatus::InvalidMember},       // only a tenant id may start with a digit
      {"novalue", TracestateStatus::InvalidMember},
      {"a=", TracestateStatus::InvalidMember},              // a value has at least one character
      {"a=x,y", TracestateStatus::InvalidMember},           // stray member
      {"a=has=equals", TracestateStatus::InvalidMember},    // '=' not allowed in values
      {"a=tab\there", TracestateStatus::InvalidMember},     // tabs only as optional whitespace
      {"a=caf\xc3\xa9", TracestateStatus::InvalidMember},   // printable ASCII only
      {"a=1,a=2", TracestateStatus::DuplicateKey},
      {"t@s=1,t@s=2", TracestateStatus::DuplicateKey},
  };
  for (const auto& c : invalid) {
    CAPTURE(c.header);
    const TracestateResult r = parse_tracestate(c.header);
    CHECK(r.status == c.status);
    CHECK(r.value.empty());
  }
  CHECK(parse_tracestate("k=" + value256 + "v").status == TracestateStatus::InvalidMember);  // 257
  std::string many;
  for (int i = 0; i < 33; ++i) many += (i ? ",k" : "k") + std::to_string(i) + "=v";
  CHECK(parse_tracestate(many).status == TracestateStatus::TooManyMembers);
  CHECK(std::string(tracestate_status_name(TracestateStatus::DuplicateKey)) == "tracestate key repeated");
}

TEST_CASE("a tracestate header is parsed whole up to 8192 bytes and refused whole beyond") {
  // Empty and whitespace-only members are allowed, so a valid header can be long.
  std::string header = "foo=1";
  while (header.size() < kMaxTracestateHeaderBytes) header += header.size() % 2 ? "," : " ";
  header.resize(kMaxTracestateHeaderBytes);
  CHECK(parse_tracestate(header).status == TracestateStatus::Ok);
  CHECK(normalize_tracestate(header) == "foo=1");
  header += ",";
  const TracestateResult over = parse_tracestate(header);
  CHECK(over.status == TracestateStatus::TooLong);
  CHECK(over.value.empty());
}

TEST_CASE("a tracestate longer than the old 1024-character cut keeps whole members only") {
  // Eight 130-character members (1047 characters): a cut at 1024 used to leave "h=" plus 107
  // characters, a valid-looking member that was forwarded. Now every propagated member is one
  // that was received, whole, and the list fits in 512 characters.
  std::vector<std::string> sent;
  std::string header;
  for (char k = 'a'; k <= 'h'; ++k) {
    sent.push_back(std::string(1, k) + "=" + std::string(128, k));
    header += (header.empty() ? "" : ",") + sent.back();
  }
  REQUIRE(header.size() == 1047);
  const TracestateResult r = parse_tracestate(header);
  CHECK(r.status == TracestateStatus::Ok);
  CHECK(r.value == sent[0] + "," + sent[1] + "," + sent[2]);  // 392 characters; a fourth would make 523
  CHECK(r.members_removed == 5);
}
