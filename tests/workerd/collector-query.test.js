// The collector's query API inside workerd against Miniflare's real D1: real payloads from the core
// go in through POST /api/observe/ingest, and every endpoint's answer is checked against what the
// test computes itself from what was sent. Reads need the read token; paging returns every item
// once; bad parameters are 400s naming them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { startWorker } from 'edgescope/testing';
import { keepingExporter } from '../js/helpers.js';
import { bundleOf } from './helpers.js';

const INGEST = 'ingest-token-0123456789abcdef';
const READ = 'read-token-fedcba9876543210';
const MIGRATIONS = ['0001_init.sql', '0002_rollups.sql'].map((f) => new URL(`../../examples/collector/migrations/${f}`, import.meta.url)).filter(existsSync).map((u) => readFileSync(u, 'utf8'));

async function startCollector() {
  const worker = await startWorker({ bundle: await bundleOf('collector-query'), d1Databases: ['DB'], bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ } });
  const db = await worker.mf.getD1Database('DB');
  for (const text of MIGRATIONS) {
    const statements = text.split('\n').filter((line) => !line.trimStart().startsWith('--')).join('\n').split(';\n');
    for (const sql of statements.filter((s) => s.trim())) await db.prepare(sql).run();
  }
  return { worker, db };
}

// Every native payload one telemetry flushes, decoded.
async function payloads(service, record) {
  const docs = [];
  const t = createTelemetry({ service, requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  record(t);
  await t.flush();
  return docs;
}

const NOW = Date.now();
const at = (msAgo) => NOW - msAgo;

// Traces of 'shop': root `GET /item` spans i seconds apart (newest last), each i * 10 ms long,
// with a child 'db' span; every fourth child fails. Each trace logs one line; every third a warning.
const SHOP_TRACES = 12;
function shopTraces(t) {
  for (let i = 0; i < SHOP_TRACES; i++) {
    const start = at(10 * 60_000 - i * 1000);
    const root = t.startSpan(`GET /item/${i}`, { startTime: start, kind: 'server' });
    const child = root.startSpan('db', { startTime: start + 1 });
    if (i % 4 === 0) child.setStatus('error', 'db down');
    child.end(start + 2);
    if (i % 3 === 0) root.logger.warn(`item ${i}: 50%_off price missing`, { item: i });
    else root.logger.info(`item ${i} served`, { item: i });
    root.end(start + i * 10);
  }
}
function authTraces(t) {
  for (let i = 0; i < 3; i++) {
    const start = at(5 * 60_000 - i * 1000);
    t.startSpan('POST /login', { startTime: start }).end(start + 5);
    t.logger.error(`login ${i} refused`);
  }
}

let collector;
let sent; // every payload sent, decoded: the test's own record of what is stored
before(async () => {
  collector = await startCollector();
  sent = [...(await payloads('shop', shopTraces)), ...(await payloads('auth', authTraces))];
  for (const doc of sent) {
    const res = await fetch(`${collector.worker.url}/api/observe/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
      body: JSON.stringify(doc),
    });
    assert.equal(res.status, 202, await res.text());
  }
});
after(() => collector?.worker.dispose());

function read(path, token = READ) {
  return fetch(`${collector.worker.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}
async function json(path) {
  const res = await read(path);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}
// Every item of a paged list, following nextCursor; asserts no page is larger than `limit`.
async function allPages(path, list, limit) {
  const items = [];
  let cursor = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const body = await json(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(body[list].length <= limit);
    items.push(...body[list]);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  assert.equal(cursor, null, 'paging ended');
  return { items, pages };
}

const sentSpans = (service) => sent.filter((d) => service === undefined || d.service === service).flatMap((d) => d.spans.map((s) => ({ ...s, service: d.service })));
const sentLogs = (service) => sent.filter((d) => service === undefined || d.service === service).flatMap((d) => d.logs.map((l) => ({ ...l, service: d.service })));

test('reads need the read token: none, a wrong one and the ingest token are 401s', async () => {
  for (const token of [null, 'not-a-token', INGEST]) {
    for (const path of ['/api/traces', '/api/logs', `/api/traces/${'a'.repeat(32)}`]) {
      const res = await read(path, token);
      assert.equal(res.status, 401, `${path} with ${token}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="edgescope"');
      assert.match((await res.json()).error, /token/);
    }
  }
});

test('the trace list: every root span of what was sent, newest first, with span counts, errors and durations', async () => {
  const spans = sentSpans();
  const roots = spans.filter((s) => !s.parentSpanId).sort((a, b) => b.startTime - a.startTime);
  const { traces } = await json('/api/traces?limit=500');
  assert.deepEqual(
    traces,
    roots.map((r) => {
      const inTrace = spans.filter((s) => s.traceId === r.traceId);
      return {
        traceId: r.traceId,
        service: r.service,
        rootName: r.operationName,
        startTime: r.startTime,
        durationMs: r.endTime - r.startTime,
        spanCount: inTrace.length,
        error: inTrace.some((s) => s.status === 'error'),
      };
    }),
  );
  assert.equal(traces.length, SHOP_TRACES + 3);
});

test('the trace list filters by service, minimum duration and error, each alone and together', async () => {
  const spans = sentSpans();
  const roots = spans.filter((s) => !s.parentSpanId);
  const failed = (r) => spans.some((s) => s.traceId === r.traceId && s.status === 'error');
  const ids = (list) => list.map((r) => r.traceId).sort();
  const cases = [
    ['service=auth', (r) => r.service === 'auth'],
    ['minDurationMs=50', (r) => r.endTime - r.startTime >= 50],
    ['error=true', failed],
    ['error=false', (r) => !failed(r)],
    ['service=shop&minDurationMs=30&error=true', (r) => r.service === 'shop' && r.endTime - r.startTime >= 30 && failed(r)],
  ];
  for (const [query, keep] of cases) {
    const { traces } = await json(`/api/traces?${query}&limit=500`);
    const expected = roots.filter(keep);
    assert.ok(expected.length > 0, query);
    assert.deepEqual(ids(traces), ids(expected), query);
  }
});

test('paging through the trace list returns every trace exactly once, in order', async () => {
  const { traces: whole } = await json('/api/traces?limit=500');
  const { items, pages } = await allPages('/api/traces', 'traces', 4);
  assert.equal(pages, Math.ceil(whole.length / 4));
  assert.deepEqual(items, whole);
  assert.equal(new Set(items.map((t) => t.traceId)).size, items.length);
});

test("one trace: all its spans with their parents, attributes and events, in start order", async () => {
  const spans = sentSpans();
  const withError = spans.find((s) => s.status === 'error');
  const body = await json(`/api/traces/${withError.traceId}`);
  const expected = spans.filter((s) => s.traceId === withError.traceId).sort((a, b) => a.startTime - b.startTime);
  assert.equal(body.traceId, withError.traceId);
  assert.equal(body.nextCursor, null);
  assert.deepEqual(
    body.spans,
    expected.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? null,
      name: s.operationName,
      service: s.service,
      kind: s.kind ?? null,
      startTime: s.startTime,
      endTime: s.endTime,
      durationMs: s.endTime - s.startTime,
      status: s.status,
      statusMessage: s.statusMessage ?? '',
      attributes: s.attributes,
      events: s.events,
    })),
  );
  assert.equal(body.spans[1].parentSpanId, body.spans[0].spanId);
  assert.equal(body.spans[1].statusMessage, 'db down');
});

test('an unknown trace is a 404; a malformed trace id is a 400 naming traceId', async () => {
  const missing = await read(`/api/traces/${'0'.repeat(31)}1`);
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /no trace/);
  const bad = await read('/api/traces/not-a-trace-id');
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).path, 'traceId');
});

test('logs: newest first, with trace ids, attributes and levels as sent', async () => {
  const logs = sentLogs();
  const { logs: got } = await json('/api/logs?limit=500');
  assert.equal(got.length, logs.length);
  // Stored in the order sent, so newest stored first is the sent order reversed.
  assert.deepEqual(
    got.map(({ id, ...rest }) => rest),
    logs.reverse().map((l) => ({
      time: l.timestamp,
      level: l.level,
      service: l.service,
      message: l.message,
      traceId: l.metadata?.traceId ?? null,
      spanId: l.metadata?.spanId ?? null,
      attributes: l.context,
      error: l.error ?? null,
    })),
  );
  assert.ok(got.every((l, i) => i === 0 || l.id < got[i - 1].id));
});

test('logs filter by service, level, trace id and literal text', async () => {
  const logs = sentLogs();
  const oneTrace = logs.find((l) => l.metadata?.traceId).metadata.traceId;
  const cases = [
    ['service=auth', (l) => l.service === 'auth'],
    ['level=warn', (l) => l.level === 'warn'],
    [`traceId=${oneTrace}`, (l) => l.metadata?.traceId === oneTrace],
    // % and _ are literal text, not LIKE wildcards: '50%_off' matches only the warnings.
    [`q=${encodeURIComponent('50%_off')}`, (l) => l.message.includes('50%_off')],
    [`q=${encodeURIComponent('%')}`, (l) => l.message.includes('%')],
    ['q=_', (l) => l.message.includes('_')],
    ['q=ITEM%201', (l) => l.message.toLowerCase().includes('item 1')],
    ['service=shop&level=info&q=served', (l) => l.service === 'shop' && l.level === 'info' && l.message.includes('served')],
  ];
  for (const [query, keep] of cases) {
    const { logs: got } = await json(`/api/logs?${query}&limit=500`);
    const expected = logs.filter(keep).map((l) => l.message).sort();
    assert.ok(expected.length > 0, query);
    assert.deepEqual(got.map((l) => l.message).sort(), expected, query);
  }
  const none = await json('/api/logs?q=no%20such%20text');
  assert.deepEqual(none, { logs: [], nextCursor: null });
});

test('paging through the logs returns every log exactly once, in order', async () => {
  const { logs: whole } = await json('/api/logs?limit=500');
  const { items } = await allPages('/api/logs', 'logs', 5);
  assert.deepEqual(items, whole);
  assert.equal(new Set(items.map((l) => l.id)).size, whole.length);
});

const BAD = [
  ['/api/traces?limit=0', 'limit'],
  ['/api/traces?limit=501', 'limit'],
  ['/api/traces?limit=ten', 'limit'],
  ['/api/traces?error=yes', 'error'],
  ['/api/traces?minDurationMs=-1', 'minDurationMs'],
  ['/api/traces?minDurationMs=fast', 'minDurationMs'],
  ['/api/traces?window=2h', 'window'],
  ['/api/traces?cursor=garbage!', 'cursor'],
  [`/api/traces?cursor=${Buffer.from('["x",1]').toString('base64url')}`, 'cursor'],
  [`/api/traces?cursor=${Buffer.from('{"id":1}').toString('base64url')}`, 'cursor'],
  ['/api/traces?sort=asc', 'sort'],
  ['/api/traces?limit=5&limit=6', 'limit'],
  ['/api/logs?level=loud', 'level'],
  ['/api/logs?traceId=xyz', 'traceId'],
  [`/api/logs?q=${'x'.repeat(201)}`, 'q'],
  ['/api/logs?q=', 'q'],
  [`/api/logs?service=${'s'.repeat(201)}`, 'service'],
  [`/api/logs?cursor=${Buffer.from('[1.5e400]').toString('base64url')}`, 'cursor'],
  ['/api/logs?tail=1&follow=2', 'tail,follow'],
  [`/api/traces/${'a'.repeat(32)}?cursor=%%%`, 'cursor'],
];

test('bad parameters are 400s naming the parameter', async () => {
  for (const [path, param] of BAD) {
    const res = await read(path);
    assert.equal(res.status, 400, path);
    const body = await res.json();
    assert.equal(body.path, param, `${path}: ${body.error}`);
    for (const name of param.split(',')) assert.ok(body.error.includes(`\`${name}\``), `${path}: ${body.error}`);
  }
});
