// Array attribute values through the real module: a homogeneous array of strings, booleans,
// integers or numbers is an OpenTelemetry attribute (specification, common/README.md
// "Attribute"), so it reaches the collector typed: OTLP arrayValue (checked by the strict
// validator built from the official protos, and by a protobuf round trip) and a JSON array in the
// native format. Anything else keeps its JSON text; conversion never throws; an array is bounded
// like a string, counted once.
import { keepingExporter } from './helpers.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { decodeNative, decodeOtlp, validateOtlpJson } from 'edgescope/testing';
import { MAX_ARRAY_ELEMENTS } from '../../js/core/attribute-values.js';
import { CoreTelemetry, SpanKind } from '../../js/core/core-telemetry.js';
import { AttributeType } from '../../js/core/tables.js';

const root = new URL('../../', import.meta.url);

// A Telemetry whose exporters keep the parsed bodies: OTLP JSON by signal, native JSON as a list.
function setup(config = {}) {
  const otlp = { traces: [], metrics: [], logs: [] };
  const native = [];
  const t = createTelemetry({
    service: 'svc',
    requestMetrics: false,
    exporters: [keepingExporter('otlp-json', (p, doc) => otlp[p.signal].push(doc)), keepingExporter('native', (_, doc) => native.push(doc))],
    ...config,
  });
  return { t, otlp, native, core: () => t.stats().core };
}

// The attributes of the one span recorded with `attributes`, as native JSON carries them.
async function nativeAttributes(attributes, config) {
  const s = setup(config);
  s.t.trace('op', (span) => span.setAttributes(attributes));
  await s.t.flush();
  return { attributes: s.native[0].spans[0].attributes, span: s.native[0].spans[0], core: s.core() };
}

const otlpValue = (doc, key) => doc.resourceSpans[0].scopeSpans[0].spans[0].attributes.find((a) => a.key === key).value;

test('homogeneous arrays reach both formats typed: OTLP arrayValue and native JSON arrays', async () => {
  const { t, otlp, native, core } = setup();
  const attributes = {
    'http.request.header.accept': ['text/html', 'application/json'],
    'retry.delays': [1, 2, 3],
    ratios: [1, 2.5], // an int among non-integers: a double array
    flags: [true, false],
    big: [2n ** 64n, -1n], // BigInts are strings, as a BigInt attribute is
    none: [],
  };
  t.trace('op', (span) => span.setAttributes(attributes));
  await t.flush();

  const doc = otlp.traces[0];
  validateOtlpJson('traces', doc);
  assert.deepEqual(otlpValue(doc, 'http.request.header.accept'), {
    arrayValue: { values: [{ stringValue: 'text/html' }, { stringValue: 'application/json' }] },
  });
  assert.deepEqual(otlpValue(doc, 'retry.delays'), { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] } });
  assert.deepEqual(otlpValue(doc, 'ratios'), { arrayValue: { values: [{ doubleValue: 1 }, { doubleValue: 2.5 }] } });
  assert.deepEqual(otlpValue(doc, 'flags'), { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } });
  assert.deepEqual(otlpValue(doc, 'big'), { arrayValue: { values: [{ stringValue: '18446744073709551616' }, { stringValue: '-1' }] } });
  assert.deepEqual(otlpValue(doc, 'none'), { arrayValue: {} });

  const expected = { ...attributes, big: ['18446744073709551616', '-1'] };
  assert.deepEqual(native[0].spans[0].attributes, expected);
  // Both decoders give the same arrays back.
  assert.deepEqual(decodeOtlp('traces', doc).spans[0].attributes, expected);
  assert.deepEqual(decodeNative(native[0]).spans[0].attributes, expected);
  assert.equal(core().valuesUnconvertible, 0);
  assert.equal(core().attributeValuesRejected, 0);
});

test('arrays on events and logs are typed too, and pass OTLP validation', async () => {
  const { t, otlp, native } = setup();
  t.trace('op', (span) => {
    span.addEvent('retry', { 'attempt.delays': [100, 200] });
    span.logger.info('picked', { 'candidate.scores': [0.5, 0.25] });
  });
  await t.flush();
  for (const signal of ['traces', 'logs']) for (const doc of otlp[signal]) validateOtlpJson(signal, doc);
  assert.deepEqual(decodeOtlp('traces', otlp.traces[0]).spans[0].events[0].attributes, { 'attempt.delays': [100, 200] });
  assert.deepEqual(decodeOtlp('logs', otlp.logs[0]).logs[0].attributes['candidate.scores'], [0.5, 0.25]);
  assert.deepEqual(native.find((d) => d.logs).logs[0].context['candidate.scores'], [0.5, 0.25]);
});

test('resource arrays staged by the core wrapper are typed in every payload', () => {
  // createTelemetry's config check accepts only scalar resource values today; the core wrapper
  // stages whatever it is given through the same conversion.
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536, resource: { 'host.ip': ['10.0.0.1', '::1'] } });
  const now = Date.now();
  core.endSpan(core.startSpan(0, 'op', SpanKind.internal, now), now + 1);
  core.drain(now + 2);
  const [payload] = core.encode('otlp-json');
  const doc = JSON.parse(new TextDecoder().decode(payload.body));
  validateOtlpJson('traces', doc);
  const ip = doc.resourceSpans[0].resource.attributes.find((a) => a.key === 'host.ip');
  assert.deepEqual(ip.value, { arrayValue: { values: [{ stringValue: '10.0.0.1' }, { stringValue: '::1' }] } });
  const [nativePayload] = core.encode('native');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(nativePayload.body)).resource['host.ip'], ['10.0.0.1', '::1']);
  core.dispose();
});

test('an OTLP payload with arrays survives a protobuf binary round trip through the official protos', async () => {
  const { t, otlp } = setup();
  t.trace('op', (span) => span.setAttributes({ s: ['a', ''], i: [-9007199254740991, 0], d: [0.1, -2], b: [false], e: [] }));
  await t.flush();
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@elastic/mockotlpserver/package.json');
  const protobuf = createRequire(manifest)('protobufjs');
  const protos = new protobuf.Root();
  protos.resolvePath = (_o, target) => (isAbsolute(target) ? target : join(dirname(manifest), target));
  protos.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const type = protos.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const doc = otlp.traces[0];
  validateOtlpJson('traces', doc);
  const span = doc.resourceSpans[0].scopeSpans[0].spans[0];
  const hexToB64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
  const message = structuredClone(doc);
  Object.assign(message.resourceSpans[0].scopeSpans[0].spans[0], { traceId: hexToB64(span.traceId), spanId: hexToB64(span.spanId) });
  const back = type.toObject(type.decode(type.encode(type.fromObject(message)).finish()), { longs: String, enums: Number, bytes: String });
  assert.deepEqual(back.resourceSpans[0].scopeSpans[0].spans[0].attributes, span.attributes);
});

test('anything but a homogeneous array keeps its text form, as before', async () => {
  const sparse = ['a'];
  sparse[2] = 'c';
  const { attributes, core } = await nativeAttributes({
    mixed: [1, 'a'],
    nested: [[1], [2]],
    objects: [{ a: 1 }],
    withNull: ['a', null],
    withUndefined: [1, undefined],
    sparse,
    bigAndString: [1n, 'a'],
  });
  assert.deepEqual(attributes, {
    mixed: '[1,"a"]',
    nested: '[[1],[2]]',
    objects: '[{"a":1}]',
    withNull: '["a",null]',
    withUndefined: '[1,null]',
    sparse: '["a",null,"c"]',
    bigAndString: '1,a', // JSON.stringify refuses a BigInt: the plain text, counted, as before
  });
  assert.equal(core.valuesUnconvertible, 1);
});

test('a number array holding NaN or an infinity is refused and counted, like a NaN attribute', async () => {
  const { attributes, span, core } = await nativeAttributes({ a: [1, Number.NaN], b: [Infinity], c: [0.5] });
  assert.deepEqual(attributes, { c: [0.5] });
  assert.equal(span.droppedAttributesCount, 2);
  assert.equal(core.attributeValuesRejected, 2);
});

test(`an array is cut to ${MAX_ARRAY_ELEMENTS} elements and counted once; exactly that many is not a cut`, async () => {
  const long = Array.from({ length: 1000 }, (_, i) => i);
  const cut = await nativeAttributes({ long });
  assert.deepEqual(cut.attributes.long, long.slice(0, MAX_ARRAY_ELEMENTS));
  assert.equal(cut.core.valuesTruncated, 1);
  const exact = await nativeAttributes({ exact: long.slice(0, MAX_ARRAY_ELEMENTS) });
  assert.equal(exact.attributes.exact.length, MAX_ARRAY_ELEMENTS);
  assert.equal(exact.core.valuesTruncated, 0);
});

test("an array's strings share one string value's byte limit: cut to a prefix, counted once", async () => {
  const { t, native, core } = setup();
  const limit = t.core.limits.maxAttributeValueBytes;
  const parts = ['a'.repeat(3000), 'é'.repeat(1000), 'z', 'y']; // é is two bytes in UTF-8
  t.trace('op', (span) => span.setAttributes({ parts }));
  await t.flush();
  const { attributes } = native[0].spans[0];
  const kept = attributes.parts;
  assert.equal(kept.length, 2);
  assert.equal(kept[0], parts[0]);
  assert.equal(kept[1], 'é'.repeat((limit - 3000) / 2)); // cut on a character boundary
  assert.equal(core().valuesTruncated, 1);
});

test('a huge array costs only what the core can keep: at most one element past the bound is read', async () => {
  let reads = 0;
  const huge = new Proxy(Array.from({ length: 1_000_000 }, () => 'v'), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const { attributes, core } = await nativeAttributes({ huge });
  assert.equal(attributes.huge.length, MAX_ARRAY_ELEMENTS);
  assert.equal(reads, MAX_ARRAY_ELEMENTS + 1); // each element once, and no more than one past the bound
  assert.equal(core.valuesTruncated, 1);
});

test('arrays that throw when read never throw into user code or leak onto the next record', async () => {
  const throwing = ['a', 'b'];
  Object.defineProperty(throwing, 1, {
    get() {
      throw new Error('element getter');
    },
  });
  const revoked = Proxy.revocable([], {});
  revoked.revoke();
  const { t, native, core } = setup();
  t.trace('op', (span) => span.setAttributes({ throwing, revoked: revoked.proxy, fine: ['x'] }));
  t.logger.info('next');
  await t.flush();
  const attributes = native[0].spans[0].attributes;
  assert.deepEqual(attributes.fine, ['x']);
  assert.equal(attributes.throwing, '[unconvertible object]');
  assert.equal(attributes.revoked, '[unconvertible object]');
  assert.equal(core().valuesUnconvertible, 2);
  assert.deepEqual(native[0].logs[0].context, {});
});

test('redaction masks secrets inside array elements, and a denied key redacts the whole array', async () => {
  const { attributes, core } = await nativeAttributes({
    'http.request.header.forwarded': ['Bearer abcdefgh12345678', 'for=10.0.0.1'],
    'user.password': ['hunter2', 'hunter3'],
    'order.refs': [17, 4111111111111111],
  });
  assert.deepEqual(attributes['http.request.header.forwarded'], ['Bearer [REDACTED]', 'for=10.0.0.1']);
  assert.equal(attributes['user.password'], '[REDACTED]');
  assert.deepEqual(attributes['order.refs'], ['17', '[REDACTED]']); // a card keeps the array homogeneous as strings
  assert.equal(core.valuesRedacted, 3);
});

test('a metric tag that is an array keeps its JSON text, so series stay apart', async () => {
  const { t, native } = setup();
  t.metrics.increment('hits', 1, { regions: ['eu', 'us'] });
  t.metrics.increment('hits', 1, { regions: ['eu', 'ap'] });
  t.metrics.increment('hits', 1, { regions: ['eu', 'us'] });
  await t.flush();
  const points = native.flatMap((d) => d.metrics ?? []).map((m) => [m.tags.regions, m.value]);
  assert.deepEqual(points.sort(), [['["eu","ap"]', 1], ['["eu","us"]', 2]]);
});

test('the element types and the element bound are the ones the core defines', () => {
  const header = readFileSync(new URL('wasm/include/edgescope/attributes.hpp', root), 'utf8');
  const body = header.match(/enum class AttributeType : std::uint8_t \{([^}]*)\}/)[1];
  const entries = [...body.matchAll(/(\w+) = (\d+)/g)].map(([, name, value]) => [name.toLowerCase(), Number(value)]);
  assert.deepEqual(Object.fromEntries(entries), { ...AttributeType });
  assert.equal(Number(header.match(/kMaxArrayElements = (\d+);/)[1]), MAX_ARRAY_ELEMENTS);
});
