// The capture collector takes OTLP/HTTP binary protobuf (content-type application/x-protobuf) on
// /v1/traces, /v1/metrics and /v1/logs, gzipped or not: protobufjs decodes it over the official
// .proto files into the OTLP JSON document the strict validator checks, so spans, metrics and logs
// sent as protobuf are captured exactly as the same drain sent as OTLP JSON. It answers with a
// protobuf Export*ServiceResponse; malformed protobuf is a 400 naming what failed, and no body,
// however random, takes it down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createTelemetry } from 'edgescope';
import { DecodeError, otlpProtoToJson } from 'edgescope/testing';
import { otlpSchema } from '../../js/wire/otlp/otlp-schema.js';
import { encodeOtlpProto } from '../shared/otlp-proto-encode.js';
import { useCollector } from '../shared/use-collector.js';
import { quietConsoleExporter } from './helpers.js';

const docs = [];
const collector = useCollector({ onRecords: (_, { format, doc }) => docs.push({ format, doc }) });

// Every kind of value the encoders write: nested spans with attributes of each type, an error
// status, events, links to the parent context, logs at each level with an error, counters,
// up-down counters, gauges and histograms.
function record(t) {
  t.trace('root', (span) => {
    span.setAttribute('s', 'text é 🙂');
    span.setAttribute('i', 42);
    span.setAttribute('big', 2n ** 60n);
    span.setAttribute('neg', -7);
    span.setAttribute('d', 1.5);
    span.setAttribute('b', true);
    span.setAttribute('arr', ['a', 'b']);
    span.addEvent('cache.miss', { key: 'k' });
    t.trace('child', (c) => c.setStatus('error', 'boom'));
    span.logger.debug('d', { n: 1 });
    span.logger.info('i');
    span.logger.warn('w', { zero: 0, empty: '' });
    span.logger.error('e', { error: new TypeError('bad') });
  });
  t.metrics.increment('hits', 3, { route: '/a' });
  t.metrics.add('inflight', -2, { q: 'x' });
  t.metrics.gauge('depth', 0);
  t.metrics.gauge('ratio', 0.25, {}, { unit: '1' });
  t.metrics.histogram('latency', 12.5, { route: '/' }, { unit: 'ms' });
  t.metrics.histogram('latency', 900, { route: '/' }, { unit: 'ms' });
}

// One drain, encoded in both OTLP encodings by the core.
function drainBoth(build = record) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, resource: { 'deployment.environment': 'test' }, exporter: quietConsoleExporter() });
  build(t);
  t.core.drain(Date.now());
  try {
    return { json: t.core.encode('otlp-json'), proto: t.core.encode('otlp-proto') };
  } finally {
    t.core.release();
  }
}

function post(path, body, headers = {}) {
  return fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...headers }, body });
}

const withoutFormat = (list) => list.map(({ format: _, ...r }) => r);
// Records keep BigInt and Uint8Array values; compare them as the same text.
const text = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

test('protobuf from the core is captured exactly as the same drain sent as OTLP JSON', async () => {
  const { json, proto } = drainBoth();
  assert.deepEqual(proto.map((p) => [p.signal, p.records]), json.map((p) => [p.signal, p.records]));
  for (const p of json) await fetch(`${collector.url}/v1/${p.signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: p.body });
  const fromJson = { spans: withoutFormat(collector.spans), metrics: withoutFormat(collector.metrics), logs: withoutFormat(collector.logs) };
  collector.clear();
  for (const p of proto) {
    const res = await post(`/v1/${p.signal}`, p.body);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  }
  assert.equal(collector.rejected.length, 0, JSON.stringify(collector.rejected));
  assert.ok(collector.spans.every((s) => s.format === 'otlp-proto'));
  const fromProto = { spans: withoutFormat(collector.spans), metrics: withoutFormat(collector.metrics), logs: withoutFormat(collector.logs) };
  assert.equal(fromProto.spans.length, 2);
  assert.equal(fromProto.logs.length, 4);
  assert.equal(fromProto.metrics.length, 6, 'hits, inflight, depth, ratio, one latency histogram of two values and the errors counter');
  assert.equal(text(fromProto), text(fromJson));
  assert.deepEqual(collector.payloads.map((p) => p.format), ['otlp-proto', 'otlp-proto', 'otlp-proto']);
});

// OTLP JSON may spell a field at its default either way (the core writes `"events": []` and
// `"status": {"code": 0}`; the proto3 mapping of the protobuf leaves them out): both documents
// drop empty lists, empty messages and default scalars before they are compared.
function withoutDefaults(value) {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = withoutDefaults(v);
    const empty = Array.isArray(kept) ? kept.length === 0 : typeof kept === 'object' && kept !== null && Object.keys(kept).length === 0;
    if (!empty && kept !== 0 && kept !== '' && kept !== false && kept !== '0') out[key] = kept;
  }
  return out;
}

test('the document decoded from protobuf equals the OTLP JSON the core wrote for the same drain, field for field', async () => {
  docs.length = 0;
  const { json, proto } = drainBoth();
  for (const p of json) await fetch(`${collector.url}/v1/${p.signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: p.body });
  for (const p of proto) await post(`/v1/${p.signal}`, p.body);
  const of = (format) => docs.filter((d) => d.format === format).map((d) => withoutDefaults(d.doc));
  assert.equal(of('otlp-proto').length, 3);
  assert.deepEqual(of('otlp-proto'), of('otlp-json'));
});

test('a gzipped protobuf body is gunzipped, decoded and captured; the answer is an empty protobuf response', async () => {
  const { proto } = drainBoth();
  const logs = proto.find((p) => p.signal === 'logs');
  const res = await post('/v1/logs', gzipSync(logs.body), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  const answer = new Uint8Array(await res.arrayBuffer());
  assert.equal(answer.length, 0, 'an empty ExportLogsServiceResponse: full success');
  assert.equal(collector.logs.length, 4);
  const [p] = collector.payloads;
  assert.deepEqual([p.format, p.contentEncoding, p.bytes], ['otlp-proto', 'gzip', logs.body.length]);
  assert.ok(p.wireBytes < p.bytes);
});

test('a scripted partialSuccess answers a protobuf request with a protobuf partial_success', async () => {
  const { proto } = drainBoth();
  const metrics = proto.find((p) => p.signal === 'metrics');
  collector.partialSuccess({ rejected: 2, message: 'too old' });
  const res = await post('/v1/metrics', metrics.body);
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  const type = otlpSchema().root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');
  const decoded = type.toObject(type.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number });
  assert.deepEqual(decoded, { partial_success: { rejected_data_points: 2, error_message: 'too old' } });
  assert.equal(collector.metrics.length, metrics.records - 2);
});

// A valid request written by protobufjs (from the core's OTLP JSON) to break in known ways.
function validTraces() {
  const { json } = drainBoth((t) => t.trace('op', (s) => s.setAttribute('k', 'v')));
  return encodeOtlpProto('traces', JSON.parse(new TextDecoder().decode(json[0].body)));
}

test('malformed protobuf is a 400 naming what failed, and nothing of it is recorded', async () => {
  const valid = validTraces();
  assert.equal((await post('/v1/traces', valid)).status, 200, 'the unbroken body is accepted');
  collector.clear();
  const resource = 0x0a; // field 1, length-delimited: resource_spans
  const cases = [
    [valid.subarray(0, valid.length - 2), /protobuf ExportTraceServiceRequest: \$\.resourceSpans: length \d+ at byte 0 runs past the end of the enclosing message/],
    [new Uint8Array([0x0b, 0x00]), /wire type 3/],
    [new Uint8Array([0x08, 0x01]), /\$\.resourceSpans: wire type 0 at byte 0, expected 2 for repeated message/],
    [new Uint8Array([0x10, 0x01]), /\$: unknown field number 2 \(wire type 0\) at byte 0: opentelemetry\.proto\.collector\.trace\.v1\.ExportTraceServiceRequest defines 1 resource_spans/],
    [new Uint8Array([0x00]), /field number 0/],
    [new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /varint longer than 10 bytes/],
    // resource_spans { scope_spans { scope { name: <invalid UTF-8> } } }
    [new Uint8Array([resource, 7, 0x12, 5, 0x0a, 3, 0x0a, 1, 0xc3]), /\$\.resourceSpans\[0\]\.scopeSpans\[0\]\.scope\.name: string is not valid UTF-8/],
    // resource_spans { resource {} resource {} }
    [new Uint8Array([resource, 4, 0x0a, 0, 0x0a, 0]), /\$\.resourceSpans\[0\]\.resource: singular field resource appears 2 times/],
    // Well-formed protobuf that is not valid OTLP: a resource without service.name.
    [new Uint8Array([resource, 2, 0x0a, 0]), /\$\.resourceSpans\[0\]/],
  ];
  for (const [body, message] of cases) {
    const res = await post('/v1/traces', body);
    const reason = (await res.json()).error;
    assert.equal(res.status, 400, `${message}: ${reason}`);
    assert.match(reason, message);
  }
  assert.equal(collector.spans.length, 0);
  assert.equal(collector.payloads.length, 0);
  assert.equal(collector.rejected.length, cases.length);
});

test('protobuf is OTLP only: /ingest answers 415, and an unknown content type is named', async () => {
  let res = await post('/ingest', validTraces());
  assert.equal(res.status, 415);
  assert.match((await res.json()).error, /application\/x-protobuf is for OTLP/);
  res = await post('/v1/traces', validTraces(), { 'content-type': 'application/grpc' });
  assert.equal(res.status, 415);
  assert.match((await res.json()).error, /not application\/json or application\/x-protobuf/);
});

test('otlpProtoToJson maps by the proto3 JSON rules: hex ids, 64-bit integers as strings, enums as numbers, defaults left out', () => {
  const doc = otlpProtoToJson('traces', validTraces());
  const span = doc.resourceSpans[0].scopeSpans[0].spans[0];
  assert.match(span.traceId, /^[0-9a-f]{32}$/);
  assert.match(span.spanId, /^[0-9a-f]{16}$/);
  assert.match(span.startTimeUnixNano, /^\d{19}$/);
  assert.equal(typeof span.kind, 'number');
  assert.equal('parentSpanId' in span, false);
  assert.deepEqual(span.attributes.find((a) => a.key === 'k'), { key: 'k', value: { stringValue: 'v' } });
  assert.throws(() => otlpProtoToJson('traces', new Uint8Array([0x12, 0x00])), DecodeError);
});

// A small xorshift generator: the same bodies on every run.
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

test('random and mutated protobuf bodies never crash the collector: each is a 400 or a valid capture', async () => {
  const next = random(0x9e3779b9);
  const valid = validTraces();
  const bodies = [];
  for (let i = 0; i < 150; i++) bodies.push(Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256)));
  for (let i = 0; i < 150; i++) {
    const body = new Uint8Array(valid);
    const flips = 1 + Math.floor(next() * 3);
    for (let f = 0; f < flips; f++) body[Math.floor(next() * body.length)] = Math.floor(next() * 256);
    bodies.push(next() < 0.3 ? body.subarray(0, Math.floor(next() * body.length)) : body);
  }
  const statuses = new Map();
  for (const [i, body] of bodies.entries()) {
    const signal = ['traces', 'metrics', 'logs'][i % 3];
    const res = await post(`/v1/${signal}`, body, { 'idempotency-key': `k${i}` });
    const reason = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.ok(res.status === 200 || res.status === 400, `body ${i} (${Buffer.from(body).toString('hex')}): ${res.status} ${reason}`);
  }
  // Every accepted body was recorded whole, and the collector still takes a valid one.
  assert.equal(collector.payloads.length, statuses.get(200) ?? 0);
  assert.equal(collector.rejected.length, statuses.get(400) ?? 0);
  assert.ok((statuses.get(400) ?? 0) > 200, `mostly refused: ${[...statuses].join(' ')}`);
  collector.clear();
  assert.equal((await post('/v1/traces', valid)).status, 200);
  assert.equal(collector.spans.length, 1);
});
