// The cost of drain + encode (Telemetry::drain, Telemetry::encode_drained) for the request
// shape of `npm run bench` (bench/workers/workload.js plus what instrument() adds: a server root
// span with its HTTP attributes, 5 child spans with 2 attributes each, 3 metric updates, the
// request-duration histogram, 1 log line), for one request per drain and for 100 requests per
// drain. Built by the CMake target edgescope_encode_bench (native builds only, -O2, no
// sanitizers):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGESCOPE_TESTS=OFF
//   cmake --build build/bench --target edgescope_encode_bench && ./build/bench/edgescope_encode_bench
// The same as wasm under Node, compiled like the module (-Oz -flto), for the figures that matter
// in workerd:
//   NODE_PATH=/usr/share/nodejs em++ -std=c++17 -Oz -flto -fno-exceptions -fno-rtti -Iwasm/include \
//       bench/encode_bench.cpp wasm/src/*/*.cpp -sENVIRONMENT=node -sWASM_ASYNC_COMPILATION=0 \
//       -sALLOW_MEMORY_GROWTH=1 -sMALLOC=emmalloc -o build/encode_bench.cjs && node build/encode_bench.cjs
// Recording is not timed. Each figure is the fastest of many drains (the machine is shared). The
// "output" line is an FNV-1a hash of every payload body of a fresh, seeded Telemetry: equal
// hashes before and after a change mean byte-identical output.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "edgescope/json_writer.hpp"
#include "edgescope/telemetry.hpp"

using namespace edgescope;

namespace {

using Clock = std::chrono::steady_clock;

TelemetryOptions options() {
  TelemetryOptions o;
  o.service = "bench-worker";
  o.seed = {11, 22, 33, 44};
  return o;
}

// One request, as an instrumented Worker records it. Times are Date.now() milliseconds.
void record_request(Telemetry& t, double now) {
  const auto str = [&](const char* key, const char* value) { t.stage_string(t.intern(key), value); };
  const auto num = [&](const char* key, std::int64_t value) { t.stage(t.intern(key), AttributeValue::of_int(value)); };
  const SpanHandle root = t.start_span(kNoopSpan, t.intern("GET /api/items"), SpanKind::Server, now);
  str("http.request.method", "GET");
  str("url.full", "https://bench.example.com/api/items");
  str("url.scheme", "https");
  str("server.address", "bench.example.com");
  num("server.port", 443);
  str("url.path", "/api/items");
  str("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0");
  str("faas.trigger", "http");
  t.apply_staged_to_span(root);
  for (int i = 0; i < 5; ++i) {
    const SpanHandle step = t.start_span(root, t.intern("step"), SpanKind::Internal, now + 1);
    num("step.index", i);
    str("step.kind", "compute");
    t.apply_staged_to_span(step);
    t.end_span(step, now + 2);
  }
  str("path", "/api/items");
  t.record(t.series(MetricType::Counter, t.intern("bench.requests"), kNoName, now), 1, now + 3);
  t.record(t.series(MetricType::Gauge, t.intern("bench.inflight"), kNoName, now), 1, now + 3);
  t.record(t.series(MetricType::Histogram, t.intern("bench.size"), t.intern("By"), now), 42, now + 3);
  str("path", "/api/items");
  t.log(LogLevel::Info, "handled", root, now + 3);
  str("edgescope.response.outcome", "ok");
  num("http.response.status_code", 200);
  t.apply_staged_to_span(root);
  t.end_span(root, now + 4);
  str("http.request.method", "GET");
  num("http.response.status_code", 200);
  t.record(t.series(MetricType::Histogram, t.intern("http.server.request.duration"), t.intern("s"), now), 0.004,
           now + 4);
}

std::uint64_t fnv1a(std::uint64_t h, const std::string& bytes) {
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

struct Result {
  double best_ns = 1e18;   // drain + encode
  double drain_ns = 1e18;  // drain alone, in its own fastest run
  std::size_t bytes = 0;
  std::size_t records = 0;
  std::size_t payloads = 0;
};

Result run(WireFormat format, int requests, int runs) {
  Telemetry t(options());
  Result r;
  double now = 1733560000000;
  for (int run = 0; run < runs; ++run) {
    for (int i = 0; i < requests; ++i) record_request(t, now += 7);
    const auto start = Clock::now();
    r.records = t.drain(now + 10);
    const auto drained = Clock::now();
    const auto& payloads = t.encode_drained(format);
    const auto end = Clock::now();
    r.best_ns = std::min(r.best_ns, std::chrono::duration<double, std::nano>(end - start).count());
    r.drain_ns = std::min(r.drain_ns, std::chrono::duration<double, std::nano>(drained - start).count());
    r.bytes = 0;
    for (const auto& p : payloads) r.bytes += p.body.size();
    r.payloads = payloads.size();
    t.release();
  }
  return r;
}

std::uint64_t output_hash(WireFormat format, int requests) {
  Telemetry t(options());
  double now = 1733560000000;
  for (int i = 0; i < requests; ++i) record_request(t, now += 7);
  t.drain(now + 10);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const auto& p : t.encode_drained(format)) h = fnv1a(h, p.body);
  return h;
}

void report(const char* name, WireFormat format, int requests, int runs) {
  const Result r = run(format, requests, runs);
  std::printf("%-11s %4d req/drain: %8.1f us (drain %7.1f)  %7zu B in %zu payload(s)  %3zu records  %6.2f ns/B"
              "  %7.1f ns/record  output %016llx\n",
              name, requests, r.best_ns / 1000, r.drain_ns / 1000, r.bytes, r.payloads, r.records, r.best_ns / static_cast<double>(r.bytes),
              r.best_ns / static_cast<double>(r.records), static_cast<unsigned long long>(output_hash(format, requests)));
}

// append_double alone, per call: the histogram bounds every flush writes, and doubles with 17
// significant digits (the slowest shortest form).
void report_doubles() {
  GrowArray<double> bounds = seconds_histogram_bounds();
  GrowArray<double> long_digits;
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 64; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    long_digits.push_back(static_cast<double>(x >> 11) / 9007199254740992.0 * 1000.0);
  }
  for (const auto* set : {&bounds, &long_digits}) {
    std::string out;
    double best = 1e18;
    for (int run = 0; run < 15; ++run) {
      const auto start = Clock::now();
      for (int rep = 0; rep < 200; ++rep) {
        out.clear();
        for (const double v : *set) append_double(out, v);
      }
      const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
      best = std::min(best, ns / (200.0 * static_cast<double>(set->size())));
    }
    std::printf("append_double, %-34s %7.1f ns/call\n",
                set == &bounds ? "seconds histogram bounds:" : "random doubles in [0,1000):", best);
  }
}

}  // namespace

int main() {
  report("native-json", WireFormat::NativeJson, 1, 2000);
  report("otlp-json", WireFormat::OtlpJson, 1, 2000);
  report("native-json", WireFormat::NativeJson, 100, 40);
  report("otlp-json", WireFormat::OtlpJson, 100, 40);
  report_doubles();
  return 0;
}
