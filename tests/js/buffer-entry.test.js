// Offline buffer entries as the stores write and read them: the envelope round-trips every field
// and the body bytes exactly, and each way stored bytes can be wrong is refused with a
// BufferEntryError naming it.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferEntryError, decodeEntry, encodeEntry } from '../../js/core/buffer-core.js';
import { CoreTelemetry } from '../../js/core/core-telemetry.js';

const BATCH = '0123456789abcdeffedcba9876543210';
const entry = (fields = {}) => ({
  created: 1_700_000_000_123,
  format: 'otlp-json',
  signal: 'traces',
  records: 12,
  batchId: BATCH,
  exporter: 'otlp https://collector.example/v1',
  body: new TextEncoder().encode('{"resourceSpans":[]}'),
  ...fields,
});

const refuses = (fn, message) => assert.throws(fn, (error) => error instanceof BufferEntryError && message.test(error.message));

test('an entry decodes to exactly what was encoded, body bytes included', () => {
  const original = entry();
  const bytes = encodeEntry(original);
  assert.deepEqual(decodeEntry(bytes), original);
  assert.equal(bytes.length, 45 + original.exporter.length + original.body.length);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x45, 0x53, 0x42, 1]); // "ESB", version 1
  // ArrayBuffer (what KV's get(key, 'arrayBuffer') returns) decodes the same.
  assert.deepEqual(decodeEntry(bytes.slice().buffer), original);
});

test('every format, signal, split batch id, exporter and body size round-trips', () => {
  const cases = [
    { format: 'native', signal: 'mixed', body: new Uint8Array(0) },
    { format: 'otlp-json', signal: 'metrics', batchId: `${BATCH}-0-1-1`, exporter: '' },
    { format: 'otlp-json', signal: 'logs', exporter: 'é'.repeat(128), created: 0.5, records: 2 ** 32 - 1 },
    { format: 'native', signal: 'mixed', body: new Uint8Array(3 << 20).fill(7) }, // larger than the 1 MiB scratch
  ];
  for (const fields of cases) {
    const original = entry(fields);
    assert.deepEqual(decodeEntry(encodeEntry(original)), original);
  }
});

test('a payload from the core is stored and read back with its batch id', () => {
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  core.log(9, 'hello', 0, 1000);
  core.drain(1001);
  const [payload] = core.encode('native');
  const stored = decodeEntry(encodeEntry({ ...payload, created: 1002, format: 'native', exporter: 'http' }));
  assert.equal(stored.batchId, payload.batchId);
  assert.deepEqual(stored.body, payload.body);
  assert.equal(JSON.parse(new TextDecoder().decode(stored.body)).batchId, payload.batchId);
  core.dispose();
});

test('bad magic, unknown versions and truncation are refused with what is wrong', () => {
  const bytes = encodeEntry(entry({ body: new Uint8Array(1000) }));
  refuses(() => decodeEntry(new TextEncoder().encode('{"service":"x"}')), /^not an edgescope buffer entry \(bad magic\)$/);
  const v7 = bytes.slice();
  v7[3] = 7;
  refuses(() => decodeEntry(v7), /^buffer entry version 7 is not supported \(this build reads 1\)$/);
  const headerLen = bytes.length - 1000;
  refuses(() => decodeEntry(bytes.subarray(0, headerLen + 12)), /^buffer entry truncated: header says 1000 body bytes, 12 present$/);
  refuses(() => decodeEntry(bytes.subarray(0, 20)), /^buffer entry truncated: header needs 45 bytes, 20 present$/);
  refuses(() => decodeEntry(new Uint8Array(0)), /^buffer entry truncated: header needs 45 bytes, 0 present$/);
  const longer = new Uint8Array(bytes.length + 5);
  longer.set(bytes);
  refuses(() => decodeEntry(longer), /^buffer entry has 5 bytes past its 1000-byte body$/);
  refuses(() => decodeEntry('ESB'), /must be a Uint8Array/);
});

test('stored fields out of range are refused, naming the field', () => {
  const bytes = encodeEntry(entry());
  const corrupt = (at, value) => {
    const copy = bytes.slice();
    copy[at] = value;
    return copy;
  };
  refuses(() => decodeEntry(corrupt(12, 9)), /'format' out of range: 9/);
  refuses(() => decodeEntry(corrupt(13, 8)), /'signal' out of range: 8/);
  refuses(() => decodeEntry(corrupt(13, 0)), /'signal' must be traces, metrics or logs for an OTLP payload/);
  refuses(() => decodeEntry(corrupt(34, 200)), /'splits' out of range: 200/);
  refuses(() => decodeEntry(corrupt(11, 0xff)), /'created' out of range/); // the f64's sign and exponent: NaN
  refuses(() => decodeEntry(corrupt(41, 0xc3)), /'exporter' is not valid UTF-8/);
});

test('encodeEntry refuses each bad field with its name, and writes nothing', () => {
  refuses(() => encodeEntry(entry({ format: 'protobuf' })), /'format' must be one of native, otlp-json, otlp-proto/);
  refuses(() => encodeEntry(entry({ signal: 'events' })), /'signal' must be one of mixed, traces, metrics, logs/);
  refuses(() => encodeEntry(entry({ format: 'native' })), /'signal' must be mixed for a native payload/);
  refuses(() => encodeEntry(entry({ batchId: BATCH.toUpperCase() })), /'batchId' must be 32 lowercase hex digits/);
  refuses(() => encodeEntry(entry({ batchId: `${BATCH}-2` })), /'batchId' must be 32 lowercase hex digits/);
  refuses(() => encodeEntry(entry({ batchId: 42 })), /'batchId' must be/);
  refuses(() => encodeEntry(entry({ batchId: '0'.repeat(32) })), /'batchId' is all zeros/);
  refuses(() => encodeEntry(entry({ exporter: 'x'.repeat(257) })), /'exporter' out of range: 257 bytes \(at most 256\)/);
  refuses(() => encodeEntry(entry({ exporter: 'é'.repeat(129) })), /'exporter' out of range: 258 bytes/);
  refuses(() => encodeEntry(entry({ exporter: '\ud800' })), /'exporter' must be a well-formed string/);
  refuses(() => encodeEntry(entry({ records: 0 })), /'records' out of range: 0 \(at least 1\)/);
  refuses(() => encodeEntry(entry({ records: 1.5 })), /'records' out of range/);
  refuses(() => encodeEntry(entry({ created: -1 })), /'created' out of range/);
  refuses(() => encodeEntry(entry({ created: '2024' })), /'created' out of range/);
  refuses(() => encodeEntry(entry({ body: 'text' })), /'body' must be a Uint8Array/);
  refuses(() => encodeEntry(null), /must be an object/);
});
