// The export side of the telemetry ABI (bindings/edgescope.h): drain, encode, the payloads the
// host copies out, release, and the counters and limits it reads. c_api.cpp has the recording
// side; telemetry_handles.hpp the handles both take.
#include <cstring>

#include "abi_state.hpp"
#include "edgescope.h"
#include "telemetry_handles.hpp"

using namespace edgescope;

namespace {

using abi::fail;
using abi::fail_num;
using abi::g_io;
using abi::g_output;
using abi::instance;
using abi::io_u32;
using abi::io_words;

static_assert(kStatCount <= ES_IO_MAX_STATS, "every counter must fit the io block");
static_assert(ES_IO_STATS + ES_IO_MAX_STATS * 8 <= ES_IO_BYTES, "the io block holds its stats");

const Payload* payload_at(int32_t h, int32_t index) {
  Telemetry* t = instance(h);
  if (!t || index < 0 || static_cast<std::size_t>(index) >= t->payloads().size()) return nullptr;
  return &t->payloads()[static_cast<std::size_t>(index)];
}

}  // namespace

extern "C" {

int32_t es_pending(int32_t h) {
  ES_INSTANCE(t, h);
  return static_cast<int32_t>(t->pending());
}

int32_t es_drain(int32_t h, double now) {
  ES_INSTANCE(t, h);
  const auto records = static_cast<int32_t>(t->drain(now));
  io_u32(ES_IO_EVICTED, static_cast<uint32_t>(t->evicted_names().size()));
  io_u32(ES_IO_EVICTED + 4, static_cast<uint32_t>(t->evicted_series().size()));
  return records;
}

int32_t es_evicted(int32_t h, int32_t kind) {
  ES_INSTANCE(t, h);
  if (kind != 0 && kind != 1) return fail(ES_ERR_ARGUMENT, "kind must be 0 (names) or 1 (series)");
  const IdList& ids = kind == 0 ? t->evicted_names() : t->evicted_series();
  g_output.clear();
  for (const int32_t id : ids) {
    const auto u = static_cast<uint32_t>(id);
    for (int shift = 0; shift < 32; shift += 8) g_output.push_back(static_cast<char>((u >> shift) & 0xFF));
  }
  return static_cast<int32_t>(ids.size());
}

int32_t es_encode(int32_t h, int32_t format) {
  ES_INSTANCE(t, h);
  if (format < 0 || format > 2) return fail(ES_ERR_ARGUMENT, "format must be 0 (native JSON), 1 (OTLP JSON) or 2 (OTLP protobuf)");
  return static_cast<int32_t>(t->encode_drained(static_cast<WireFormat>(format)).size());
}

const uint8_t* es_payload_ptr(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  return p ? reinterpret_cast<const uint8_t*>(p->body.data()) : nullptr;
}

uint32_t es_payload_len(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  return p ? static_cast<uint32_t>(p->body.size()) : 0;
}

int32_t es_payload_signal(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  return p ? static_cast<int32_t>(p->signal) : fail(ES_ERR_ARGUMENT, "no payload at that index");
}

int32_t es_payload_records(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  return p ? static_cast<int32_t>(p->records) : fail(ES_ERR_ARGUMENT, "no payload at that index");
}

int32_t es_payload_batch_id(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  if (!p) return fail(ES_ERR_ARGUMENT, "no payload at that index");
  g_output = to_hex(p->batch_id);
  return static_cast<int32_t>(g_output.size());
}

int32_t es_release(int32_t h) {
  ES_INSTANCE(t, h);
  t->release();
  return ES_OK;
}

double es_stat(int32_t h, int32_t id) {
  Telemetry* t = instance(h);
  if (!t || id < 0 || id >= kStatCount) return -1;
  return static_cast<double>(read_stat(t->stats(), static_cast<StatId>(id)));
}

int32_t es_count(int32_t h, int32_t id, uint32_t n) {
  ES_INSTANCE(t, h);
  if (id < 0 || id >= kStatCount || !is_host_stat(static_cast<StatId>(id))) {
    return fail_num(ES_ERR_ARGUMENT, "stat ", id, " is not one the host may count");
  }
  t->count(static_cast<StatId>(id), n);
  return ES_OK;
}

double es_limit(int32_t h, int32_t id) {
  Telemetry* t = instance(h);
  if (!t || id < 0 || id >= kLimitCount) return -1;
  return static_cast<double>(read_limit(t->limits(), static_cast<LimitId>(id)));
}

int32_t es_stats(int32_t h) {
  ES_INSTANCE(t, h);
  for (int32_t i = 0; i < kStatCount; ++i) {
    const double value = static_cast<double>(read_stat(t->stats(), static_cast<StatId>(i)));
    std::memcpy(g_io + ES_IO_STATS + static_cast<std::size_t>(i) * 8, &value, sizeof value);
  }
  return kStatCount;
}

int32_t es_payload_info(int32_t h, int32_t index) {
  const Payload* p = payload_at(h, index);
  if (!p) return fail(ES_ERR_ARGUMENT, "no payload at that index");
  io_u32(ES_IO_PAYLOAD, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p->body.data())));
  io_u32(ES_IO_PAYLOAD + 4, static_cast<uint32_t>(p->body.size()));
  io_u32(ES_IO_PAYLOAD + 8, static_cast<uint32_t>(p->signal));
  io_u32(ES_IO_PAYLOAD + 12, static_cast<uint32_t>(p->records));
  io_words(ES_IO_PAYLOAD + 16, p->batch_id.high, p->batch_id.low);
  return ES_OK;
}

}  // extern "C"
