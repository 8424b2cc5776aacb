// The collector's Worker-safe OTLP decoders (js/wire/otlp-decode/) against things they did not
// write: the official opentelemetry-proto definitions (the message table, field for field), the
// core's own OTLP encoders (JSON and protobuf), and the Node-only decoders of js/wire/otlp/
// (protobufjs over the official .proto files, then the strict JSON checks), which must give the
// same canonical records, field for field. Then what a receiver must accept that a careful sender
// never emits, and what it must refuse, naming the field.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { DecodeError } from '../../js/wire/index.js';
import { decodeOtlpJson, decodeOtlpProto } from '../../js/wire/otlp-decode/index.js';
import { MESSAGES } from '../../js/wire/otlp-decode/messages.js';
import { decodeOtlp, otlpProtoToJson, otlpSchema } from '../../js/wire/otlp/index.js';
import { jsonName } from '../../js/wire/otlp/otlp-schema.js';
import { quietConsoleExporter } from './helpers.js';

test('the collector-side decoders use nothing a Worker lacks: no Node built-ins, no Buffer, no code generation', () => {
  const dir = new URL('../../js/wire/otlp-decode/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 5);
  for (const file of files) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    assert.doesNotMatch(source, /from '(node:|\.\.\/otlp\/)/, file);
    assert.doesNotMatch(source, /\b(Buffer|require|process)\b|new Function|eval\(/, file);
  }
});

test('every field of the message table has the number, JSON name, type and label of the official .proto', () => {
  const { root, protobuf } = otlpSchema();
  let checked = 0;
  for (const message of Object.values(MESSAGES)) {
    const type = root.lookupType(message.fullName);
    for (const field of message.fields) {
      const official = type.fieldsById[field.number];
      assert.ok(official, `${message.fullName} has field number ${field.number}`);
      assert.equal(jsonName(official.name), field.name, `${message.fullName} field ${field.number}`);
      assert.equal(official.repeated, field.repeated, `${message.fullName}.${field.name} repeated`);
      if (official.resolvedType instanceof protobuf.Type) {
        assert.equal(official.resolvedType.fullName, `.${field.message?.fullName}`, `${message.fullName}.${field.name} message type`);
      } else if (official.resolvedType instanceof protobuf.Enum) {
        assert.equal(field.type, 'enum', `${message.fullName}.${field.name} is an enum`);
      } else {
        assert.equal(field.type, official.type, `${message.fullName}.${field.name} scalar type`);
      }
      const oneof = official.partOf && !official.options?.proto3_optional ? official.partOf.name : undefined;
      assert.equal(field.oneof, oneof, `${message.fullName}.${field.name} oneof`);
      checked++;
    }
  }
  assert.ok(checked > 60, `checked ${checked} fields`);
});

// One drain of the core encoded in both OTLP encodings (as the exporter pipeline does).
function encodeBoth(record) {
  const t = createTelemetry({ service: 'checkout', resource: { 'deployment.environment': 'test', region: 'weur' }, requestMetrics: false, exporter: quietConsoleExporter() });
  record(t);
  t.core.drain(Date.now());
  try {
    return { json: t.core.encode('otlp-json'), proto: t.core.encode('otlp-proto') };
  } finally {
    t.core.release();
  }
}

function everything(t) {
  t.trace('GET /cart', (root) => {
    root.setAttributes({ 'http.route': '/cart', count: 42, negative: -7, big: 2 ** 53 - 1, ratio: 0.25, ok: true, no: false, empty: '', text: 'caf\u00e9 \u{1F680}', strs: ['a', 'b'], ints: [1, -2], dbls: [0.5], bools: [true] });
    root.addEvent('cache.miss', { key: 'k1', n: 3 });
    root.trace('db.query', (child) => {
      child.recordException(new TypeError('connection reset'));
      child.setStatus('error', 'db down');
    }, { kind: 'client' });
    root.trace('enqueue', () => {}, { kind: 'producer' });
    root.setStatus('ok');
    for (const level of ['debug', 'info', 'warn', 'error', 'fatal']) root.logger[level](`${level} line`, { level, n: 1 });
  }, { kind: 'server' });
  t.logger.error(new RangeError('out of range'));
  t.logger.info('no trace context');
  t.metrics.increment('requests', 1, { route: '/a' });
  t.metrics.increment('requests', 2, { route: '/b', code: 200 });
  t.metrics.add('inflight', -1, { pool: 'db' });
  t.metrics.gauge('temperature', 21.5, { room: 'a' }, { unit: 'Cel' });
  t.metrics.gauge('temperature', 3, { room: 'b' }, { unit: 'Cel' });
  for (const v of [3, 12, 40, 900]) t.metrics.histogram('size', v, { route: '/a' }, { unit: 'By' });
  for (const v of [0, 0.004, 0.25, 1.5, 30]) t.metrics.histogram('http.server.request.duration', v, { route: '/a' }, { unit: 's' });
  t.metrics.histogram('skew', -5, {}, { aggregation: 'exponential' });
}

const text = (body) => new TextDecoder().decode(body);
const totals = (r) => ({ spans: r.spans.length, metrics: r.metrics.length, logs: r.logs.length });
// The reference decoder's records as the collector stores them: a histogram sent without `sum`
// (the core omits it once a negative value was recorded) has sum null and value 0.
const asStored = (reference) => ({
  ...reference,
  metrics: reference.metrics.map((m) => (m.type === 'histogram' && m.sum === undefined ? { ...m, sum: null, value: 0 } : m)),
});

test('core OTLP JSON payloads decode to exactly the records the Node decoder (official .proto) gives', () => {
  const { json } = encodeBoth(everything);
  assert.deepEqual(json.map((p) => p.signal).sort(), ['logs', 'metrics', 'traces']);
  for (const payload of json) {
    const doc = JSON.parse(text(payload.body));
    const ours = decodeOtlpJson(payload.signal, doc);
    const reference = decodeOtlp(payload.signal, structuredClone(doc));
    assert.deepStrictEqual({ spans: ours.spans, metrics: ours.metrics, logs: ours.logs }, asStored(reference), payload.signal);
    assert.equal(ours.rejected, 0);
    assert.deepEqual(ours.services, ['checkout']);
    assert.equal(ours.resource['deployment.environment'], 'test');
  }
});

test('core OTLP protobuf payloads decode to exactly the records protobufjs over the official .proto gives', () => {
  const { proto, json } = encodeBoth(everything);
  const all = { spans: [], metrics: [], logs: [] };
  for (const payload of proto) {
    const ours = decodeOtlpProto(payload.signal, payload.body);
    const reference = decodeOtlp(payload.signal, otlpProtoToJson(payload.signal, payload.body));
    assert.deepStrictEqual({ spans: ours.spans, metrics: ours.metrics, logs: ours.logs }, asStored(reference), payload.signal);
    for (const k of Object.keys(all)) all[k].push(...ours[k]);
  }
  // The same drain in JSON: the same records (protobuf and JSON are two encodings of one message).
  const fromJson = { spans: [], metrics: [], logs: [] };
  for (const payload of json) {
    const r = decodeOtlpJson(payload.signal, JSON.parse(text(payload.body)));
    for (const k of Object.keys(fromJson)) fromJson[k].push(...r[k]);
  }
  assert.deepStrictEqual(all, fromJson);
  // And they are what was recorded.
  // The recorded metrics, plus the `errors` counter the core's error classification adds.
  const recorded = all.metrics.filter((m) => m.name !== 'errors');
  assert.deepEqual({ ...totals(all), metrics: recorded.length }, { spans: 3, metrics: 8, logs: 7 });
  assert.ok(all.metrics.some((m) => m.name === 'errors' && m.tags['error.type'] === 'TypeError'));
  const byName = Object.fromEntries(all.spans.map((s) => [s.name, s]));
  assert.equal(byName['GET /cart'].kind, 'server');
  assert.equal(byName['GET /cart'].attributes.big, 2 ** 53 - 1);
  assert.deepEqual(byName['GET /cart'].attributes.strs, ['a', 'b']);
  assert.equal(byName['db.query'].status, 'error');
  assert.equal(byName['db.query'].parentSpanId, byName['GET /cart'].spanId);
  assert.equal(byName['db.query'].events[0].name, 'exception');
  assert.deepEqual(all.logs.map((l) => l.level).sort(), ['debug', 'error', 'error', 'fatal', 'info', 'info', 'warn']);
  const types = Object.fromEntries(recorded.map((m) => [m.name, m.type]));
  assert.deepEqual(types, { requests: 'counter', inflight: 'updowncounter', temperature: 'gauge', size: 'histogram', 'http.server.request.duration': 'histogram', skew: 'histogram' });
  const duration = all.metrics.find((m) => m.name === 'http.server.request.duration');
  assert.equal(duration.count, 5);
  assert.equal(duration.exponential.zeroCount, 1);
  assert.equal(duration.exponential.positive.bucketCounts.reduce((a, b) => a + b, 0), 4);
  const size = all.metrics.find((m) => m.name === 'size');
  assert.equal(size.bucketCounts.reduce((a, b) => a + b, 0), 4);
  assert.equal(size.bounds.length + 1, size.bucketCounts.length);
});

const span = (extra = {}) => ({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'op', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001500000', ...extra });
const traces = (spans, resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }) => ({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'x' }, spans }] }] });

test('what a receiver must accept: numbers for 64-bit integers, unknown fields, null, upper-case hex, no service.name', () => {
  const doc = traces([span({ startTimeUnixNano: 1700000000000000000, traceId: '5B8EFFF798038103D269B633813FC60C', flags: 257, futureField: { x: 1 }, parentSpanId: '', status: null, attributes: [{ key: 'n', value: { intValue: 7 } }, { key: 'd', value: { doubleValue: 'NaN' } }] })], { attributes: [] });
  doc.resourceSpans[0].schemaUrl = 'https://opentelemetry.io/schemas/1.21.0';
  const r = decodeOtlpJson('traces', doc);
  assert.equal(r.spans.length, 1);
  const s = r.spans[0];
  assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(s.startTime, 1700000000000);
  assert.equal(s.endTime, 1700000000001.5);
  assert.equal(s.parentSpanId, null);
  assert.equal(s.status, 'unset');
  assert.equal(s.service, 'unknown_service');
  assert.equal(s.attributes.n, 7);
  assert.ok(Number.isNaN(s.attributes.d));
});

test('empty requests are valid no-ops: {}, an empty list, and zero protobuf bytes', () => {
  for (const doc of [{}, { resourceSpans: [] }, { resourceSpans: [{ scopeSpans: [] }] }]) {
    assert.deepEqual(totals(decodeOtlpJson('traces', doc)), { spans: 0, metrics: 0, logs: 0 });
  }
  assert.deepEqual(totals(decodeOtlpProto('logs', new Uint8Array(0))), { spans: 0, metrics: 0, logs: 0 });
});

test('malformed payloads are DecodeErrors naming the field path', () => {
  const cases = [
    [traces([span({ traceId: 'abcd' })]), '$.resourceSpans[0].scopeSpans[0].spans[0].traceId'],
    [traces([span(), span({ spanId: undefined })]), '$.resourceSpans[0].scopeSpans[0].spans[1].spanId'],
    [traces([span({ spanId: 'zz'.repeat(8) })]), '$.resourceSpans[0].scopeSpans[0].spans[0].spanId'],
    [traces([span({ kind: 'SPAN_KIND_SERVER' })]), '$.resourceSpans[0].scopeSpans[0].spans[0].kind'],
    [traces([span({ startTimeUnixNano: '1.5' })]), '$.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano'],
    [traces([span({ startTimeUnixNano: '-1' })]), '$.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano'],
    [traces([span({ attributes: [{ key: 'a', value: { stringValue: 'x', intValue: '1' } }] })]), '$.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value'],
    [traces([span({ attributes: [{ key: 'a', value: { bytesValue: '!!' } }] })]), '$.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue'],
    [{ resourceSpans: {} }, '$.resourceSpans'],
    [[], '$'],
  ];
  for (const [doc, path] of cases) {
    assert.throws(() => decodeOtlpJson('traces', doc), (e) => e instanceof DecodeError && e.path === path, `${path}: ${JSON.stringify(doc).slice(0, 120)}`);
  }
});

test('AnyValue nested past the bound is refused, not a stack overflow', () => {
  let value = { stringValue: 'leaf' };
  for (let i = 0; i < 100; i++) value = { arrayValue: { values: [value] } };
  assert.throws(() => decodeOtlpJson('traces', traces([span({ attributes: [{ key: 'deep', value }] })])), (e) => e instanceof DecodeError && /nested more than/.test(e.message));
});

test('valid OTLP that edgescope cannot store is counted as rejected with a reason, the rest decoded', () => {
  const point = { timeUnixNano: '1700000000000000000', startTimeUnixNano: '1699999999000000000', asInt: '5' };
  const doc = {
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
      scopeMetrics: [{
        metrics: [
          { name: 'ok', sum: { dataPoints: [point], aggregationTemporality: 1, isMonotonic: true } },
          { name: 'running', sum: { dataPoints: [point, point], aggregationTemporality: 2, isMonotonic: true } },
          { name: 'quantiles', summary: { dataPoints: [{ timeUnixNano: '1700000000000000000', count: '3' }] } },
          { name: 'g', gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000' }, { ...point, asInt: undefined, asDouble: 2.5 }] } },
        ],
      }],
    }],
  };
  const r = decodeOtlpJson('metrics', doc);
  assert.deepEqual(r.metrics.map((m) => [m.name, m.type, m.value]), [['ok', 'counter', 5], ['g', 'gauge', 2.5]]);
  assert.equal(r.rejected, 4);
  assert.match(r.message, /delta/);
  assert.match(r.message, /summary/);
  assert.match(r.message, /without a value/);
});

test('log severities map by range, with the text when the number is unspecified; a structured body is JSON text', () => {
  const rec = (severityNumber, extra = {}) => ({ timeUnixNano: '1700000000000000000', severityNumber, body: { stringValue: 'm' }, ...extra });
  const doc = {
    resourceLogs: [{
      scopeLogs: [{
        logRecords: [rec(1), rec(6), rec(10), rec(14), rec(19), rec(24), rec(0, { severityText: 'WARNING' }), rec(0),
          rec(9, { body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } }, timeUnixNano: undefined, observedTimeUnixNano: '1700000000002000000' })],
      }],
    }],
  };
  const r = decodeOtlpJson('logs', doc);
  assert.deepEqual(r.logs.map((l) => l.level), ['debug', 'debug', 'info', 'warn', 'error', 'fatal', 'warn', 'info', 'info']);
  assert.equal(r.logs[8].message, '{"a":1}');
  assert.equal(r.logs[8].time, 1700000000002);
});

// Cloudflare Workers Observability's OTLP export, replayed (the fixture says where its shape comes from).
const cloudflare = JSON.parse(readFileSync(new URL('../fixtures/cloudflare-otlp-traces.json', import.meta.url), 'utf8'));
const cloudflareLogs = JSON.parse(readFileSync(new URL('../fixtures/cloudflare-otlp-logs.json', import.meta.url), 'utf8'));

test('a Cloudflare Workers Observability trace export decodes: the Worker is the service, spans keep their tree', () => {
  const r = decodeOtlpJson('traces', cloudflare.request);
  assert.equal(r.rejected, 0);
  assert.deepEqual(r.services, ['my-worker']);
  assert.deepEqual(r.spans.map((s) => [s.name, s.kind, s.status]), cloudflare.expect.spans);
  const [root, ...children] = r.spans;
  assert.equal(root.parentSpanId, null);
  assert.ok(children.every((c) => c.parentSpanId === root.spanId && c.traceId === root.traceId));
  assert.equal(root.attributes['cloudflare.ray_id'], cloudflare.expect.rayId);
  assert.equal(r.resource['cloud.provider'], 'cloudflare');
});

test('a Cloudflare Workers Observability log export decodes with levels and trace context', () => {
  const r = decodeOtlpJson('logs', cloudflareLogs.request);
  assert.deepEqual(r.logs.map((l) => [l.level, l.message]), cloudflareLogs.expect.logs);
  assert.ok(r.logs.every((l) => l.service === 'my-worker' && l.traceId === cloudflareLogs.expect.traceId));
});

// Hand-built protobuf: tag, then a length-delimited body or a varint.
const len = (field, bytes) => {
  const head = [(field << 3) | 2];
  let n = bytes.length;
  while (n >= 0x80) {
    head.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  head.push(n);
  return new Uint8Array([...head, ...bytes]);
};
const cat = (...parts) => new Uint8Array(parts.flatMap((p) => [...p]));
const str = (s) => new TextEncoder().encode(s);
const wrapSpans = (...spans) => len(1, len(2, cat(...spans.map((s) => len(2, s)))));
const ids = cat(len(1, new Uint8Array(16).fill(0xab)), len(2, new Uint8Array(8).fill(0x11)));
const fixed64 = (tag, n) => { const b = new Uint8Array(9); b[0] = tag; new DataView(b.buffer).setBigUint64(1, n, true); return b; };
const times = cat(fixed64(0x39, 1700000000000000000n), fixed64(0x41, 1700000000001500000n)); // start, end

test('protobuf as a receiver must read it: unknown fields skipped, the last of a repeated singular field wins, messages merge', () => {
  const span = cat(
    ids,
    times,
    len(5, str('first')),
    len(5, str('second')), // a singular string twice: the last one wins
    len(13, cat(ids)), // links (not mapped): skipped
    new Uint8Array([0xf8, 0x06, 0x01]), // field 111, a varint no version of the proto defines: skipped
    len(15, new Uint8Array([0x18, 0x02])), // status { code: ERROR }
    len(15, len(2, str('merged'))), // status again: merged into the first
  );
  const r = decodeOtlpProto('traces', wrapSpans(span));
  assert.equal(r.spans.length, 1);
  assert.equal(r.spans[0].name, 'second');
  assert.equal(r.spans[0].status, 'error');
  assert.equal(r.spans[0].statusMessage, 'merged');
  assert.equal(r.spans[0].traceId, 'ab'.repeat(16));
});

test('malformed protobuf is a DecodeError naming the field path', () => {
  const cases = [
    [wrapSpans(cat(ids, new Uint8Array([0x2a, 0x02, 0xc3, 0x28]))), '$.resourceSpans[0].scopeSpans[0].spans[0].name', /UTF-8/],
    [wrapSpans(cat(ids, new Uint8Array([0x28, 0x01]))), '$.resourceSpans[0].scopeSpans[0].spans[0].name', /wire type 0/],
    [wrapSpans(cat(ids, new Uint8Array([0x39, 1, 2, 3]))), '$.resourceSpans[0].scopeSpans[0].spans[0]', /runs past the end/],
    [wrapSpans(ids, cat(len(1, new Uint8Array(15)), len(2, new Uint8Array(8).fill(1)))), '$.resourceSpans[0].scopeSpans[0].spans[1].traceId', /16-byte id/],
    [new Uint8Array([0x0b]), '$', /wire type 3/],
  ];
  for (const [bytes, path, message] of cases) {
    assert.throws(() => decodeOtlpProto('traces', bytes), (e) => e instanceof DecodeError && e.path === path && message.test(e.message), path);
  }
});

// One metric's points as an OTLP JSON export from service `api`.
const metricsDoc = (...metrics) => ({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeMetrics: [{ metrics }] }] });
const T = '1700000000000000000';
const expPoint = (extra = {}) => ({ timeUnixNano: T, count: '3', sum: 0.6, min: 0.1, max: 0.3, scale: 3, zeroCount: '0', positive: { offset: -20, bucketCounts: ['1', '1', '1'] }, ...extra });
const PM = '$.resourceMetrics[0].scopeMetrics[0].metrics';

test('points the store could not hold faithfully are rejected into partial success naming the field; the rest are decoded', () => {
  const doc = metricsDoc(
    { name: 'g', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 'NaN' }, { timeUnixNano: T, asDouble: 'Infinity' }, { timeUnixNano: T, asDouble: 1.5 }] } },
    { name: 'lat', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [
      expPoint({ scale: -11 }),
      expPoint({ scale: -10, count: '300000', positive: { offset: 0, bucketCounts: new Array(300_000).fill(1) } }),
      expPoint({ count: '4' }),
      expPoint({ sum: '-Infinity' }),
      expPoint({ positive: { offset: 2 ** 30, bucketCounts: ['3'] } }),
      expPoint(),
    ] } },
    { name: 'size', histogram: { aggregationTemporality: 1, dataPoints: [
      { timeUnixNano: T, count: '2', sum: 3, bucketCounts: ['1', '0'], explicitBounds: [1, 2] },
      { timeUnixNano: T, count: '5', sum: 3, bucketCounts: ['1', '1', '1'], explicitBounds: [1, 2] },
      { timeUnixNano: T, count: '2', sum: 3, bucketCounts: ['1', '1', '0'], explicitBounds: [1, 2] },
    ] } },
  );
  const r = decodeOtlpJson('metrics', doc);
  assert.deepEqual(r.metrics.map((m) => [m.name, m.value]), [['g', 1.5], ['lat', 0.6], ['size', 3]]);
  assert.equal(r.rejected, 9);
  // The first five problems by name, with their paths; the count covers every one.
  for (const named of [
    `${PM}[0].gauge.dataPoints[0].asDouble: NaN is not a finite number`,
    `${PM}[0].gauge.dataPoints[1].asDouble: Infinity is not a finite number`,
    `${PM}[1].exponentialHistogram.dataPoints[0].scale: expected an integer from -10 to 20, got -11`,
    `${PM}[1].exponentialHistogram.dataPoints[1].positive.bucketCounts: 300000 buckets; at most 4096 per side`,
    `${PM}[1].exponentialHistogram.dataPoints[2].count: 4, but zeroCount and the bucket counts add up to 3`,
  ]) assert.ok(r.message.includes(named), `${named}\nin: ${r.message}`);
  assert.match(r.message, /and 4 other problem\(s\)$/);
  // Each of the others on its own names its field too.
  const alone = (metric) => decodeOtlpJson('metrics', metricsDoc(metric)).message;
  assert.match(alone({ name: 'lat', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [expPoint({ sum: '-Infinity' })] } }), /dataPoints\[0\]\.sum: -Infinity is not a finite number/);
  assert.match(alone({ name: 'lat', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [expPoint({ positive: { offset: 2 ** 30, bucketCounts: ['3'] } })] } }), /dataPoints\[0\]\.positive\.offset: buckets 1073741824\.\.1073741824 lie outside/);
  assert.match(alone({ name: 'size', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, count: '5', sum: 3, bucketCounts: ['1', '1', '1'], explicitBounds: [1, 2] }] } }), /dataPoints\[0\]\.count: 5, but the bucket counts add up to 3/);
  assert.match(alone({ name: 'size', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T, count: '2', bucketCounts: ['1', '1'], explicitBounds: [1, 2] }] } }), /dataPoints\[0\]\.bucketCounts: 2 counts for 2 explicitBounds \(expected 3\)/);
});

test('a histogram without sum (negative values were recorded) is kept: sum null, value 0, counts and sketch whole', () => {
  const r = decodeOtlpJson('metrics', metricsDoc({ name: 'skew', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [expPoint({ sum: undefined, min: -1, negative: { offset: 0, bucketCounts: ['1'] }, count: '4' })] } }));
  assert.equal(r.rejected, 0);
  const [m] = r.metrics;
  assert.deepEqual([m.type, m.value, m.sum, m.count, m.min], ['histogram', 0, null, 4, -1]);
  assert.deepEqual(m.exponential.negative, { offset: 0, bucketCounts: [1] });
});

test('a span or data point without its time is rejected into partial success; a log without one keeps its observed time or none', () => {
  const t = decodeOtlpJson('traces', traces([span({ endTimeUnixNano: undefined }), span({ spanId: 'eee19b7ec3c1b175' }), span({ startTimeUnixNano: '0' })]));
  assert.deepEqual(t.spans.map((s) => s.spanId), ['eee19b7ec3c1b175']);
  assert.equal(t.rejected, 2);
  assert.match(t.message, /spans\[0\]\.endTimeUnixNano: missing; a span without its times is not stored/);
  assert.match(t.message, /spans\[2\]\.startTimeUnixNano: missing/);
  const m = decodeOtlpJson('metrics', metricsDoc({ name: 'c', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: '1' }, { timeUnixNano: T, asInt: '2' }] } }));
  assert.deepEqual(m.metrics.map((p) => p.value), [2]);
  assert.match(m.message, new RegExp(`${PM.replace(/[[\]$.]/g, '\\$&')}\\[0\\]\\.sum\\.dataPoints\\[0\\]\\.timeUnixNano: missing`));
  // Logs: the data model's ObservedTimestamp stands in; with neither, the store dates it on receipt.
  const l = decodeOtlpJson('logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] });
  assert.equal(l.rejected, 0);
  assert.equal(l.logs[0].time, undefined);
});
