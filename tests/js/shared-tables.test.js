// The tables the shim shares with the core (js/core/tables.js) are checked against the headers
// that define them, and against the built module through the ABI, so neither side can change one
// alone.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CoreTelemetry } from '../../js/core/core-telemetry.js';
import { IO } from '../../js/core/core-memory.js';
import {
  AttemptOutcome,
  DROP_STATS,
  LIMIT_NAMES,
  LogLevel,
  MetricType,
  SIGNALS,
  STAT_NAMES,
  SpanKind,
  ReplayAction,
  Status,
  StatusCode,
  StoreAction,
  WireFormat,
} from '../../js/core/tables.js';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const camel = (pascal) => pascal[0].toLowerCase() + pascal.slice(1);
const snakeToCamel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

// `enum class Name : type { A = 1, B = 2 }` from a header, as [[A, 1], [B, 2]].
function cppEnum(path, name) {
  const match = read(path).match(new RegExp(`enum class ${name}\\s*:[^{]*\\{([^}]*)\\}`));
  assert.ok(match, `enum ${name} in ${path}`);
  return [...match[1].matchAll(/(\w+)\s*=\s*(-?\d+)/g)].map((m) => [m[1], Number(m[2])]);
}

// A header constant such as `4096`, `128u << 10` or `32u << 20`.
function cppNumber(expression) {
  const m = expression.trim().match(/^(\d+)u?(?:\s*<<\s*(\d+))?$/);
  assert.ok(m, `a plain constant: ${expression}`);
  return Number(m[1]) * 2 ** Number(m[2] ?? 0);
}

function sameEntries(cpp, js, rename = {}) {
  const fromHeader = Object.fromEntries(cpp.map(([name, value]) => [rename[name] ?? name.toLowerCase(), value]));
  assert.deepEqual(fromHeader, { ...js });
}

test('span kinds, status codes, metric types, log levels and wire formats match the headers', () => {
  sameEntries(cppEnum('wasm/include/edgescope/span.hpp', 'SpanKind'), SpanKind);
  sameEntries(cppEnum('wasm/include/edgescope/span.hpp', 'StatusCode'), StatusCode);
  sameEntries(cppEnum('wasm/include/edgescope/metrics.hpp', 'MetricType'), MetricType, { UpDownCounter: 'updown' });
  sameEntries(cppEnum('wasm/include/edgescope/logs.hpp', 'LogLevel'), LogLevel);
  sameEntries(cppEnum('wasm/include/edgescope/wire.hpp', 'WireFormat'), WireFormat, {
    NativeJson: 'native',
    OtlpJson: 'otlp-json',
    OtlpProto: 'otlp-proto',
  });
  const signals = cppEnum('wasm/include/edgescope/wire.hpp', 'Signal');
  assert.deepEqual(signals.map(([name, value]) => [name.toLowerCase(), value]), SIGNALS.map((s, i) => [s, i]));
});

test('the buffer policy actions match buffer_policy.hpp', () => {
  const header = 'wasm/include/edgescope/buffer_policy.hpp';
  sameEntries(cppEnum(header, 'StoreAction'), StoreAction);
  sameEntries(cppEnum(header, 'ReplayAction'), ReplayAction);
  sameEntries(cppEnum(header, 'AttemptOutcome'), AttemptOutcome, {
    DropExhausted: 'drop-exhausted',
    DropExpired: 'drop-expired',
  });
});

test('status codes match bindings/edgescope.h', () => {
  const header = read('bindings/edgescope.h');
  const defined = Object.fromEntries(
    [...header.matchAll(/#define ES_(?!IO_)(?:ERR_)?(\w+)\s+\(?(-?\d+)\)?/g)].map((m) => [snakeToCamel(m[1].toLowerCase()), Number(m[2])]),
  );
  assert.deepEqual(defined, { ...Status });
});

test('the io block offsets match bindings/edgescope.h, and every counter fits it', () => {
  const header = read('bindings/edgescope.h');
  const defined = Object.fromEntries([...header.matchAll(/#define ES_IO_(\w+)\s+(\d+)/g)].map((m) => [snakeToCamel(m[1].toLowerCase()), Number(m[2])]));
  const { maxStats, ...offsets } = defined;
  assert.deepEqual(offsets, { ...IO });
  assert.ok(STAT_NAMES.length <= maxStats, `${STAT_NAMES.length} counters, room for ${maxStats}`);
  assert.ok(IO.stats + maxStats * 8 <= IO.bytes);
});

test('STAT_NAMES is StatId in order, and the module counts exactly that many', () => {
  const ids = cppEnum('wasm/include/edgescope/limits.hpp', 'StatId');
  assert.deepEqual(ids.map(([, value]) => value), ids.map((_, i) => i), 'StatId is dense from 0');
  assert.deepEqual(ids.map(([name]) => camel(name)), STAT_NAMES);
  const count = Number(read('wasm/include/edgescope/limits.hpp').match(/kStatCount = (\d+);/)[1]);
  assert.equal(count, STAT_NAMES.length);
  for (const name of DROP_STATS) assert.ok(STAT_NAMES.includes(name), name);
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  assert.equal(core.x.es_stat(core.h, STAT_NAMES.length - 1), 0);
  assert.equal(core.x.es_stat(core.h, STAT_NAMES.length), -1);
});

test('LIMIT_NAMES is LimitId in order, and the module reports the defaults in limits.hpp', () => {
  const header = read('wasm/include/edgescope/limits.hpp');
  const ids = cppEnum('wasm/include/edgescope/limits.hpp', 'LimitId');
  assert.deepEqual(ids.map(([, value]) => value), ids.map((_, i) => i), 'LimitId is dense from 0');
  assert.deepEqual(ids.map(([name]) => camel(name)), LIMIT_NAMES);
  const struct = header.match(/struct Limits \{([^}]*)\}/)[1];
  const defaults = Object.fromEntries(
    [...struct.matchAll(/std::size_t (\w+) = ([^;]+);/g)].map((m) => [snakeToCamel(m[1]), cppNumber(m[2])]),
  );
  defaults.memoryCeilingBytes = cppNumber(header.match(/kMemoryCeilingBytes = ([^;]+);/)[1]);
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  assert.deepEqual({ ...core.limits }, defaults);
  assert.equal(core.x.es_limit(core.h, LIMIT_NAMES.length), -1);
});
