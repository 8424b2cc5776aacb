// The core's memory stays under its documented ceiling (wasm/include/edgescope/limits.hpp,
// kMemoryCeilingBytes, read here through es_limit) whatever the input: this feeds the worst cases
// the bounds allow through the real wasm module, window after window, and reads the size of its
// linear memory, which never shrinks.
//
// Plain text is the worst input for memory: budgets count a string as its JSON-escaped length, so
// text that needs no escaping costs the core as many bytes as are accounted. Two shapes alternate:
// records as large as a record may be, and as many small records as the counts allow (the
// per-element overheads, and a heap reused for differently sized blocks).
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreTelemetry, LogLevel, MetricType, SpanKind } from '../../js/core/core-telemetry.js';

const text = (n, seed = '') => seed + 'x'.repeat(Math.max(0, n - seed.length));

function attributes(count, chars, prefix) {
  const out = {};
  for (let i = 0; i < count; i++) out[`${prefix}.${i}`] = text(chars, String(i));
  return out;
}

// Records as large as the bounds allow: every attribute at the longest value, every event, the
// longest names and messages.
function feedLarge(core, window) {
  const { limits } = core;
  const full = attributes(limits.maxAttributes, limits.maxAttributeValueBytes + 1, `w${window}`);
  const name = (i) => text(limits.maxNameBytes + 1, `${window}.${i % 8}.`); // long but few: a refused name refuses the record
  const spans = [];
  for (let i = 0; i < limits.maxOpenSpans; i++) {
    const span = core.startSpan(0, name(i), SpanKind.server, i, full);
    if (i < 4) for (let e = 0; e < limits.maxEventsPerSpan; e++) core.addEvent(span, `event${e}`, i, full);
    core.setStatus(span, 2, text(limits.maxMessageBytes + 1));
    spans.push(span);
  }
  for (let i = 0; i < limits.maxLogs; i++) {
    core.log(LogLevel.fatal, text(limits.maxMessageBytes + 1), spans[i], i, i < 64 ? full : undefined);
  }
  for (let i = 0; i < 200; i++) {
    const id = core.seriesId(MetricType.histogram, name(i), 'ms', attributes(4, limits.maxAttributeValueBytes + 1, `t${i}`));
    if (id > 0) core.record(id, i, i);
  }
  return spans;
}

// As many records as the counts allow, each small.
function feedMany(core, window) {
  const { limits } = core;
  const small = { 'http.route': text(200), 'http.method': 'GET', status: 200 };
  const spans = [];
  for (let i = 0; i < limits.maxOpenSpans; i++) {
    const span = core.startSpan(0, `op${i % 16}`, SpanKind.internal, i, small);
    core.addEvent(span, 'retry', i, { attempt: i });
    spans.push(span);
  }
  for (let i = 0; i < limits.maxLogs; i++) core.log(LogLevel.info, text(300, String(i)), spans[i], i, small);
  for (let i = 0; i < limits.maxSeries + 100; i++) {
    const id = core.seriesId(MetricType.counter, `c${window}.${i}`, '', { route: text(64, String(i)) });
    if (id > 0) core.record(id, 1, i);
  }
  return spans;
}

function feedNames(core, window) {
  const { limits } = core;
  for (let i = 0; i < limits.maxInterned + 100; i++) core.id(`${window}.${i}.`.padEnd(limits.maxNameBytes + 1, 'n'));
}

test('the worst cases the bounds allow keep wasm memory under the documented ceiling', () => {
  const core = new CoreTelemetry({
    service: text(256),
    sampleRate: 1,
    maxPayloadBytes: 64 * 1024,
    maxBatchSize: 1, // one record per payload: every payload repeats the envelope
    resource: attributes(64, 4097, 'resource'),
  });
  const ceiling = core.limits.memoryCeilingBytes;
  const memory = core.x.memory;
  const check = (where) => assert.ok(memory.buffer.byteLength <= ceiling, `${where}: ${memory.buffer.byteLength} bytes`);
  for (let window = 0; window < 4; window++) {
    const spans = window % 2 === 0 ? feedLarge(core, window) : feedMany(core, window);
    feedNames(core, window);
    check(`window ${window} fed`);
    // One span stays open across the drain; the rest are in the drained batch.
    for (const span of spans.slice(1)) core.endSpan(span, 10_000);
    assert.ok(core.drain(20_000 + window) > 0);
    for (const format of ['native', 'otlp-json']) {
      assert.ok(core.encode(format).length > 0);
      check(`window ${window}, ${format} payloads`);
    }
    core.release();
    core.endSpan(spans[0], 30_000);
  }
  assert.equal(core.dead, false, 'the core never trapped');
  const stats = core.stats();
  // The budgets, not luck, kept it down: each of them refused something.
  for (const cause of [
    'spansDroppedByteBudget',
    'logsDroppedByteBudget',
    'seriesDroppedByteBudget',
    'namesDroppedByteBudget',
    'attributesDroppedByteBudget',
  ]) {
    assert.ok(stats[cause] > 0, cause);
  }
  assert.ok(memory.buffer.byteLength > ceiling / 4, `the feed reached the budgets (${memory.buffer.byteLength} bytes)`);
  console.log(`wasm memory after the worst cases: ${(memory.buffer.byteLength / 2 ** 20).toFixed(1)} MiB (ceiling ${ceiling / 2 ** 20} MiB)`);
});
