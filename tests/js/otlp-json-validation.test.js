// The capture collector's OTLP/HTTP JSON check: what the real edgescope core encodes passes and is
// decoded in full; a payload that breaks the opentelemetry-proto definitions, the proto3 JSON
// mapping as a sender must apply it, or OTLP's own rules is rejected with the JSON path of the
// offending value.
import { keepingExporter } from './helpers.js';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { DecodeError, decodeNative, decodeOtlp, startCollector, validateOtlpJson } from 'edgescope/testing';

// Runs `record` against a Telemetry whose exporters keep the encoded bodies: OTLP JSON by signal,
// and the native JSON of the same records for comparison.
async function encode(record, config = {}) {
  const otlp = { traces: [], metrics: [], logs: [] };
  const native = [];
  const t = createTelemetry({
    service: 'svc',
    resource: { 'deployment.environment': 'test', 'service.instance.count': 3 },
    exporters: [keepingExporter('otlp-json', (p, doc) => otlp[p.signal].push(doc)), keepingExporter('native', (_, doc) => native.push(doc))],
    ...config,
  });
  await record(t);
  await t.flush();
  return { otlp, native };
}

function recordEverything(t) {
  t.trace('GET /items', (root) => {
    root.setAttributes({ 'http.route': '/items', count: 42, ratio: 0.25, cached: false });
    root.addEvent('cache.miss', { key: 'k1' });
    root.trace('db.query', (child) => {
      child.recordException(new TypeError('connection reset'));
      child.setStatus('error', 'db down');
    }, { kind: 'client' });
    root.setStatus('ok');
    root.logger.warn('slow query', { ms: 812 });
    t.logger.error(new RangeError('out of range'));
    t.logger.info('plain');
  }, { kind: 'server' });
  t.metrics.increment('requests', 1, { route: '/a' });
  t.metrics.increment('requests', 2, { route: '/b' });
  t.metrics.add('inflight', -1, { pool: 'db' });
  t.metrics.gauge('temperature', 21.5, { room: 'a' }, { unit: 'Cel' });
  // A duration with explicit buckets (asked for), and one as an exponential histogram (the default).
  for (const v of [3, 12, 40, 900]) t.metrics.histogram('latency', v, { route: '/a' }, { unit: 'ms', aggregation: 'explicit' });
  t.metrics.histogram('latency', 7, { route: '/b' }, { unit: 'ms', aggregation: 'explicit' });
  for (const v of [0.003, 0, 0.25, 4]) t.metrics.histogram('wait', v, { queue: 'q' }, { unit: 's' });
}

let cached;
const realPayloads = async () => (cached ??= await encode(recordEverything));
// A fresh, mutable copy of the first real body of a signal.
const fresh = async (signal) => structuredClone((await realPayloads()).otlp[signal][0]);

test('OTLP JSON encoded by the edgescope core passes validation for every signal', async () => {
  const { otlp } = await realPayloads();
  for (const signal of ['traces', 'metrics', 'logs']) {
    assert.ok(otlp[signal].length > 0, `the core produced ${signal}`);
    for (const doc of otlp[signal]) validateOtlpJson(signal, doc);
  }
});

// Drop what is expected to differ between the formats: OTLP times are nanosecond strings that
// decode to the microsecond, native ones milliseconds; units are optional in native JSON.
const near = (a, b) => Math.abs(a - b) < 0.002;

test('decoding OTLP yields the same spans, metric points and logs as the native format carries', async () => {
  const { otlp, native } = await realPayloads();
  const fromOtlp = { spans: [], metrics: [], logs: [] };
  for (const signal of ['traces', 'metrics', 'logs']) {
    for (const doc of otlp[signal]) {
      const r = decodeOtlp(signal, doc);
      for (const k of Object.keys(fromOtlp)) fromOtlp[k].push(...r[k]);
    }
  }
  const fromNative = { spans: [], metrics: [], logs: [] };
  for (const doc of native) {
    const r = decodeNative(doc);
    for (const k of Object.keys(fromNative)) fromNative[k].push(...r[k]);
  }
  assert.equal(fromOtlp.spans.length, 2);
  assert.equal(fromOtlp.metrics.length, 9); // two counter series, one up-down, one gauge, two explicit histograms, one exponential, two errors series
  assert.equal(fromOtlp.logs.length, 3);
  for (const key of ['spans', 'metrics', 'logs']) assert.equal(fromOtlp[key].length, fromNative[key].length, key);

  const bySpanId = new Map(fromNative.spans.map((s) => [s.spanId, s]));
  for (const s of fromOtlp.spans) {
    const n = bySpanId.get(s.spanId);
    for (const f of ['traceId', 'parentSpanId', 'name', 'service', 'kind', 'status', 'statusMessage', 'attributes']) assert.deepEqual(s[f], n[f], `span ${s.name} ${f}`);
    assert.ok(near(s.startTime, n.startTime) && near(s.endTime, n.endTime), `span ${s.name} times`);
    assert.deepEqual(s.events.map((e) => [e.name, e.attributes]), n.events.map((e) => [e.name, e.attributes]));
  }
  const key = (m) => `${m.name} ${JSON.stringify(m.tags)}`;
  const byKey = new Map(fromNative.metrics.map((m) => [key(m), m]));
  for (const m of fromOtlp.metrics) {
    const n = byKey.get(key(m));
    assert.ok(n, `native has ${key(m)}`);
    for (const f of ['type', 'value', 'count', 'sum', 'min', 'max', 'bounds', 'bucketCounts', 'exponential', 'service']) assert.deepEqual(m[f], n[f], `${key(m)} ${f}`);
    assert.ok(near(m.time, n.time), `${key(m)} time`);
  }
  const latency = fromOtlp.metrics.find((m) => key(m) === 'latency {"route":"/a"}');
  assert.deepEqual([latency.count, latency.sum, latency.min, latency.max], [4, 955, 3, 900]);
  for (const [i, l] of fromOtlp.logs.entries()) {
    const n = fromNative.logs[i];
    for (const f of ['level', 'message', 'error', 'traceId', 'spanId', 'service']) assert.deepEqual(l[f], n[f], `log ${i} ${f}`);
    // Native JSON carries an error beside the context; OTLP as exception.* attributes.
    const context = Object.fromEntries(Object.entries(l.attributes).filter(([k]) => !k.startsWith('exception.')));
    assert.deepEqual(context, n.attributes, `log ${i} attributes`);
  }
});

// An independent check of what the validator lets through: protobufjs, given the same official
// .proto files, turns the validated JSON into a binary protobuf message and back. Had the validator
// accepted a key or a value the proto does not define, it would be lost or changed on the way.
test('a payload that passes survives a protobuf binary round trip through protobufjs unchanged', async () => {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@elastic/mockotlpserver/package.json');
  const protobuf = createRequire(manifest)('protobufjs');
  const root = new protobuf.Root();
  root.resolvePath = (_o, target) => (isAbsolute(target) ? target : join(dirname(manifest), target));
  const requests = {
    traces: ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'],
    metrics: ['opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'],
    logs: ['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'],
  };
  root.loadSync(Object.values(requests).map(([f]) => f)); // protobufjs's own camelCase names
  // OTLP's hex ids are bytes; protobufjs's JSON-ish objects carry bytes as base64.
  const ids = new Set(['traceId', 'spanId', 'parentSpanId']);
  const mapIds = (v, fn) => {
    if (Array.isArray(v)) return v.map((x) => mapIds(x, fn));
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ids.has(k) ? fn(x) : mapIds(x, fn)]));
  };
  // An empty repeated field and an absent one are the same message; protobufjs leaves both out.
  const withoutEmptyLists = (v) => {
    if (Array.isArray(v)) return v.map(withoutEmptyLists);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => !(Array.isArray(x) && x.length === 0)).map(([k, x]) => [k, withoutEmptyLists(x)]));
  };
  const { otlp } = await realPayloads();
  for (const [signal, [, name]] of Object.entries(requests)) {
    const type = root.lookupType(name);
    for (const doc of otlp[signal]) {
      validateOtlpJson(signal, doc);
      const bytes = type.encode(type.fromObject(mapIds(doc, (hex) => Buffer.from(hex, 'hex').toString('base64')))).finish();
      const back = type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: String });
      assert.deepEqual(mapIds(back, (b64) => Buffer.from(b64, 'base64').toString('hex')), withoutEmptyLists(doc), signal);
    }
  }
});

test('every data point of a metric is decoded, and every one is checked', async () => {
  const doc = await fresh('metrics');
  const metrics = doc.resourceMetrics[0].scopeMetrics[0].metrics;
  // The core groups both counter series under one Metric, as the OTLP data model has it.
  const counters = metrics.filter((m) => m.name === 'requests');
  assert.equal(counters.length, 1);
  assert.equal(counters[0].sum.dataPoints.length, 2);
  const decoded = decodeOtlp('metrics', doc).metrics.filter((m) => m.name === 'requests');
  assert.deepEqual(decoded.map((m) => [m.tags.route, m.value, m.type]).sort(), [['/a', 1, 'counter'], ['/b', 2, 'counter']]);

  const at = metrics.indexOf(counters[0]);
  counters[0].sum.dataPoints[1].asDouble = '2';
  assert.throws(() => decodeOtlp('metrics', doc), (e) => e instanceof DecodeError
    && e.path === `$.resourceMetrics[0].scopeMetrics[0].metrics[${at}].sum.dataPoints[1].asDouble`
    && /expected a double as a JSON number/.test(e.message));
});

// [what is wrong, signal, mutate(doc) -> JSON path it breaks, message pattern]
const span0 = '$.resourceSpans[0].scopeSpans[0].spans[0]';
const log0 = '$.resourceLogs[0].scopeLogs[0].logRecords[0]';
const metricAt = (doc, name) => doc.resourceMetrics[0].scopeMetrics[0].metrics.findIndex((m) => m.name === name);
const spans = (doc) => doc.resourceSpans[0].scopeSpans[0].spans;
const logs = (doc) => doc.resourceLogs[0].scopeLogs[0].logRecords;
const invalid = [
  ['a histogram count sent as a number', 'metrics', (doc) => {
    const i = metricAt(doc, 'latency');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].histogram.dataPoints[0].count = 4;
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].histogram.dataPoints[0].count`;
  }, /expected a fixed64 as a decimal string \(proto3 JSON mapping\), got number 4/],
  ['a bucket count sent as a number', 'metrics', (doc) => {
    const i = metricAt(doc, 'latency');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].histogram.dataPoints[0].bucketCounts[3] = 1;
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].histogram.dataPoints[0].bucketCounts[3]`;
  }, /decimal string/],
  ['an exponential histogram bucket count sent as a number', 'metrics', (doc) => {
    const i = metricAt(doc, 'wait');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].exponentialHistogram.dataPoints[0].positive.bucketCounts[0] = 1;
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].exponentialHistogram.dataPoints[0].positive.bucketCounts[0]`;
  }, /decimal string/],
  ['an int64 attribute sent as a number', 'traces', (doc) => {
    const k = spans(doc)[1].attributes.findIndex((a) => a.key === 'count');
    spans(doc)[1].attributes[k].value.intValue = 42;
    return `$.resourceSpans[0].scopeSpans[0].spans[1].attributes[${k}].value.intValue`;
  }, /expected a int64 as a decimal string/],
  ['an unknown field', 'traces', (doc) => {
    spans(doc)[0].durationNanos = '5';
    return `${span0}.durationNanos`;
  }, /unknown field: opentelemetry\.proto\.trace\.v1\.Span has no field "durationNanos"/],
  ['an unknown field deep inside an attribute value', 'logs', (doc) => {
    logs(doc)[0].attributes[0].value.stringVal = 'x';
    return `${log0}.attributes[0].value.stringVal`;
  }, /AnyValue has no field "stringVal"/],
  ['the proto field name instead of the JSON name', 'traces', (doc) => {
    const s = spans(doc)[0];
    s.start_time_unix_nano = s.startTimeUnixNano;
    delete s.startTimeUnixNano;
    return `${span0}.start_time_unix_nano`;
  }, /lowerCamelCase: use "startTimeUnixNano"/],
  ['an uppercase hex trace id', 'traces', (doc) => {
    spans(doc)[0].traceId = spans(doc)[0].traceId.toUpperCase().replace(/^[0-9]/, 'A');
    return `${span0}.traceId`;
  }, /expected 32 lowercase hex digits/],
  ['a base64 span id (the proto3 default, not OTLP\'s)', 'traces', (doc) => {
    spans(doc)[0].spanId = Buffer.from(spans(doc)[0].spanId, 'hex').toString('base64');
    return `${span0}.spanId`;
  }, /expected 16 lowercase hex digits/],
  ['an all-zero span id', 'traces', (doc) => {
    spans(doc)[0].spanId = '0000000000000000';
    return `${span0}.spanId`;
  }, /all-zero span_id is invalid/],
  ['an empty parent span id on a root span', 'traces', (doc) => {
    spans(doc)[1].parentSpanId = '';
    return '$.resourceSpans[0].scopeSpans[0].spans[1].parentSpanId';
  }, /expected 16 lowercase hex digits/],
  ['a start time of 0', 'traces', (doc) => {
    spans(doc)[0].startTimeUnixNano = '0';
    return `${span0}.startTimeUnixNano`;
  }, /0 means unset/],
  ['a missing end time', 'traces', (doc) => {
    delete spans(doc)[0].endTimeUnixNano;
    return `${span0}.endTimeUnixNano`;
  }, /missing; semantically required/],
  ['a log time in seconds', 'logs', (doc) => {
    logs(doc)[0].timeUnixNano = String(Math.floor(Date.now() / 1000));
    return `${log0}.timeUnixNano`;
  }, /seconds, milliseconds or microseconds instead of nanoseconds/],
  ['a data point time in milliseconds', 'metrics', (doc) => {
    doc.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].timeUnixNano = String(Date.now());
    return '$.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].timeUnixNano';
  }, /instead of nanoseconds/],
  ['an end time before the start time', 'traces', (doc) => {
    spans(doc)[0].endTimeUnixNano = String(BigInt(spans(doc)[0].startTimeUnixNano) - 1n);
    return `${span0}.endTimeUnixNano`;
  }, /is before startTimeUnixNano/],
  ['an enum sent by name', 'traces', (doc) => {
    spans(doc)[0].kind = 'SPAN_KIND_CLIENT';
    return `${span0}.kind`;
  }, /enums as integers: 3, not "SPAN_KIND_CLIENT"/],
  ['an enum value the proto does not define', 'logs', (doc) => {
    logs(doc)[0].severityNumber = 99;
    return `${log0}.severityNumber`;
  }, /integer value of opentelemetry\.proto\.logs\.v1\.SeverityNumber/],
  ['an unspecified aggregation temporality', 'metrics', (doc) => {
    delete doc.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality;
    return '$.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality';
  }, /MUST NOT be used/],
  ['null for a field', 'traces', (doc) => {
    spans(doc)[0].status = null;
    return `${span0}.status`;
  }, /null is not a value/],
  ['two members of a oneof', 'logs', (doc) => {
    logs(doc)[0].body.intValue = '1';
    return `${log0}.body`;
  }, /at most one of oneof value may be set, found stringValue and intValue/],
  ['an empty attribute value', 'logs', (doc) => {
    logs(doc)[0].attributes[0].value = {};
    return `${log0}.attributes[0].value`;
  }, /expected exactly one of stringValue/],
  ['a duplicate attribute key', 'traces', (doc) => {
    const attrs = spans(doc)[1].attributes;
    attrs.push(structuredClone(attrs[0]));
    return `$.resourceSpans[0].scopeSpans[0].spans[1].attributes[${attrs.length - 1}].key`;
  }, /duplicate attribute key/],
  ['bucket counts that do not add up to the count', 'metrics', (doc) => {
    const i = metricAt(doc, 'latency');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].histogram.dataPoints[0].count = '5';
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].histogram.dataPoints[0].count`;
  }, /is 5 but the bucket counts add up to 4/],
  ['exponential bucket counts that do not add up to the count', 'metrics', (doc) => {
    const i = metricAt(doc, 'wait');
    const point = doc.resourceMetrics[0].scopeMetrics[0].metrics[i].exponentialHistogram.dataPoints[0];
    point.count = String(Number(point.count) + 1);
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].exponentialHistogram.dataPoints[0].count`;
  }, /but zeroCount and the bucket counts add up to/],
  ['an exponential histogram scale past the data model', 'metrics', (doc) => {
    const i = metricAt(doc, 'wait');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].exponentialHistogram.dataPoints[0].scale = 21;
    return `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].exponentialHistogram.dataPoints[0].scale`;
  }, /an integer from -10 to 20/],
  ['a lone surrogate in a span name', 'traces', (doc) => {
    spans(doc)[0].name = 'bad \ud800 name';
    return `${span0}.name`;
  }, /not well-formed Unicode/],
  ['a 32-bit integer sent as a string', 'traces', (doc) => {
    spans(doc)[0].flags = '1';
    return `${span0}.flags`;
  }, /expected a fixed32 as a JSON number/],
  ['an empty list of spans', 'traces', (doc) => {
    doc.resourceSpans[0].scopeSpans[0].spans = [];
    return '$.resourceSpans[0].scopeSpans[0].spans';
  }, /at least one element/],
  ['a metric with no data', 'metrics', (doc) => {
    delete doc.resourceMetrics[0].scopeMetrics[0].metrics[0].sum;
    return '$.resourceMetrics[0].scopeMetrics[0].metrics[0]';
  }, /exactly one of gauge, sum, histogram, exponentialHistogram, summary/],
];

for (const [what, signal, mutate, message] of invalid) {
  test(`rejected with its JSON path: ${what}`, async () => {
    const doc = await fresh(signal);
    validateOtlpJson(signal, doc); // valid before the change
    const path = mutate(doc);
    assert.throws(() => decodeOtlp(signal, doc), (e) => {
      assert.ok(e instanceof DecodeError, `a DecodeError, not ${e}`);
      assert.equal(e.path, path);
      assert.ok(e.message.startsWith(`${path}: `), e.message);
      assert.match(e.message, message);
      return true;
    });
  });
}

test('the collector answers an invalid OTLP body with 400 naming the path, and records nothing from it', async () => {
  const collector = await startCollector();
  try {
    const doc = await fresh('metrics');
    const i = metricAt(doc, 'latency');
    doc.resourceMetrics[0].scopeMetrics[0].metrics[i].histogram.dataPoints[0].count = 4;
    const post = (body) => fetch(`${collector.otlpUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post(doc);
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error, `$.resourceMetrics[0].scopeMetrics[0].metrics[${i}].histogram.dataPoints[0].count: expected a fixed64 as a decimal string (proto3 JSON mapping), got number 4`);
    assert.equal(collector.metrics.length, 0);
    assert.equal(collector.rejected[0].reason, error);

    const ok = await post(await fresh('metrics'));
    assert.equal(ok.status, 200);
    assert.equal(collector.metrics.length, 9);
    assert.ok(collector.metrics.every((m) => m.format === 'otlp-json' && m.service === 'svc'));
  } finally {
    await collector.close();
  }
});

test('a native exponential histogram whose buckets do not add up to its count is refused, naming the field', async () => {
  const { native } = await realPayloads();
  const doc = structuredClone(native.find((d) => (d.metrics ?? []).some((m) => m.exponential)));
  const i = doc.metrics.findIndex((m) => m.exponential);
  decodeNative(structuredClone(doc)); // as produced: accepted
  doc.metrics[i].exponential.zeroCount += 1;
  assert.throws(() => decodeNative(doc), (e) => e instanceof DecodeError && e.message.includes(`$.metrics[${i}].exponential`));
  doc.metrics[i].exponential.zeroCount -= 1;
  doc.metrics[i].exponential.positive.bucketCounts.push(-1);
  assert.throws(() => decodeNative(doc), (e) => e instanceof DecodeError && e.message.includes(`$.metrics[${i}].exponential.positive.bucketCounts`));
});
