// The collector's OTLP/HTTP endpoints inside workerd against Miniflare's real D1: an instrumented
// Worker exporting one drain as native JSON, OTLP JSON and OTLP protobuf (gzip) to three
// collectors leaves the same spans, metric points and logs in each; hostile requests get the
// right status in the request's encoding and store nothing; an Idempotency-Key makes a retried
// export stored once; Cloudflare Workers Observability's probe and export are accepted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startWorker } from 'edgescope/testing';
import { concat, fields, lenField, varint } from '../../js/exporters/proto-wire.js';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { payloadStatements, storePayload } from '../../js/collector/ingest/store.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { decodeOtlpJson } from '../../js/wire/otlp-decode/index.js';
import { applyMigrations, startCollectorWith } from './collector-helpers.js';
import { bundleOf, sleep } from './helpers.js';

const TOKEN = 'otlp-token-0123456789abcdef';
const TABLES = ['batches', 'spans', 'metric_points', 'logs'];
const cloudflareTraces = JSON.parse(readFileSync(new URL('../fixtures/cloudflare-otlp-traces.json', import.meta.url), 'utf8'));
const cloudflareLogs = JSON.parse(readFileSync(new URL('../fixtures/cloudflare-otlp-logs.json', import.meta.url), 'utf8'));

async function startCollector() {
  // tests/workerd/workers/collector-ingest.js: caps of 64 KiB as sent and 256 KiB inflated.
  const worker = await startWorker({ bundle: await bundleOf('collector-ingest'), d1Databases: ['DB'], bindings: { INGEST_TOKEN: TOKEN } });
  const db = await worker.mf.getD1Database('DB');
  await applyMigrations(db);
  return { worker, db };
}

const collectors = {};
let app;
before(async () => {
  for (const name of ['native', 'json', 'proto']) collectors[name] = await startCollector();
  app = await startWorker({
    bundle: await bundleOf('collector-otlp-sender'),
    bindings: {
      TOKEN,
      NATIVE_URL: `${collectors.native.worker.url}/api/observe/ingest`,
      OTLP_JSON_URL: collectors.json.worker.url,
      OTLP_PROTO_URL: collectors.proto.worker.url,
    },
  });
});
after(async () => {
  await app?.dispose();
  for (const c of Object.values(collectors)) await c.worker.dispose();
});

async function counts(db) {
  const out = {};
  for (const table of TABLES) out[table] = (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first()).n;
  return out;
}
const rows = async (db, sql) => (await db.prepare(sql).all()).results;

// The collector's stored records without what differs by transport: the row id, the batch id,
// and the fields only the native format carries (per-flush percentiles of a sketch).
async function stored(db) {
  return {
    spans: await rows(db, 'SELECT trace_id, span_id, parent_span_id, name, service, kind, start_time, end_time, status, status_message, attributes, events FROM spans ORDER BY span_id'),
    metrics: await rows(db, 'SELECT name, type, value, unit, time, tags, service, count, sum, min, max, bounds, bucket_counts, exponential FROM metric_points ORDER BY name, tags, time'),
    logs: await rows(db, 'SELECT time, level, message, attributes, error, trace_id, span_id, service FROM logs ORDER BY time, message'),
  };
}

test('an instrumented Worker exporting OTLP JSON and OTLP protobuf (gzip) leaves the same records as native', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await app.fetch(`/item/${i}`)).status, 200);
  // Each request's flush runs in waitUntil after the response: wait for the rows (bounded).
  const done = async () => (await Promise.all(Object.values(collectors).map((c) => counts(c.db)))).every((c) => c.logs >= 6);
  for (let i = 0; i < 200 && !(await done()); i++) await sleep(50);
  const native = await stored(collectors.native.db);
  assert.equal(native.spans.length, 9);
  assert.equal(native.logs.length, 6);
  assert.ok(native.metrics.length >= 15, `${native.metrics.length} metric points`);
  for (const name of ['json', 'proto']) {
    const otlp = await stored(collectors[name].db);
    assert.deepEqual(otlp.spans, native.spans, `${name}: spans`);
    assert.deepEqual(otlp.metrics, native.metrics, `${name}: metric points`);
    assert.deepEqual(otlp.logs, native.logs, `${name}: logs`);
    // One batch row per OTLP export request, keyed by the exporter's Idempotency-Key.
    const batches = await rows(collectors[name].db, 'SELECT batch_id, service FROM batches');
    assert.ok(batches.every((b) => /^[0-9a-f]{32}$/.test(b.batch_id) && b.service === 'sender'), JSON.stringify(batches));
  }
  const stats = await (await app.fetch('/__stats')).json();
  assert.equal(stats.failed, 0, JSON.stringify(stats));
  assert.equal(stats.rejected, 0, JSON.stringify(stats));
});

// ---- requests made by hand ------------------------------------------------------------------

const target = () => collectors.json;
function post(path, body, headers = {}, token = TOKEN) {
  const h = { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers };
  return fetch(`${target().worker.url}${path}`, { method: 'POST', headers: h, body });
}
const protobuf = { 'content-type': 'application/x-protobuf' };

// One span as OTLP JSON.
function tracesDoc(name = 'by-hand', spanId = '1111111111111111') {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand' } }] },
      scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId, name, kind: 1, startTimeUnixNano: '1765112400000000000', endTimeUnixNano: '1765112400001000000' }] }],
    }],
  };
}

// google.rpc.Status { int32 code = 1; string message = 2 } from protobuf bytes.
function readStatus(bytes) {
  const out = {};
  for (const f of fields(bytes)) {
    if (f.field === 1) out.code = varint(bytes, f.valueStart, f.end)[0];
    if (f.field === 2) out.message = new TextDecoder().decode(bytes.subarray(f.valueStart, f.end));
  }
  return out;
}

async function unchanged(fn) {
  const before = await counts(target().db);
  await fn();
  assert.deepEqual(await counts(target().db), before);
}

const HOSTILE = [
  { what: 'no bearer token', path: '/v1/traces', body: () => JSON.stringify(tracesDoc()), token: null, status: 401 },
  { what: 'text/plain', path: '/v1/logs', body: () => '{}', headers: { 'content-type': 'text/plain' }, status: 415 },
  { what: 'a brotli encoding', path: '/v1/traces', body: () => JSON.stringify(tracesDoc()), headers: { 'content-encoding': 'br' }, status: 415 },
  { what: 'a body over the cap', path: '/v1/traces', body: () => JSON.stringify({ ...tracesDoc(), pad: 'x'.repeat(70 * 1024) }), status: 413 },
  { what: 'a gzip body inflating past the decoded cap', path: '/v1/metrics', body: () => gzipSync(' '.repeat(300 * 1024)), headers: { 'content-encoding': 'gzip' }, status: 413 },
  { what: 'malformed JSON', path: '/v1/traces', body: () => '{"resourceSpans":', status: 400, at: '$' },
  { what: 'a span with a short trace id', path: '/v1/traces', body: () => JSON.stringify(tracesDoc()).replace('ab'.repeat(16), 'abcd'), status: 400, at: '$.resourceSpans[0].scopeSpans[0].spans[0].traceId' },
  { what: 'an enum by name', path: '/v1/traces', body: () => JSON.stringify(tracesDoc()).replace('"kind":1', '"kind":"SPAN_KIND_INTERNAL"'), status: 400, at: '$.resourceSpans[0].scopeSpans[0].spans[0].kind' },
  { what: 'a malformed Idempotency-Key', path: '/v1/traces', body: () => JSON.stringify(tracesDoc()), headers: { 'idempotency-key': 'two words' }, status: 400, at: 'Idempotency-Key' },
];

for (const { what, path, body, headers = {}, token = TOKEN, status, at } of HOSTILE) {
  test(`OTLP JSON, ${what}: ${status} with a JSON error, nothing stored`, async () => {
    await unchanged(async () => {
      const res = await post(path, body(), headers, token);
      assert.equal(res.status, status, await res.clone().text());
      const doc = await res.json();
      assert.equal(typeof doc.error, 'string');
      if (status !== 401) {
        // OTLP/HTTP "Failures": a google.rpc.Status, JSON-encoded for a JSON request.
        assert.equal(doc.code, 3);
        assert.match(doc.message, /\S/);
      }
      if (at !== undefined) assert.equal(doc.path, at);
    });
  });
}

test('a malformed protobuf body: 400 with a protobuf Status naming the field and the byte', async () => {
  await unchanged(async () => {
    // resourceSpans[0] (field 1) -> scopeSpans (field 2) with a length running past the end.
    const res = await post('/v1/traces', new Uint8Array([0x0a, 0x03, 0x12, 0x09, 0x00]), protobuf);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const status = readStatus(new Uint8Array(await res.arrayBuffer()));
    assert.equal(status.code, 3);
    assert.match(status.message, /\$\.resourceSpans\[0\]: .*runs past the end/);
  });
});

test('an Idempotency-Key makes a retried export stored once (200 both times); without one, every export is stored', async () => {
  const db = target().db;
  const key = 'cd'.repeat(16);
  const before = await counts(db);
  const body = JSON.stringify(tracesDoc('retried', '2222222222222222'));
  for (let i = 0; i < 2; i++) {
    const res = await post('/v1/traces', body, { 'idempotency-key': key });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
  }
  // Gzip and protobuf-free: the same key is the same export.
  const gz = await post('/v1/traces', gzipSync(body), { 'idempotency-key': `"${key}"`, 'content-encoding': 'gzip' });
  assert.equal(gz.status, 200);
  assert.equal((await counts(db)).spans, before.spans + 1);
  assert.equal((await rows(db, `SELECT count(*) AS n FROM spans WHERE batch_id = '${key}'`))[0].n, 1);
  for (let i = 0; i < 2; i++) assert.equal((await post('/v1/traces', JSON.stringify(tracesDoc('unkeyed', '3333333333333333')))).status, 200);
  assert.equal((await rows(db, "SELECT count(*) AS n FROM spans WHERE name = 'unkeyed'"))[0].n, 2);
});

test('a protobuf export is answered in protobuf: an empty response, or a partial success counting what was not stored', async () => {
  const db = target().db;
  // ExportMetricsServiceRequest { resource_metrics { scope_metrics { metrics { name: "q",
  // summary (field 11) { data_points { } } } } } }: valid OTLP that edgescope does not store.
  const name = new Uint8Array([0x0a, 0x01, 0x71]);
  const summary = lenField(1, lenField(2, lenField(2, concat([name, lenField(11, lenField(1, new Uint8Array(0)))]))));
  const before = await counts(db);
  const res = await post('/v1/metrics', summary, protobuf);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  const bytes = new Uint8Array(await res.arrayBuffer());
  const [partial] = fields(bytes);
  assert.equal(partial.field, 1);
  const inner = Object.fromEntries(fields(bytes, partial.valueStart, partial.end).map((f) => [f.field, f]));
  assert.equal(varint(bytes, inner[1].valueStart, inner[1].end)[0], 1);
  assert.match(new TextDecoder().decode(bytes.subarray(inner[2].valueStart, inner[2].end)), /summary/);
  assert.deepEqual(await counts(db), before);
  const empty = await post('/v1/logs', new Uint8Array(0), protobuf);
  assert.equal(empty.status, 200);
  assert.equal((await empty.arrayBuffer()).byteLength, 0);
});

test('a JSON partial success names the count as proto3 JSON does (an int64 string) and stores the rest', async () => {
  const db = target().db;
  const point = { timeUnixNano: '1765112400000000000', startTimeUnixNano: '1765112399000000000', asInt: '4' };
  const doc = {
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand' } }] },
      scopeMetrics: [{ metrics: [
        { name: 'hand.delta', sum: { dataPoints: [point], aggregationTemporality: 1, isMonotonic: true } },
        { name: 'hand.cumulative', sum: { dataPoints: [point, point], aggregationTemporality: 2, isMonotonic: true } },
      ] }],
    }],
  };
  const res = await post('/v1/metrics', JSON.stringify(doc));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.partialSuccess.rejectedDataPoints, '2');
  assert.match(body.partialSuccess.errorMessage, /delta/);
  assert.deepEqual(await rows(db, "SELECT name, type, value, service FROM metric_points WHERE service = 'hand'"), [{ name: 'hand.delta', type: 'counter', value: 4, service: 'hand' }]);
});

test("Cloudflare Workers Observability: the destination's probe is answered 200 and stores nothing", async () => {
  // The probe's body is not documented: an empty body, an empty object and empty lists are all
  // empty export requests.
  await unchanged(async () => {
    for (const [path, body] of [['/v1/traces', ''], ['/v1/traces', '{}'], ['/v1/traces', '{"resourceSpans":[]}'], ['/v1/logs', '{"resourceLogs":[]}']]) {
      const res = await post(path, body);
      assert.equal(res.status, 200, `${path} ${JSON.stringify(body)}: ${await res.clone().text()}`);
      assert.deepEqual(await res.json(), {});
    }
    // A bare POST: no Content-Type, no body.
    const bare = await fetch(`${target().worker.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bare.status, 200, await bare.clone().text());
    assert.deepEqual(await bare.json(), {});
  });
});

test('Cloudflare Workers Observability: a replayed trace and log export is stored under the Worker as service', async () => {
  const db = target().db;
  for (const [path, fixture] of [['/v1/traces', cloudflareTraces], ['/v1/logs', cloudflareLogs]]) {
    const res = await post(path, JSON.stringify(fixture.request));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), {});
  }
  const spans = await rows(db, "SELECT name, kind, status, parent_span_id, attributes FROM spans WHERE service = 'my-worker' ORDER BY start_time");
  assert.deepEqual(spans.map((s) => [s.name, s.kind, s.status]), cloudflareTraces.expect.spans);
  assert.equal(JSON.parse(spans[0].attributes)['cloudflare.ray_id'], cloudflareTraces.expect.rayId);
  const logs = await rows(db, "SELECT level, message, trace_id FROM logs WHERE service = 'my-worker' ORDER BY time");
  assert.deepEqual(logs.map((l) => [l.level, l.message]), cloudflareLogs.expect.logs);
  assert.ok(logs.every((l) => l.trace_id === cloudflareLogs.expect.traceId));
  const batch = await rows(db, "SELECT service, resource FROM batches WHERE service = 'my-worker'");
  assert.equal(batch.length, 2);
  assert.equal(JSON.parse(batch[0].resource)['cloud.provider'], 'cloudflare');
});

// ---- limits: what the store and the rollups can hold, and failures in the request's encoding ----

const READ = 'otlp-read-token-0123456789';
// A collector with the default body caps (1 MiB sent, 8 MiB inflated) and a read token.
let roomy;
async function roomyCollector() {
  roomy ??= await startCollectorWith({ bundleName: 'collector-query', bindings: { INGEST_TOKEN: TOKEN, READ_TOKEN: READ } });
  return roomy;
}
after(() => roomy?.worker.dispose());
const postTo = (c, path, body, headers = {}) => fetch(`${c.worker.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers }, body });
const ns = (ms) => `${BigInt(Math.round(ms * 1000)) * 1000n}`; // ms to ns, kept to the microsecond
const metricsExport = (service, metrics) => ({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeMetrics: [{ metrics }] }] });
// An exponential-histogram point of `n` buckets of 1 at `scale`.
const expPoint = (time, scale, n, extra = {}) => ({ timeUnixNano: ns(time), count: String(n), sum: n, min: 1, max: 2, scale, zeroCount: '0', positive: { offset: 0, bucketCounts: new Array(n).fill(1) }, ...extra });

test('an exponential histogram of 300,000 buckets or a scale outside -10..20 is refused into partial success naming the field; the rest is stored', async () => {
  const c = await roomyCollector();
  const now = Date.now();
  const doc = metricsExport('wide', [{ name: 'lat', unit: 's', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [
    expPoint(now, -10, 300_000), expPoint(now, -11, 2), expPoint(now, 3, 4),
  ] } }]);
  const res = await postTo(c, '/v1/metrics', gzipSync(JSON.stringify(doc)), { 'content-encoding': 'gzip' });
  assert.equal(res.status, 200, await res.clone().text());
  const { partialSuccess } = await res.json();
  assert.equal(partialSuccess.rejectedDataPoints, '2');
  assert.match(partialSuccess.errorMessage, /dataPoints\[0\]\.positive\.bucketCounts: 300000 buckets; at most 4096 per side/);
  assert.match(partialSuccess.errorMessage, /dataPoints\[1\]\.scale: expected an integer from -10 to 20, got -11/);
  assert.deepEqual(await rows(c.db, "SELECT name, count FROM metric_points WHERE service = 'wide'"), [{ name: 'lat', count: 4 }]);
});

test('wide sketches written straight into D1 are skipped by the cron, counted and logged; it rolls the rest, moves on, and the summary answers', async (t) => {
  const c = await roomyCollector();
  const now = Date.now();
  const minute = Math.floor((now - 5 * 60_000) / 60_000) * 60_000;
  const sketch = (scale, n) => JSON.stringify({ scale, zeroCount: 0, positive: { offset: 0, bucketCounts: new Array(n).fill(1) }, negative: { offset: 0, bucketCounts: [] } });
  const insert = 'INSERT INTO metric_points (name, type, value, unit, time, tags, service, count, sum, min, max, exponential) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const tags = JSON.stringify({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
  await c.db.batch([
    c.db.prepare(insert).bind('http.server.request.duration', 'histogram', 300_000, 's', minute + 1000, tags, 'injected', 300_000, 300_000, 1, 2, sketch(-10, 300_000)),
    c.db.prepare(insert).bind('http.server.request.duration', 'histogram', 300_000, 's', minute + 2000, tags, 'injected', 300_000, 300_000, 1, 2, sketch(-10, 300_000)),
    c.db.prepare(insert).bind('http.server.request.duration', 'histogram', 0.6, 's', minute + 3000, tags, 'injected', 3, 0.6, 0.1, 0.3, JSON.stringify({ scale: 3, zeroCount: 0, positive: { offset: -20, bucketCounts: [1, 1, 1] }, negative: { offset: 0, bucketCounts: [] } })),
  ]);
  const maxId = (await c.db.prepare('SELECT max(id) AS id FROM metric_points').first()).id;
  const warnings = [];
  t.mock.method(console, 'warn', (...args) => warnings.push(args.join(' ')));
  t.mock.method(console, 'log', () => {});
  const settings = validateCollectorConfig({ tokens: [{ name: 'test', token: TOKEN }] });
  const first = await runScheduled(c.db, settings, now);
  assert.equal(first.minutes.skipped, 2);
  assert.equal(first.minutes.cursor, maxId, 'the cursor moved past the skipped points');
  assert.ok(warnings.some((w) => /edgescope collector cron: 2 points .*left out of the rollups/.test(w)), warnings.join('\n'));
  const [row] = await rows(c.db, "SELECT count, points FROM rollups WHERE service = 'injected' AND resolution = 60");
  assert.deepEqual(row, { count: 3, points: 1 });
  // The next run has nothing left to fold: the bad points are not retried.
  assert.equal((await runScheduled(c.db, settings, now + 60_000)).minutes.points, 0);
  const summary = await fetch(`${c.worker.url}/api/observe/summary?service=injected&window=1h`, { headers: { authorization: `Bearer ${READ}` } });
  assert.equal(summary.status, 200, await summary.clone().text());
  assert.equal((await summary.json()).services[0].requests, 3);
});

test('an 8,192-span OTLP export is stored exactly, in a handful of D1 statements', async () => {
  const c = await roomyCollector();
  const start = Date.UTC(2026, 11, 7, 12, 0, 0);
  const spans = Array.from({ length: 8192 }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, 'f'),
    name: `op ${i} ü`,
    kind: 2,
    startTimeUnixNano: ns(start + i),
    endTimeUnixNano: ns(start + i + 1.5),
    attributes: [{ key: 'i', value: { intValue: String(i) } }, { key: 'note', value: { stringValue: `'quoted' "${i}"` } }],
  }));
  const doc = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bulk' } }] }, scopeSpans: [{ spans }] }] };
  const decoded = decodeOtlpJson('traces', doc);
  const statements = payloadStatements({ batchId: 'bulk', version: null, service: 'bulk', resource: null, spans: decoded.spans, metrics: [], logs: [] });
  assert.ok(statements.length <= 6, `${statements.length} statements`);
  const res = await postTo(c, '/v1/traces', gzipSync(JSON.stringify(doc)), { 'content-encoding': 'gzip', 'idempotency-key': 'bulk-8192' });
  assert.equal(res.status, 200, await res.clone().text());
  const stored = await rows(c.db, "SELECT trace_id, span_id, name, start_time, end_time, attributes, batch_id FROM spans WHERE service = 'bulk' ORDER BY start_time");
  assert.equal(stored.length, 8192);
  stored.forEach((r, i) => {
    assert.deepEqual(r, { trace_id: spans[i].traceId, span_id: spans[i].spanId, name: `op ${i} ü`, start_time: start + i, end_time: start + i + 1.5, attributes: JSON.stringify({ i, note: `'quoted' "${i}"` }), batch_id: 'bulk-8192' });
  });
});

test('D1 refusing a payload for what it holds is a 400 naming it, nothing stored; D1 unavailable stays a 500', async () => {
  const c = await roomyCollector();
  const payload = (status) => ({ batchId: null, version: null, service: 'refused', resource: null, spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, name: 'x', service: 'refused', kind: 'server', startTime: 1, endTime: 2, status, statusMessage: '', attributes: {}, events: [] }], metrics: [], logs: [] });
  const before = await counts(c.db);
  await assert.rejects(storePayload(c.db, payload('bogus')), (e) => e.name === 'HttpError' && e.status === 400 && /CHECK constraint failed.*status/.test(e.message));
  assert.deepEqual(await counts(c.db), before, 'the batches row was rolled back with the span');
  const unavailable = { prepare: (sql) => c.db.prepare(sql), batch: async () => { throw new Error('D1_ERROR: Network connection lost.'); } };
  await assert.rejects(storePayload(unavailable, payload('ok')), (e) => e.name !== 'HttpError' && /Network connection lost/.test(e.message));
});

test('a histogram without sum and a log without any time are stored (sum NULL; the log dated on receipt)', async () => {
  const c = await roomyCollector();
  const now = Date.now();
  const doc = metricsExport('nosum', [{ name: 'skew', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [expPoint(now, 3, 3, { sum: undefined, min: -1 })] } }]);
  assert.equal((await postTo(c, '/v1/metrics', JSON.stringify(doc))).status, 200);
  assert.deepEqual(await rows(c.db, "SELECT value, sum, count FROM metric_points WHERE service = 'nosum'"), [{ value: 0, sum: null, count: 3 }]);
  const before = Date.now();
  const logs = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'notime' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'when?' } }] }] }] };
  assert.equal((await postTo(c, '/v1/logs', JSON.stringify(logs))).status, 200);
  const [log] = await rows(c.db, "SELECT time FROM logs WHERE service = 'notime'");
  assert.ok(log.time >= before - 1000 && log.time <= Date.now() + 1000, `dated ${log.time}`);
});

test('OTLP paths answer 401, 404, 405 and 500 with a google.rpc.Status in the request\'s encoding', async () => {
  const c = target();
  const url = c.worker.url;
  const span = new Uint8Array(0);
  const cases = [
    { what: 'no token', init: { method: 'POST', headers: protobuf, body: span }, status: 401, code: 16 },
    { what: 'an unknown signal', init: { method: 'POST', headers: { ...protobuf, authorization: `Bearer ${TOKEN}` }, body: span }, path: '/v1/profiles', status: 404, code: 5 },
    { what: 'GET', init: { method: 'GET', headers: protobuf }, status: 405, code: 12 },
  ];
  for (const { what, init, path = '/v1/traces', status, code } of cases) {
    const res = await fetch(`${url}${path}`, init);
    assert.equal(res.status, status, what);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf', what);
    const s = readStatus(new Uint8Array(await res.arrayBuffer()));
    assert.equal(s.code, code, what);
    assert.match(s.message, /\S/, what);
    if (status === 401) assert.match(res.headers.get('www-authenticate'), /^Bearer /);
    if (status === 405) assert.equal(res.headers.get('allow'), 'POST');
    // The same failure for a JSON request: the Status as JSON, with the collector's `error`.
    const json = await fetch(`${url}${path}`, { ...init, headers: { ...init.headers, 'content-type': 'application/json' }, body: init.method === 'GET' ? undefined : '{}' });
    assert.equal(json.status, status, what);
    const body = await json.json();
    assert.equal(body.code, code, what);
    assert.equal(typeof body.error, 'string');
  }
  // A collector deployed without its D1 binding: 500 INTERNAL, in protobuf for a protobuf export.
  const bare = await startWorker({ bundle: await bundleOf('collector-ingest'), bindings: { INGEST_TOKEN: TOKEN } });
  try {
    const res = await fetch(`${bare.url}/v1/traces`, { method: 'POST', headers: { ...protobuf, authorization: `Bearer ${TOKEN}` }, body: new Uint8Array([0x0a, 0x00]) });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const s = readStatus(new Uint8Array(await res.arrayBuffer()));
    assert.equal(s.code, 13);
    assert.match(s.message, /no D1 binding named DB/);
  } finally {
    await bare.dispose();
  }
});
