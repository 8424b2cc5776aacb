// Native cost of redaction per value (wasm/include/edgescope/redaction.hpp). Built ad hoc:
//   g++ -std=c++17 -O2 -Iwasm/include bench/redaction_bench.cpp wasm/src/privacy/*.cpp \
//       wasm/src/common/*.cpp -o build/redaction_bench && ./build/redaction_bench
// Each figure is the best of 7 runs (the machine is shared), per call, and includes copying the
// input string (the copy alone is printed first, to subtract).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ns_per_call.hpp"
#include "edgescope/redaction.hpp"

using namespace edgescope;

namespace {

std::size_t sink = 0;

double text_ns(const RedactionPolicy& policy, const std::vector<std::string>& values, std::size_t calls) {
  return ns_per_call(calls, [&](std::size_t i) {
    std::string copy = values[i % values.size()];
    sink += policy.redact_text(copy) + copy.size();
  });
}

double copy_ns(const std::vector<std::string>& values, std::size_t calls) {
  return ns_per_call(calls, [&](std::size_t i) {
    std::string copy = values[i % values.size()];
    sink += copy.size();
  });
}

std::string repeat_to(const std::string& unit, std::size_t size) {
  std::string out;
  while (out.size() < size) out += unit;
  out.resize(size);
  return out;
}

void row(const char* what, double ns, double bytes) {
  std::printf("%-52s %10.1f ns  (%6.2f ns/byte)\n", what, ns, ns / bytes);
}

double average_size(const std::vector<std::string>& values) {
  double total = 0;
  for (const auto& v : values) total += static_cast<double>(v.size());
  return total / static_cast<double>(values.size());
}

}  // namespace

int main() {
  const RedactionPolicy defaults;
  RedactionConfig config;
  config.extra_keys = {"x-session-ticket"};
  config.value_prefixes = {"sk_live_", "ghp_", "xoxb-"};
  config.literal_values = {"0123456789abcdef0123456789abcdef"};
  RedactionPolicy extended;
  std::string error;
  if (!RedactionPolicy::build(config, extended, error)) return 1;

  // Typical span/log attribute values (OpenTelemetry HTTP semantic conventions, Workers fields).
  const std::vector<std::string> attributes = {
      "GET", "200", "https", "api.example.com", "/v1/users/42/orders", "https://api.example.com/v1/users/42?page=2",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      "SJC", "HTTP/2", "application/json; charset=utf-8", "2024-05-17T12:34:56.789Z", "e0b9a2f4-5c1d-4c2e-9a7b-1f2d3c4b5a69"};
  const std::vector<std::string> attributes_with_secret = {
      "https://app.example/cb?code=x&access_token=ya29.a0AfH6SMB&state=s", "Bearer a1b2c3d4e5f6g7h8i9j0",
      "card 4111 1111 1111 1111"};
  const std::vector<std::string> keys = {"http.request.method", "url.full", "user_agent.original",
                                         "http.response.status_code", "user.password", "http.request.header.authorization"};

  std::string prose = "User 42 completed checkout for order ORD-2024-000123 in 182 ms; cart had 3 items, "
                      "total 129.95 EUR, shipping to zone 4 via courier. Inventory reserved at 2024-05-17T12:34:56Z. ";
  std::string json = R"({"event":"checkout","user":{"id":42,"plan":"pro"},"items":[{"sku":"A-100","qty":1},{"sku":"B-200","qty":2}],"latency_ms":182,"region":"weur"} )";
  const std::string message = repeat_to(prose + json, 1024);
  const std::string secret_message =
      repeat_to(prose + R"({"user":"bob","password":"hunter2","card":"4111 1111 1111 1111"} Authorization: Bearer a1b2c3d4e5f6 )", 1024);

  std::printf("copy only, attribute value (avg %.0f B)           %10.1f ns\n", average_size(attributes), copy_ns(attributes, 200000));
  row("key_denied, typical key", ns_per_call(200000, [&](std::size_t i) { sink += defaults.key_denied(keys[i % keys.size()]); }),
      average_size(keys));
  row("redact_text, typical attribute value, defaults", text_ns(defaults, attributes, 200000), average_size(attributes));
  row("redact_text, typical attribute value, extended", text_ns(extended, attributes, 200000), average_size(attributes));
  row("redact_text, attribute value with a secret", text_ns(defaults, attributes_with_secret, 200000), average_size(attributes_with_secret));
  std::printf("copy only, 1 KiB message                          %10.1f ns\n", copy_ns({message}, 20000));
  row("redact_text, 1 KiB log message, no secret, defaults", text_ns(defaults, {message}, 20000), 1024);
  row("redact_text, 1 KiB log message, no secret, extended", text_ns(extended, {message}, 20000), 1024);
  row("redact_text, 1 KiB log message with secrets", text_ns(defaults, {secret_message}, 20000), 1024);
  for (const std::string unit : {".eyJa.b", "4111 1111 1111 1111 ", "Bearer a1b2c3d4e5 ", "\"password\":\"\\\"", "a=", "1-"}) {
    const std::string hostile = repeat_to(unit, 16384);
    const std::string label = "16 KiB hostile: repeated \"" + unit + "\"";
    row(label.c_str(), text_ns(extended, {hostile}, 500), 16384);
  }
  return sink == 42 ? 1 : 0;
}
