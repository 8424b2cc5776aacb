// Property test of the collector's Worker-side OTLP protobuf decoder: random bytes, and real
// payloads from the core with bytes flipped, inserted, deleted and cut, must only ever give
// records or throw a DecodeError, never another exception and never hang (every case is timed by
// its count: each decode is one synchronous call). The JSON decoder gets mutated documents.
// Deterministic (a seeded generator), so a failure names a case that can be replayed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { DecodeError } from '../../js/wire/index.js';
import { decodeOtlpJson, decodeOtlpProto } from '../../js/wire/otlp-decode/index.js';
import { quietConsoleExporter } from './helpers.js';

// xorshift32: small, seeded, reproducible.
function generator(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return { next, below: (n) => next() % n };
}

function payloads() {
  const t = createTelemetry({ service: 'fuzz', resource: { zone: 'a' }, requestMetrics: false, exporter: quietConsoleExporter() });
  t.trace('root', (root) => {
    root.setAttributes({ a: 1, b: 'two', c: [1, 2], d: 0.5, e: true });
    root.addEvent('ev', { k: 'v' });
    root.trace('child', (c) => c.recordException(new Error('boom')), { kind: 'client' });
    root.logger.warn('careful', { n: 2 });
  });
  t.metrics.increment('n', 3, { r: 'x' });
  t.metrics.gauge('g', 1.5);
  for (const v of [1, 5, 50]) t.metrics.histogram('h', v, {}, { unit: 'By' });
  for (const v of [0.001, 0.2, 3]) t.metrics.histogram('d', v, {}, { unit: 's' });
  t.core.drain(Date.now());
  try {
    return { proto: t.core.encode('otlp-proto'), json: t.core.encode('otlp-json') };
  } finally {
    t.core.release();
  }
}

const SIGNALS = ['traces', 'metrics', 'logs'];

function outcome(fn, label) {
  try {
    const r = fn();
    assert.ok(Array.isArray(r.spans) && Array.isArray(r.metrics) && Array.isArray(r.logs), `${label}: records`);
    return 'records';
  } catch (e) {
    if (e instanceof DecodeError) {
      assert.equal(typeof e.path, 'string', `${label}: the DecodeError names a path`);
      return 'refused';
    }
    throw new Error(`${label}: threw ${e?.name}: ${e?.message}`, { cause: e });
  }
}

function mutate(bytes, rng) {
  const out = Array.from(bytes);
  const edits = 1 + rng.below(4);
  for (let i = 0; i < edits; i++) {
    const at = rng.below(out.length + 1);
    switch (rng.below(5)) {
      case 0: out[at % out.length] ^= 1 << rng.below(8); break;
      case 1: out.splice(at, 0, rng.below(256)); break;
      case 2: out.splice(at, 1 + rng.below(3)); break;
      case 3: out.length = at; break;
      default: out[at % out.length] = [0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12][rng.below(6)];
    }
  }
  return new Uint8Array(out);
}

test('random bytes give records or a DecodeError, for every signal', () => {
  const rng = generator(0xC0FFEE);
  const seen = { records: 0, refused: 0 };
  for (let i = 0; i < 6000; i++) {
    const bytes = new Uint8Array(rng.below(96));
    for (let j = 0; j < bytes.length; j++) bytes[j] = rng.below(256);
    const signal = SIGNALS[i % 3];
    seen[outcome(() => decodeOtlpProto(signal, bytes), `random case ${i} (${signal})`)]++;
  }
  assert.ok(seen.records > 0 && seen.refused > 0, JSON.stringify(seen));
});

test('mutated core payloads give records or a DecodeError', () => {
  const { proto } = payloads();
  assert.equal(proto.length, 3);
  const rng = generator(0xBADC0DE);
  const seen = { records: 0, refused: 0 };
  for (let i = 0; i < 12000; i++) {
    const payload = proto[i % proto.length];
    const bytes = mutate(payload.body, rng);
    // Decoded as its own signal, and as another (a log payload sent to /v1/traces).
    seen[outcome(() => decodeOtlpProto(payload.signal, bytes), `mutation ${i} (${payload.signal})`)]++;
    seen[outcome(() => decodeOtlpProto(SIGNALS[i % 3], bytes), `mutation ${i} as ${SIGNALS[i % 3]}`)]++;
  }
  assert.ok(seen.records > 100 && seen.refused > 100, JSON.stringify(seen));
});

test('huge declared lengths and deep nesting are refused at once', () => {
  // resourceSpans (field 1, LEN) claiming 2^35 bytes.
  const huge = new Uint8Array([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  assert.throws(() => decodeOtlpProto('traces', huge), DecodeError);
  // AnyValue.arrayValue -> ArrayValue.values -> AnyValue ... 2000 levels deep inside a span attribute.
  let inner = new Uint8Array([0x0a, 0x01, 0x78]); // AnyValue { stringValue: 'x' }
  const wrap = (field, body) => {
    const len = [];
    let n = body.length;
    while (n >= 0x80) {
      len.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    len.push(n);
    return new Uint8Array([(field << 3) | 2, ...len, ...body]);
  };
  for (let i = 0; i < 2000; i++) inner = wrap(5, wrap(1, inner));
  const kv = wrap(2, inner);
  const span = new Uint8Array([...wrap(1, new Uint8Array(16).fill(1)), ...wrap(2, new Uint8Array(8).fill(2)), ...wrap(9, new Uint8Array([...wrap(1, new TextEncoder().encode('k')), ...kv]))]);
  const body = wrap(1, wrap(2, wrap(2, span)));
  assert.throws(() => decodeOtlpProto('traces', body), (e) => e instanceof DecodeError && /nested more than/.test(e.message));
});

test('mutated OTLP JSON documents give records or a DecodeError', () => {
  const { json } = payloads();
  const rng = generator(0x5EED);
  const replacements = [null, 0, -1, 1.5, '', 'x', 'NaN', '18446744073709551616', [], {}, true, '0'.repeat(40), 2 ** 64];
  const seen = { records: 0, refused: 0 };
  for (let i = 0; i < 3000; i++) {
    const payload = json[i % json.length];
    const doc = JSON.parse(new TextDecoder().decode(payload.body));
    // Replace one value somewhere in the tree.
    const stack = [doc];
    const slots = [];
    while (stack.length) {
      const node = stack.pop();
      for (const key of Object.keys(node)) {
        slots.push([node, key]);
        if (node[key] !== null && typeof node[key] === 'object') stack.push(node[key]);
      }
    }
    const [node, key] = slots[rng.below(slots.length)];
    node[key] = replacements[rng.below(replacements.length)];
    seen[outcome(() => decodeOtlpJson(payload.signal, doc), `json mutation ${i} (${payload.signal} ${key})`)]++;
  }
  assert.ok(seen.records > 100 && seen.refused > 100, JSON.stringify(seen));
});
