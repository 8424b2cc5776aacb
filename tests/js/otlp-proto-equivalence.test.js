// OTLP protobuf and OTLP JSON are two encodings of one message (OTLP specification, "OTLP/HTTP":
// binary protobuf or the proto3 JSON mapping). The core encodes one drain in both; the protobuf
// is decoded by an independent decoder, protobufjs over the official opentelemetry-proto .proto
// files, and must equal the JSON field for field, record for record (records concatenated across
// payloads, which the two formats split differently). Every protobuf payload respects the cap.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { quietConsoleExporter } from './helpers.js';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@elastic/mockotlpserver/package.json');
const protobuf = createRequire(manifest)('protobufjs');
const root = new protobuf.Root();
root.resolvePath = (_o, target) => (isAbsolute(target) ? target : join(dirname(manifest), target));
const REQUESTS = {
  traces: ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'],
  metrics: ['opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'],
  logs: ['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'],
};
root.loadSync(Object.values(REQUESTS).map(([file]) => file)); // protobufjs's camelCase names: the JSON names
root.resolveAll();
const requestType = (signal) => root.lookupType(REQUESTS[signal][1]);

// OTLP JSON writes trace and span ids as hex (not proto3 JSON's base64); protobufjs gives bytes
// as base64 strings.
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
function hexIds(value) {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ID_FIELDS.has(k) ? Buffer.from(v, 'base64').toString('hex') : hexIds(v)]));
}

function decodeProto(signal, body) {
  const type = requestType(signal);
  // decode() throws on anything malformed; toObject leaves out fields that were not on the wire.
  const message = type.decode(body);
  return hexIds(type.toObject(message, { longs: String, enums: Number, bytes: String, json: true }));
}

// The JSON as the protobuf must carry it: proto3 implicit-presence fields at their default value
// (0, "0", "", false, an empty list) are not on the wire (protobuf.dev "Field Presence"), while a
// oneof member or an `optional` field is, whatever its value. Decided from the reflected .proto
// types, not from the encoder.
function wireView(type, json) {
  const out = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    assert.ok(field, `${type.name} has a field ${key}`);
    const message = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.repeated) {
      if (value.length > 0) out[key] = message ? value.map((v) => wireView(message, v)) : value;
    } else if (message) {
      out[key] = wireView(message, value);
    } else if (field.partOf || !(value === 0 || value === '0' || value === '' || value === false)) {
      out[key] = value;
    }
  }
  return out;
}

// Every record of a signal across payloads, in order, each with the frames around it (resource,
// scope, and for a data point its Metric without the points), so equal lists mean equal messages
// however the payloads were cut.
function flatten(signal, docs) {
  const out = [];
  const [rKey, sKey, recKey] = { traces: ['resourceSpans', 'scopeSpans', 'spans'], metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'], logs: ['resourceLogs', 'scopeLogs', 'logRecords'] }[signal];
  for (const doc of docs) {
    assert.deepEqual(Object.keys(doc), [rKey]);
    for (const rx of doc[rKey]) {
      for (const sx of rx[sKey]) {
        const frame = { resource: rx.resource, scope: sx.scope };
        for (const record of sx[recKey]) {
          if (signal !== 'metrics') {
            out.push({ ...frame, record });
            continue;
          }
          const data = ['gauge', 'sum', 'histogram', 'exponentialHistogram'].find((k) => k in record);
          const { dataPoints, ...dataRest } = record[data];
          for (const point of dataPoints) out.push({ ...frame, metric: { ...record, [data]: dataRest }, record: point });
        }
      }
    }
  }
  return out;
}

const MAX = 8192;

// One drain, encoded in both formats from the same drained batch (the exporter pipeline encodes
// once per format in use in exactly this way).
function encodeBoth(record) {
  const t = createTelemetry({
    service: 'checkout',
    resource: { 'deployment.environment': 'test', 'service.instance.count': 3, 'host.tags': ['a', 'b'] },
    requestMetrics: false,
    maxPayloadBytes: MAX,
    exporter: quietConsoleExporter(),
  });
  record(t);
  t.core.drain(Date.now());
  try {
    return { json: t.core.encode('otlp-json'), proto: t.core.encode('otlp-proto'), stats: t.core.stats() };
  } finally {
    t.core.release();
  }
}

function corpus(t) {
  t.trace('GET /items/\u{1F600}', (root) => {
    root.setAttributes({
      'http.route': '/items',
      count: 42,
      negative: -7,
      big: 2 ** 53 - 1,
      ratio: 0.25,
      zero: 0,
      cached: false,
      yes: true,
      empty: '',
      unicode: 'caf\u00e9 \u4e2d\u6587 \u{1F680}',
      broken: 'lone \uD800 surrogate \uDC00 here',
      strings: ['a', '', '\u00e9'],
      ints: [1, -2, 0],
      doubles: [0.5, -1.25],
      bools: [true, false],
      none: [],
    });
    root.addEvent('cache.miss', { key: 'k1', n: 3 });
    root.addEvent('plain');
    root.trace('db.query', (child) => {
      child.recordException(new TypeError('connection reset'));
      child.setStatus('error', 'db down \uD83D');
    }, { kind: 'client' });
    root.trace('producer', () => {}, { kind: 'producer' });
    root.setStatus('ok');
    // Too large for a payload of its own in either format, small enough compact: shrunk in both.
    root.trace('huge', (s) => {
      for (let i = 0; i < 20; i++) s.setAttribute(`k${i}`, 'x'.repeat(1000));
      s.setAttribute('arr', Array.from({ length: 20 }, () => 'y'.repeat(100)));
      s.addEvent('dropped-in-compact');
    });
    for (const level of ['debug', 'info', 'warn', 'error', 'fatal']) root.logger[level](`${level} line \u00e9`, { level, n: 1 });
    root.logger.info('', {});
  }, { kind: 'server' });
  t.logger.error(new RangeError('out of range'));
  t.logger.info('no trace context');
  t.metrics.increment('requests', 1, { route: '/a' });
  t.metrics.increment('requests', 2, { route: '/b', code: 200, ok: true });
  t.metrics.add('inflight', -1, { pool: 'db' });
  t.metrics.add('inflight', 0, { pool: 'cache' });
  t.metrics.gauge('temperature', 21.5, { room: 'a' }, { unit: 'Cel' });
  t.metrics.gauge('temperature', 0, { room: 'b' }, { unit: 'Cel' });
  for (const v of [3, 12, 40, 900]) t.metrics.histogram('latency', v, { route: '/a' }, { unit: 'ms' });
  t.metrics.histogram('latency', 0, { route: '/b' }, { unit: 'ms' });
  t.metrics.histogram('delta', -5, { route: '/c' });
  // Durations are exponential histograms: both signs, zeros, a wide range (downscaled), and a
  // duration asking for explicit buckets.
  for (const v of [-0.25, 0, 0, 0.003, 0.004, 1.5, 2000]) t.metrics.histogram('wait', v, { queue: 'q' }, { unit: 's' });
  t.metrics.histogram('latency', 7, { route: '/e' }, { unit: 'ms', aggregation: 'explicit' });
  // Many records, so that both formats split every signal across payloads.
  for (let i = 0; i < 150; i++) {
    t.trace(`job ${i}`, (s) => {
      s.setAttribute('i', i);
      s.setAttribute('pad', 'p'.repeat(i * 7));
      s.logger.warn(`step ${i}`, { i });
    });
  }
  for (let i = 0; i < 400; i++) t.metrics.increment(`jobs.${i % 3}`, i % 5, { shard: `s${i}` });
}

let cached;
const both = () => (cached ??= encodeBoth(corpus));

test('the decoded protobuf equals the OTLP JSON of the same drain, field for field, for every signal', () => {
  const { json, proto } = both();
  for (const signal of ['traces', 'metrics', 'logs']) {
    const type = requestType(signal);
    const jsonDocs = json.filter((p) => p.signal === signal).map((p) => JSON.parse(new TextDecoder().decode(p.body)));
    const protoDocs = proto.filter((p) => p.signal === signal).map((p) => decodeProto(signal, p.body));
    assert.ok(jsonDocs.length > 1 && protoDocs.length > 1, `${signal} split across payloads in both formats`);
    const expected = flatten(signal, jsonDocs.map((doc) => wireView(type, doc)));
    const actual = flatten(signal, protoDocs);
    assert.equal(actual.length, expected.length, `${signal} records`);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${signal} record ${i}`);
    const records = proto.filter((p) => p.signal === signal).reduce((n, p) => n + p.records, 0);
    assert.equal(records, actual.length, `${signal}: payload record counts`);
  }
});

test('the corpus reaches what it is meant to: shrunk records, arrays, every level, repaired text', () => {
  const { proto, stats } = both();
  assert.equal(stats.recordsShrunk, 1); // the huge span, counted once for both encodings
  const spans = flatten('traces', proto.filter((p) => p.signal === 'traces').map((p) => decodeProto('traces', p.body))).map((r) => r.record);
  const huge = spans.find((s) => s.name === 'huge');
  assert.equal(huge.attributes.at(-1).key, 'edgescope.truncated');
  assert.equal(huge.droppedEventsCount, 1);
  const root = spans.find((s) => s.name.startsWith('GET'));
  const attr = Object.fromEntries(root.attributes.map((a) => [a.key, a.value]));
  assert.deepEqual(attr.ints, { arrayValue: { values: [{ intValue: '1' }, { intValue: '-2' }, { intValue: '0' }] } });
  assert.deepEqual(attr.none, { arrayValue: {} });
  assert.deepEqual(attr.zero, { intValue: '0' });
  assert.deepEqual(attr.empty, { stringValue: '' });
  assert.equal(attr.broken.stringValue, 'lone \uFFFD surrogate \uFFFD here');
  const points = flatten('metrics', proto.filter((p) => p.signal === 'metrics').map((p) => decodeProto('metrics', p.body)));
  const wait = points.find((r) => r.metric.name === 'wait');
  assert.deepEqual(wait.metric.exponentialHistogram, { aggregationTemporality: 1 }); // AGGREGATION_TEMPORALITY_DELTA
  assert.equal(wait.record.count, '7');
  assert.equal(wait.record.zeroCount, '2');
  assert.ok(!('sum' in wait.record)); // a negative value: no sum (metrics.proto)
  assert.ok(wait.record.scale < 20); // 0.003 .. 2000 does not fit 160 buckets at the highest scale
  assert.equal(wait.record.positive.bucketCounts.reduce((n, c) => n + Number(c), 0), 4);
  assert.deepEqual(wait.record.negative.bucketCounts, ['1']);
  assert.ok(points.some((r) => r.metric.name === 'latency' && 'histogram' in r.metric)); // aggregation: 'explicit'
  assert.ok(points.some((r) => r.metric.name === 'latency' && 'exponentialHistogram' in r.metric));
  const logs = flatten('logs', proto.filter((p) => p.signal === 'logs').map((p) => decodeProto('logs', p.body))).map((r) => r.record);
  assert.deepEqual([...new Set(logs.map((l) => l.severityText))].sort(), ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'WARN']);
  assert.ok(logs.some((l) => l.traceId && l.spanId) && logs.some((l) => !('traceId' in l)));
});

test('every protobuf payload is within maxPayloadBytes and carries its signal alone', () => {
  const { proto } = both();
  assert.ok(proto.length > 3);
  for (const p of proto) {
    assert.ok(p.body.length <= MAX, `${p.body.length} bytes`);
    assert.ok(['traces', 'metrics', 'logs'].includes(p.signal));
    assert.match(p.batchId, /^[0-9a-f]{32}$/);
    // No batch id in an OTLP body: it travels as the Idempotency-Key header only.
    assert.equal(Buffer.from(p.body).indexOf(Buffer.from(p.batchId, 'hex')), -1);
  }
});
