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
import { applyMigrations } from './collector-helpers.js';
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
