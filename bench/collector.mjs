// What the collector costs in workerd CPU, from one run:
//   ingest   per request's worth of telemetry (the bench workload's shape, bench/workers/
//            workload.js: a server root span, 5 child spans with 2 attributes each, 3 metric
//            updates, 1 log line, plus the request-duration histogram instrument() records),
//            posted as edgescope's native JSON (one POST), OTLP JSON and OTLP protobuf (one POST
//            per signal: traces, metrics, logs), each payload its own, so none is a duplicate.
//   summary  GET /api/observe/summary over a seeded store: SERIES request series of one service
//            (5 routes x 4 statuses x 5 cache tiers) with a point every minute, POINTS points in all,
//            rolled up by the collector's own cron before the queries, read at windows 1h and 24h.
// CPU is the workerd process's, read from outside (bench/workerd-cpu.mjs: its threads'
// /proc/<pid>/task/<tid>/schedstat), because workerd's clock does not advance during CPU work:
// nothing is timed inside it. It includes Miniflare's local D1 (SQLite, run by the same workerd
// process), so it is an upper bound on what the Worker itself is billed for on Cloudflare, where
// D1 runs elsewhere. The sides run in rotating rounds in one process.
//
// Environment: ROUNDS, PER_ROUND (ingest: default 4 x 100 payload sets per format), POINTS
// (default 100000), QUERIES (summary queries per window, default 20).
import { createTelemetry } from 'edgescope';
import { bundleWorker } from '../js/testing/index.js';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../tests/workerd/collector-helpers.js';
import { cpuNs, launch, positive, rotation, threadsShortfallMs } from './workerd-cpu.mjs';

const ROUNDS = positive('ROUNDS', 4);
const PER_ROUND = positive('PER_ROUND', 100);
const POINTS = positive('POINTS', 100_000);
const QUERIES = positive('QUERIES', 20);
const TOKEN = 'bench-ingest-token-0123456789';
const FORMATS = ['native', 'otlp-json', 'otlp-proto'];
const TYPE = { native: 'application/json', 'otlp-json': 'application/json', 'otlp-proto': 'application/x-protobuf' };
const REQUEST = 'http.server.request.duration';

// An exporter keeping each payload's bytes (and the signal its OTLP path is for).
function keeping(format, sink) {
  return { name: `keep-${format}`, format, endpoint: 'memory', async send(payloads) {
    for (const p of payloads) sink.push({ signal: p.signal, body: Buffer.from(p.body) });
    return payloads.map((p) => ({ ok: true, records: p.records }));
  } };
}

// One request's worth of telemetry, flushed once into every format: -> { format: [payloads] }.
async function requestPayloads(k) {
  const out = Object.fromEntries(FORMATS.map((f) => [f, []]));
  const t = createTelemetry({ service: 'bench', requestMetrics: false, exporters: FORMATS.map((f) => keeping(f, out[f])) });
  const path = `/item/${k % 10}`;
  const { span: root } = t.startRemoteSpan(`GET ${path}`, { kind: 'server', attributes: { 'http.request.method': 'GET', 'url.path': path, 'http.route': '/item/:id' } });
  for (let i = 0; i < 5; i++) {
    const child = root.startSpan('step');
    child.setAttribute('step.index', i);
    child.setAttribute('step.kind', 'compute');
    child.end();
  }
  t.metrics.increment('bench.requests', 1, { path });
  t.metrics.gauge('bench.inflight', 1);
  t.metrics.histogram('bench.size', 42, undefined, { unit: 'By' });
  root.logger.info('handled', { path });
  t.metrics.histogram(REQUEST, 0.004 + (k % 7) / 1000, { 'http.request.method': 'GET', 'http.route': '/item/:id', 'http.response.status_code': 200 }, { unit: 's' });
  root.end();
  await t.flush();
  return out;
}

const url = (worker, format, signal) => `${worker.url}${format === 'native' ? '/api/observe/ingest' : `/v1/${signal}`}`;

async function post(worker, format, payload) {
  const res = await fetch(url(worker, format, payload.signal), { method: 'POST', headers: { 'content-type': TYPE[format], authorization: `Bearer ${TOKEN}` }, body: payload.body });
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 202) throw new Error(`${format} ${payload.signal}: ${res.status}`);
}

// The seeded store: one payload per minute of the last 24 h, each with one point per series.
async function seed(worker, db) {
  const routes = ['/', '/item/:id', '/cart', '/search', '/login'];
  const statuses = [200, 201, 404, 503];
  const tiers = ['memory', 'kv', 'origin', 'none', 'cache-api'];
  const series = routes.flatMap((route) => statuses.flatMap((status) => tiers.map((tier) => ({ route, status, tier }))));
  const minutes = Math.ceil(POINTS / series.length);
  const start = Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000;
  for (let m = 0; m < minutes; m++) {
    const docs = [];
    const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keeping('native', docs)] });
    series.forEach((s, i) => {
      const tags = { 'http.request.method': 'GET', 'http.route': s.route, 'http.response.status_code': s.status, 'cache.tier': s.tier };
      for (let v = 0; v < 3; v++) t.metrics.histogram(REQUEST, 0.002 * (1 + ((m + i + v) % 50)), tags, { unit: 's' });
    });
    await t.flush();
    for (const d of docs) {
      const doc = JSON.parse(d.body.toString());
      for (const p of doc.metrics) p.timestamp = start + m * 60_000 + 1000;
      await post(worker, 'native', { signal: 'mixed', body: JSON.stringify(doc) });
    }
  }
  // The collector's own cron, at the minute now, until every point is in the minute rollups.
  const w = await worker.mf.getWorker();
  for (let run = 0; run < 1000; run++) {
    await w.scheduled({ scheduledTime: new Date(), cron: '* * * * *' });
    const { n } = await db.prepare("SELECT count(*) AS n FROM metric_points WHERE id > coalesce((SELECT last_id FROM rollup_cursor WHERE name = 'minute'), 0)").first();
    if (n === 0) break;
  }
  const { points } = await db.prepare('SELECT count(*) AS points FROM metric_points').first();
  const { rows } = await db.prepare('SELECT count(*) AS rows FROM rollups WHERE resolution = 60').first();
  return { series: series.length, minutes, points, rows };
}

const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

async function main() {
  const bundle = await bundleWorker(fileURLToPath(new URL('./workers/collector.js', import.meta.url)));
  const { worker, pid, output } = await launch(bundle, { INGEST_TOKEN: TOKEN }, { d1Databases: ['DB'] });
  try {
    const db = await worker.mf.getD1Database('DB');
    await applyMigrations(db);

    // ---- ingest ----
    const sets = [];
    for (let k = 0; k < ROUNDS * PER_ROUND + 20; k++) sets.push(await requestPayloads(k));
    const bytes = Object.fromEntries(FORMATS.map((f) => [f, sets[0][f].reduce((n, p) => n + p.body.length, 0)]));
    const posts = Object.fromEntries(FORMATS.map((f) => [f, sets[0][f].length]));
    let next = 0;
    // Warm-up: every format's path compiled and its statements prepared.
    for (; next < 20; next++) for (const f of FORMATS) for (const p of sets[next][f]) await post(worker, f, p);
    const ns = Object.fromEntries(FORMATS.map((f) => [f, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      const first = next;
      for (const f of rotation(FORMATS, round)) {
        const before = cpuNs(pid);
        for (let k = first; k < first + PER_ROUND; k++) for (const p of sets[k][f]) await post(worker, f, p);
        ns[f] += cpuNs(pid) - before;
      }
      next += PER_ROUND;
    }
    console.log(`ingest: workerd CPU per request's worth of telemetry (${ROUNDS} x ${PER_ROUND} each; root + 5 spans, 4 metric series, 1 log)`);
    for (const f of FORMATS) console.log(`  ${f.padEnd(11)} ${fmt(ns[f] / 1e6 / (ROUNDS * PER_ROUND))} ms CPU  (${posts[f]} POST${posts[f] > 1 ? 's' : ''}, ${bytes[f]} bytes)`);

    // ---- summary over a seeded store ----
    const seeded = await seed(worker, db);
    console.log(`summary: ${seeded.points} points stored (${seeded.series} series x ${seeded.minutes} minutes, plus the ingest side's), ${seeded.rows} minute rollup rows`);
    for (const window of ['1h', '24h']) {
      const get = async () => {
        const res = await fetch(`${worker.url}/api/observe/summary?window=${window}`);
        const body = await res.json();
        if (res.status !== 200) throw new Error(`summary ${window}: ${res.status} ${JSON.stringify(body)}`);
        return body;
      };
      const warm = await get();
      const before = cpuNs(pid);
      for (let i = 0; i < QUERIES; i++) await get();
      const ms = (cpuNs(pid) - before) / 1e6 / QUERIES;
      const requests = warm.services.reduce((n, x) => n + x.requests, 0);
      console.log(`  window ${window.padEnd(4)} ${fmt(ms)} ms CPU per query (${QUERIES} queries; ${requests} requests of ${warm.services.length} services summarized)`);
    }
    const short = threadsShortfallMs(pid);
    if (short > 20) console.log(`note: exited workerd threads carried ${short.toFixed(0)} ms not in the figures above`);
    if (output.lines) console.log(`workerd printed ${output.lines} line(s); first: ${output.first}`);
  } finally {
    await worker.dispose();
  }
}

await main();
