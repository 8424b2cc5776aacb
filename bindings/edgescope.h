/* The edgescope C ABI: the only surface the JavaScript shim calls, and the only code that knows
 * the core runs as WebAssembly.
 *
 * Conventions (each function below follows them unless it says otherwise):
 * - Handles are positive int32. `h` is a core instance from es_create; spans are handles from
 *   es_span_start*; 0 is the no-op span (calls on it do nothing).
 * - Strings go IN through the scratch buffer: call es_scratch(n), write n UTF-8 bytes at the
 *   returned pointer, then pass n as the `*_len` argument. Two strings in one call are laid out
 *   back to back. The core copies what it keeps; the scratch buffer is reused by the next call.
 * - Bytes come OUT through core-owned buffers (es_output_*, es_payload_*) that stay valid until the
 *   next call that writes them; the caller copies them out (JS: `.slice()`) before calling again.
 * - Status: 0 ok, negative = error; es_error_ptr/len then describe it. Nothing throws across
 *   this boundary (the core is built with -fno-exceptions).
 * - Times are milliseconds since the Unix epoch, as the host's clock gives them.
 */
#ifndef EDGESCOPE_H
#define EDGESCOPE_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ES_OK 0
#define ES_ERR_HANDLE (-1)        /* unknown core handle */
#define ES_ERR_ARGUMENT (-2)      /* an argument out of its range; see es_error_ptr */
#define ES_ERR_TYPE_CONFLICT (-3) /* a metric name already used with another type */
#define ES_ERR_REJECTED (-4)      /* a value refused by policy (counted in the stats) */

/* Scratch input buffer of at least `len` bytes (owned by the core). NULL past 1 MiB (part of the
 * memory ceiling, wasm/include/edgescope/limits.hpp; the shim never needs more than 64 KiB). */
uint8_t* es_scratch(uint32_t len);
const char* es_error_ptr(void);
uint32_t es_error_len(void);
const char* es_output_ptr(void);
uint32_t es_output_len(void);

/* service name in scratch[0, service_len). seed: 8 words of host entropy. */
int32_t es_create(uint32_t service_len, double sample_ratio, uint32_t max_payload_bytes, uint32_t max_records,
                  uint32_t seed0, uint32_t seed1, uint32_t seed2, uint32_t seed3, uint32_t seed4, uint32_t seed5,
                  uint32_t seed6, uint32_t seed7);
int32_t es_destroy(int32_t h);

/* Returns a name id > 0 for scratch[0, len). Refusals (counted): ES_ERR_ARGUMENT for an empty name,
 * ES_ERR_REJECTED when the name table is full (max_interned or its byte budget).
 * Name ids: an id names its string until a drain evicts it (idle for a whole drain window; see
 * es_evicted); an evicted id is refused with ES_ERR_ARGUMENT, never taken for another name. Every
 * name id argument below also accepts the negative value es_intern returned: the call then refuses
 * what it would have named (span, event, metric value, attribute) and counts it. */
int32_t es_intern(int32_t h, uint32_t len);

/* Stage one attribute for the next consuming call (span attrs, event, log, series, resource).
 * The stage keeps at most max_attributes keys (last write wins) and max_record_bytes; what does
 * not fit, and NaN/infinite doubles, are refused (counted, and in the consuming record's
 * dropped-attribute count). */
int32_t es_stage_string(int32_t h, int32_t key_id, uint32_t len);
int32_t es_stage_int(int32_t h, int32_t key_id, double value); /* must be an integer in +/-2^53 */
int32_t es_stage_double(int32_t h, int32_t key_id, double value);
int32_t es_stage_bool(int32_t h, int32_t key_id, int32_t value);
/* One array attribute (OpenTelemetry "Attribute": a homogeneous array of string, int64, double or
 * bool). type: 0 string, 1 int, 2 double, 3 bool; `count` elements packed in scratch[0, len):
 *   string: count uint32 LE UTF-8 byte lengths, then the strings back to back;
 *   int, double: count float64 LE (ints integers within +/-2^53, as es_stage_int);
 *   bool: count bytes, 0 false, anything else true.
 * len must be exactly what that layout takes. Strings are repaired and redacted like
 * es_stage_string's; the core keeps the first 128 elements and, over all strings, at most
 * max_attribute_value_bytes (es_limit), cutting a longer array to a prefix (counted once in
 * values_truncated). A denied key redacts the whole value. A non-finite double refuses the
 * attribute (counted, like es_stage_double's); so does a malformed layout or an int that is not
 * a safe integer, which also return ES_ERR_ARGUMENT. */
int32_t es_stage_array(int32_t h, int32_t key_id, int32_t type, uint32_t count, uint32_t len);
int32_t es_stage_clear(int32_t h); /* empties the stage (a host that failed mid-way) */

/* parent 0: a new root span. Returns a span handle (0: refused by the open-span bound). */
int32_t es_span_start(int32_t h, int32_t parent, int32_t name_id, int32_t kind, double now);
/* A root span continuing traceparent scratch[0, tp_len) and tracestate scratch[tp_len, +ts_len).
 * A malformed traceparent starts a new trace; es_remote_rejected then returns 1. */
int32_t es_span_start_remote(int32_t h, int32_t name_id, int32_t kind, double now, uint32_t tp_len, uint32_t ts_len);
int32_t es_remote_rejected(int32_t h);
int32_t es_span_attributes(int32_t h, int32_t span);               /* consumes the stage */
int32_t es_span_event(int32_t h, int32_t span, int32_t name_id, double now); /* consumes the stage */
/* OpenTelemetry "Set Status": code 0 (unset) is ignored, 1 (ok) is final, the message is kept only
 * with 2 (error). */
int32_t es_span_status(int32_t h, int32_t span, int32_t code, uint32_t message_len);
int32_t es_span_rename(int32_t h, int32_t span, int32_t name_id);
int32_t es_span_end(int32_t h, int32_t span, double now); /* 1: the span was not open */
int32_t es_span_recording(int32_t h, int32_t span);       /* 1: sampled and open */
/* Writes "traceparent\ntracestate" to the output buffer; returns its length, 0 if not open. */
int32_t es_span_context(int32_t h, int32_t span);

/* A metric series (consumes the stage as its tags); type: metrics.hpp MetricType 0..3, or 4 / 5 for a
 * histogram with explicit buckets / an exponential histogram (3: exponential when the unit is a
 * duration, "s" or "ms"); unit_id 0: no unit; `now` starts the series'
 * first delta window. > 0: id (valid until a drain evicts it, see es_evicted); 0: refused (series
 * bounds, a refused name or tag; counted); ES_ERR_TYPE_CONFLICT: the name has another type (counted). */
int32_t es_series(int32_t h, int32_t type, int32_t name_id, int32_t unit_id, double now);
int32_t es_record(int32_t h, int32_t series, double value, double now);

/* message in scratch[0, len); consumes the stage as attributes; span 0: uncorrelated. */
int32_t es_log(int32_t h, int32_t level, int32_t span, double now, uint32_t message_len);
/* Like es_log, correlated with an ended span: message in scratch[0, message_len), that span's
 * traceparent in scratch[message_len, +traceparent_len). A malformed traceparent: uncorrelated. */
int32_t es_log_context(int32_t h, int32_t level, double now, uint32_t message_len, uint32_t traceparent_len);

int32_t es_set_resource(int32_t h); /* consumes the stage as resource attributes */

/* The redaction policy (wasm/include/edgescope/redaction.hpp). flags: bit 0 default deny keys,
 * 1 keys in text, 2 Bearer/Basic credentials, 3 JWTs, 4 card numbers (all on by default). Three
 * '\n'-separated lists back to back in scratch: extra deny keys [0, keys_len), value prefixes
 * [keys_len, +prefixes_len), literal values [.., +literals_len). ES_ERR_ARGUMENT names a bad entry;
 * the previous policy then stays. */
int32_t es_set_redaction(int32_t h, int32_t flags, uint32_t keys_len, uint32_t prefixes_len, uint32_t literals_len);

int32_t es_pending(int32_t h); /* finished records not yet drained */
/* Releases the previous batch, moves finished records into the drained batch and returns how many;
 * then evicts the names and series idle during the window that ends here. `now` starts the next
 * window (the start time of its delta metric points). */
int32_t es_drain(int32_t h, double now);
/* The ids the last es_drain evicted, kind 0: names, 1: series. Writes them to the output buffer as
 * little-endian int32 and returns how many. A host caching ids drops these. */
int32_t es_evicted(int32_t h, int32_t kind);
int32_t es_encode(int32_t h, int32_t format); /* 0 native JSON, 1 OTLP JSON; returns payload count */
const uint8_t* es_payload_ptr(int32_t h, int32_t index);
uint32_t es_payload_len(int32_t h, int32_t index);
int32_t es_payload_signal(int32_t h, int32_t index); /* 0 mixed, 1 traces, 2 metrics, 3 logs */
int32_t es_payload_records(int32_t h, int32_t index);
/* The payload's batch id (made at encode time, unique per payload): writes 32 lowercase hex digits
 * to the output buffer and returns 32. Native JSON bodies carry it as "batchId". */
int32_t es_payload_batch_id(int32_t h, int32_t index);
int32_t es_release(int32_t h); /* frees the drained batch and its payloads */
double es_stat(int32_t h, int32_t stat_id); /* StatId order (limits.hpp); -1 past the last */
/* Adds n to a counter for a refusal the host made itself: only ValuesUnconvertible and
 * MetricTypeConflicts (limits.hpp is_host_stat); ES_ERR_ARGUMENT for any other. */
int32_t es_count(int32_t h, int32_t stat_id, uint32_t n);
double es_limit(int32_t h, int32_t limit_id); /* LimitId order (limits.hpp); -1 past the last */

/* The offline buffer's policy (wasm/include/edgescope/buffer_policy.hpp). Stateless: no handle,
 * nothing kept between calls. Entry metadata goes in through the scratch buffer as packed
 * little-endian f64 triples (created ms, bytes, attempts), 24 bytes per entry, oldest first; the
 * answer is one action byte per entry in the output buffer. Counts, sizes and limits must be
 * integers in [0, 2^53), times finite; ES_ERR_ARGUMENT names the first that is not.
 * Store: existing triples, then incoming ones (attempts 0). Output: per existing entry 0 keep,
 * 1 evict; then per incoming entry 0 store, 2 refuse. Returns existing + incoming. */
int32_t es_buffer_plan_store(uint32_t existing, uint32_t incoming, double max_entries, double max_bytes);
/* Replay: output per entry 0 wait, 1 replay, 2 expired, 3 exhausted. Returns count. */
int32_t es_buffer_plan_replay(uint32_t count, double now, double max_age_ms, double max_attempts,
                              double replay_max_entries);
/* After one delivery attempt of one entry (no scratch): returns 0 delete (delivered), 1 keep (store
 * attempts + 1), 2 drop (exhausted), 3 drop (expired). */
int32_t es_buffer_after_attempt(double created, double bytes, double attempts, int32_t delivered, double now,
                                double max_age_ms, double max_attempts);

/* Offline buffer entry headers (wasm/include/edgescope/buffer_entry.hpp, stateless). Only the
 * header crosses; the body stays with the host, which checks its length against the header.
 * Encode: batch id text in scratch[0, batch_id_len) ("<32 hex>" then "-0"/"-1" per split),
 * exporter id in scratch[batch_id_len, +exporter_len); format as es_encode, signal as
 * es_payload_signal; records 1..2^32-1, body_bytes 0..2^32-1. Writes the header to the output
 * buffer and returns its length; ES_ERR_ARGUMENT names a field out of range. */
int32_t es_entry_encode(double created, int32_t format, int32_t signal, double records, double body_bytes,
                        uint32_t batch_id_len, uint32_t exporter_len);
/* Decode: the entry's first min(size, 301) bytes in scratch[0, len) (301: the longest header).
 * Returns the header's length (where the body starts) and writes its fields to the output buffer:
 * created (f64 LE) @0, records (u32 LE) @8, body bytes (u32 LE) @12, format @16, signal @17, batch id
 * text length @18, exporter id length (u16 LE) @19, then the batch id text and the exporter id.
 * ES_ERR_ARGUMENT says what is wrong (bad magic, unknown version, truncated, a field out of range). */
int32_t es_entry_decode(uint32_t len);

/* Resilience (wasm/include/edgescope/resilience/): circuit breakers, exhaustion registries and
 * credit ledgers, each by a handle r > 0 of its own numbering (not a core handle). Pure state: the
 * host passes `now` (wall-clock ms) and, for graduated breakers, a uniform draw u in [0, 1).
 * JSON (configs, snapshots, ledger entries) goes in through the scratch buffer; JSON answers come
 * out in the output buffer (the return value is their length). ES_ERR_ARGUMENT messages name the
 * field ("breaker.window[3].at: expected a non-negative integer"); a refused deserialize or merge
 * leaves the object as it was. js/core/resilience-core.js is the one caller.
 * These calls are exported by their own module, dist/edgescope-resilience.wasm
 * (bindings/resilience-exports.txt), with the shared buffers (es_scratch, es_io, es_error_*,
 * es_output_*: bindings/abi_state.cpp), not by dist/edgescope.wasm.
 * The out area (es_res_out, 100 f64) carries the hot calls' numbers: [0] retryAfterMs, [1] primary
 * share (decide), [2] transition count n, then n x (from state, to state, at ms, step) from [3].
 * States: 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 DEGRADED, 4 RECOVERING. Transitions that only time
 * caused (OPEN -> HALF_OPEN, graduated decay) are reported by the next call that returns them. */
double* es_res_out(void);
/* kind 0 breaker, 1 registry, 2 ledger; config JSON in scratch[0, len) (len 0: defaults). */
int32_t es_res_create(int32_t kind, uint32_t config_len);
int32_t es_res_destroy(int32_t r);
/* >= 0: bit 0 admit, bit 1 probe, bits 2..4 state; out [0], [1], transitions. */
int32_t es_res_decide(int32_t r, double now, double u);
/* ok, probe: 0 or 1; returns the transition count (out area). */
int32_t es_res_record(int32_t r, double now, int32_t ok, double duration_ms, int32_t probe);
int32_t es_res_force_open(int32_t r, double now); /* transition count; out[0] retryAfterMs */
int32_t es_res_reset(int32_t r, double now);      /* transition count */
/* {"state","retryAfterMs","consecutiveFailures","calls","failures","step","since","openings",
 * "probesInFlight","primaryShare"}; its time-driven transitions go with the next decide/record. */
int32_t es_res_state(int32_t r, double now);
/* Registry: provider name in scratch[0, len); duration_ms -1: the registry's default. */
int32_t es_res_mark(int32_t r, double now, uint32_t provider_len, double duration_ms);
double es_res_exhausted(int32_t r, double now, uint32_t provider_len); /* until ms, 0: not; < 0 error */
int32_t es_res_list(int32_t r, double now); /* [{"provider","untilMs"}] */
/* Ledger: entry JSON {provider, model?, spendMicros?, inputTokens?, outputTokens?, requests?}; answers
 * the alerts it fired: [{"kind":"budget"|"depletion","provider","tier","spendMicros","budgetMicros",
 * "last24hMicros","daysLeft"?}] (provider "*": a budget over every provider). */
int32_t es_res_ledger_record(int32_t r, double now, uint32_t len);
/* {provider, model?, requests?, tokens?} -> {"allowed","reason","provider","retryAfterMs"} */
int32_t es_res_ledger_check(int32_t r, double now, uint32_t len);
int32_t es_res_ledger_status(int32_t r, double now);
/* Snapshots (versioned JSON) of any kind: serialize writes the output buffer; deserialize replaces
 * the state, merge folds another isolate's snapshot in (commutative, idempotent); both all or nothing. */
int32_t es_res_serialize(int32_t r, double now);
int32_t es_res_deserialize(int32_t r, double now, uint32_t len);
int32_t es_res_merge(int32_t r, double now, uint32_t len);
/* ---- The hot path: fewer crossings per record (issue "The hot path") ----
 *
 * The io block: small results a call leaves at a fixed address, so the host reads them from memory
 * instead of making another call. es_io() returns its address (8-byte aligned, ES_IO_BYTES long;
 * it never moves, but a host view of it must be re-made after memory grows). Byte offsets:
 *   ES_IO_RECORDING  int32  1 if the span es_span_start / es_span_start_remote just returned
 *                           records (sampled and open), else 0.
 *   ES_IO_REJECTED   int32  es_span_start_remote: 1 if its traceparent was malformed.
 *   ES_IO_CONTEXT    uint32 x 8: the span es_span_end just ended (all 0 when it was not open):
 *                    trace id as 4 words, most significant first (each word is 8 of the 32 hex
 *                    digits of traceparent), span id as 2 words, flags, and the length of its
 *                    tracestate, whose bytes es_span_end then leaves in the output buffer.
 *   ES_IO_PAYLOAD    uint32 x 8 (es_payload_info): body pointer, body length, signal (as
 *                    es_payload_signal), records, batch id as 4 words most significant first.
 *   ES_IO_EVICTED    uint32 x 2 (es_drain): how many names and series the drain evicted, so a
 *                    host asks es_evicted only when there are some.
 *   ES_IO_SCRATCH    uint32 x 2: the scratch buffer's address and size, as of the last es_scratch
 *                    call (0 before the first): a host may write there without asking again.
 *   ES_IO_STATS      float64 x ES_IO_MAX_STATS (es_stats): every counter in StatId order. */
#define ES_IO_BYTES 512
#define ES_IO_RECORDING 0
#define ES_IO_REJECTED 4
#define ES_IO_CONTEXT 8
#define ES_IO_PAYLOAD 40
#define ES_IO_EVICTED 72
#define ES_IO_SCRATCH 120
#define ES_IO_STATS 128
#define ES_IO_MAX_STATS 48
uint8_t* es_io(void);
/* Interns the name in scratch[offset, offset + len), like es_intern: lets the host intern a key
 * while an attribute batch is being written in front of it. */
int32_t es_intern_at(int32_t h, uint32_t offset, uint32_t len);
/* Stages `count` attributes packed in scratch[0, len), in order (the stage's rules apply to each
 * as to es_stage_*). Each: int32 LE key id, one type byte, then the value:
 *   0 string  uint32 LE byte length, then the UTF-8 bytes (repaired and redacted as
 *             es_stage_string's: the core never trusts host bytes to be valid UTF-8)
 *   1 int     float64 LE, an integer within +/-2^53 (else refused and counted, as es_stage_int)
 *   2 double  float64 LE
 *   3 bool    one byte, 0 false
 * ES_ERR_ARGUMENT and nothing staged when the layout is malformed (the message says where);
 * an unknown key id stages a refused attribute (counted), stages the rest, and returns
 * ES_ERR_ARGUMENT naming it. */
int32_t es_stage_batch(int32_t h, uint32_t count, uint32_t len);
/* es_stage_batch(h, count, len) then es_span_attributes(h, span): one crossing per setAttribute. */
int32_t es_span_set(int32_t h, int32_t span, uint32_t count, uint32_t len);
/* One number or boolean attribute onto a span, without the scratch buffer: type 1 int (a safe
 * integer, else refused and counted), 2 double, 3 bool (value 0 false, anything else true).
 * ES_ERR_ARGUMENT for another type or an unknown key id (the attribute is then refused, counted). */
int32_t es_span_set_number(int32_t h, int32_t span, int32_t key_id, int32_t type, double value);
/* es_log with its attributes: `count` attributes packed as es_stage_batch's in scratch[0,
 * attrs_len), the message in scratch[attrs_len, +message_len). Consumes the stage. */
int32_t es_log_batch(int32_t h, int32_t level, int32_t span, double now, uint32_t count, uint32_t attrs_len,
                     uint32_t message_len);
/* Every counter (es_stat) at once into the io block (ES_IO_STATS); returns how many (kStatCount). */
int32_t es_stats(int32_t h);
/* Pointer, length, signal, records and batch id of payload `index` into the io block
 * (ES_IO_PAYLOAD); ES_ERR_ARGUMENT when there is no such payload. */
int32_t es_payload_info(int32_t h, int32_t index);

/* Keep rules and slow-work thresholds (wasm/include/edgescope/sampling.hpp, telemetry.hpp
 * SlowThresholds). flags: bit 0 keep errors. status_at_least 0: off; slower_than_ms, request_ms,
 * fetch_ms, query_ms < 0: off. Two '\n'-separated pattern lists (exact, or `prefix*`) back to back
 * in scratch: routes [0, routes_len), span names [routes_len, +names_len). ES_ERR_ARGUMENT names
 * the bad field; the previous settings then stay. Call before the first span. */
int32_t es_set_sampling(int32_t h, int32_t flags, int32_t status_at_least, double slower_than_ms, double request_ms,
                        double fetch_ms, double query_ms, uint32_t routes_len, uint32_t names_len);

/* Error classification (wasm/include/edgescope/monitoring/): an ordered rule list, first match
 * wins, and a fingerprint per error. Classifier handles c > 0 are their own numbering (at most 64
 * live). js/core/monitoring-core.js is the one caller.
 * Create: a JSON array of rules in scratch[0, len) (len 0: none; syntax in error_rules.hpp);
 * defaults 1 appends the built-in rules after them. ES_ERR_ARGUMENT names the first problem
 * ("rules[2].status: ...") and creates nothing. */
int32_t es_cls_create(uint32_t rules_len, int32_t defaults);
int32_t es_cls_destroy(int32_t c);
/* Seven strings back to back in scratch: type, message, stack, route, binding type, span name,
 * log severity name (each may be empty: unknown); status 0: not an HTTP response. Returns
 * severity (0 INFO, 1 WARNING, 2 CRITICAL) | repeated severity << 2, and writes
 * "<16 hex fingerprint>\n<repeated count, 0: none>\n<repeated window ms>\n<category>\n<normalized message>"
 * to the output buffer (a category holds no control characters). */
int32_t es_cls_classify(int32_t c, int32_t status, uint32_t type_len, uint32_t message_len, uint32_t stack_len,
                        uint32_t route_len, uint32_t binding_len, uint32_t span_len, uint32_t log_len);
/* The bucket bound of exponential histograms created from now on (metrics.hpp
 * MetricRegistry::set_max_buckets): 4..4096, default 160; ES_ERR_ARGUMENT otherwise. */
int32_t es_set_max_buckets(int32_t h, int32_t max_buckets);
/* Cache-tier attribution (wasm/include/edgescope/tiers/tier_attribution.hpp). Rule handles r > 0
 * are their own numbering (at most 16 live); js/tiers/tier-core.js is the one caller.
 * es_tier_rules: '\n'-separated patterns in scratch[0, len) (exact, or a prefix `x:*`; 1..32 of at
 * most 128 bytes, no control characters, '*' only at the end). ES_ERR_ARGUMENT names the pattern
 * and creates nothing; ES_ERR_REJECTED when 16 are live.
 * es_tier_decide: packed entries in scratch[0, len), each
 * "<start order>\t<source>\t<name length in bytes>\t<name>\n" (at most 1024). Returns the index + 1
 * of the deciding entry (the first by start order whose name matches and whose source is not
 * "miss"), 0 when none decides, ES_ERR_ARGUMENT naming the entry and field when malformed. */
int32_t es_tier_rules(uint32_t len);
int32_t es_tier_rules_destroy(int32_t r);
int32_t es_tier_decide(int32_t r, uint32_t len);
#ifdef __cplusplus
}
#endif
#endif
