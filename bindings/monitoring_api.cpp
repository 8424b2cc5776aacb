// Error classification over the C ABI (bindings/edgescope.h, "Error classification"). Classifier
// handles are this file's own numbering; js/core/monitoring-core.js is the one caller.
#include <string>
#include <string_view>
#include <vector>

#include "abi_state.hpp"
#include "edgescope.h"
#include "edgescope/monitoring/classifier.hpp"

using namespace edgescope;

namespace {

// A Telemetry makes one classifier per config; a handful covers tests that make several.
// A fixed table: no vector-of-owners template code in the module (size budget).
constexpr int32_t kMaxClassifiers = 64;
monitoring::Classifier* g_classifiers[kMaxClassifiers];

monitoring::Classifier* find(int32_t c) { return c > 0 && c <= kMaxClassifiers ? g_classifiers[c - 1] : nullptr; }

}  // namespace

extern "C" {

int32_t es_cls_create(uint32_t rules_len, int32_t defaults) {
  const GrowArray<std::uint8_t>& scratch = abi::scratch_bytes();
  if (rules_len > scratch.size()) return abi::fail(ES_ERR_ARGUMENT, "rules length exceeds the scratch buffer");
  int32_t slot = 0;
  while (slot < kMaxClassifiers && g_classifiers[slot]) ++slot;
  if (slot == kMaxClassifiers) return abi::fail(ES_ERR_REJECTED, "too many classifiers (64)");
  auto* classifier = new monitoring::Classifier();
  std::string why;
  if (!classifier->configure(std::string_view(reinterpret_cast<const char*>(scratch.data()), rules_len), defaults != 0, why)) {
    delete classifier;
    return abi::fail(ES_ERR_ARGUMENT, why);
  }
  g_classifiers[slot] = classifier;
  return slot + 1;
}

int32_t es_cls_destroy(int32_t c) {
  if (!find(c)) return abi::fail_num(ES_ERR_HANDLE, "unknown classifier ", c);
  delete g_classifiers[c - 1];
  g_classifiers[c - 1] = nullptr;
  return ES_OK;
}

int32_t es_cls_classify(int32_t c, int32_t status, uint32_t type_len, uint32_t message_len, uint32_t stack_len,
                        uint32_t route_len, uint32_t binding_len, uint32_t span_len, uint32_t log_len) {
  const monitoring::Classifier* classifier = find(c);
  if (!classifier) return abi::fail_num(ES_ERR_HANDLE, "unknown classifier ", c);
  const GrowArray<std::uint8_t>& scratch = abi::scratch_bytes();
  const uint64_t total = uint64_t{type_len} + message_len + stack_len + route_len + binding_len + span_len + log_len;
  if (total > scratch.size()) return abi::fail(ES_ERR_ARGUMENT, "input lengths exceed the scratch buffer");
  if (status != 0 && (status < 100 || status > 599)) return abi::fail_num(ES_ERR_ARGUMENT, "status ", status, " is not 0 or 100..599");
  const char* at = reinterpret_cast<const char*>(scratch.data());
  auto next = [&at](uint32_t len) {
    std::string_view view(at, len);
    at += len;
    return view;
  };
  monitoring::ErrorInput in;
  in.type = next(type_len);
  in.message = next(message_len);
  in.stack = next(stack_len);
  in.route = next(route_len);
  in.binding = next(binding_len);
  in.span = next(span_len);
  in.log = next(log_len);
  in.status = status;
  const monitoring::Classification got = classifier->classify(in);
  std::string& out = abi::output();
  out = got.fingerprint;
  out += abi::cat_num("\n", got.repeated.count, "\n");
  out += abi::cat_num("", got.repeated.window_ms, "\n");
  out += got.category;
  out.push_back('\n');
  out += got.normalized;
  return static_cast<int32_t>(got.severity) | (static_cast<int32_t>(got.repeated.severity) << 2);
}

}  // extern "C"
