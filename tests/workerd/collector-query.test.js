// The collector's query API inside workerd against Miniflare's real D1: real payloads from the core
// go in through POST /api/observe/ingest, and every endpoint's answer is checked against what the
// test computes itself from what was sent. Reads need the read token; paging returns every item
// once; bad parameters are 400s naming them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { runScheduled } from '../../js/collector/scheduled.js';
import { keepingExporter } from '../js/helpers.js';
import { startCollectorWith } from './collector-helpers.js';

const INGEST = 'ingest-token-0123456789abcdef';
const READ = 'read-token-fedcba9876543210';

const startCollector = () => startCollectorWith({ bundleName: 'collector-query', bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ } });

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
// Traces of 'edge' continuing an incoming traceparent (W3C Trace Context): their root's parent is
// the caller's span, never stored here. Each logs one long line with % and _ in it.
const REMOTE_TRACES = 2;
const LONG_LINE = (i) => `edge ${i}: ${'Cache_Key%20/v1/catalog/items?page=NEXT&filter=price_50%_off '.repeat(4)}end`;
function remoteTraces(t) {
  for (let i = 0; i < REMOTE_TRACES; i++) {
    const start = at(7 * 60_000 - i * 1000);
    const traceparent = `00-${'ab'.repeat(15)}0${i}-${'c'.repeat(15)}${i}-01`;
    const { span: root } = t.startRemoteSpan(`GET /edge/${i}`, { traceparent, startTime: start });
    root.startSpan('upstream', { startTime: start + 1 }).end(start + 3);
    root.logger.info(LONG_LINE(i));
    root.end(start + 4);
  }
}
function authTraces(t) {
  for (let i = 0; i < 3; i++) {
    const start = at(5 * 60_000 - i * 1000);
    t.startSpan('POST /login', { startTime: start }).end(start + 5);
    t.logger.error(`login ${i} refused`);
  }
}

// Requests of 'shop' and 'auth' as the core records them (http.server.request.duration, seconds),
// one series per tag set. Every series holds the smallest and the largest value (MIN, MAX), in
// each of the two payloads that carry it, so every sketch stored has the scale of one sketch of all
// the values: merged, they are that sketch bucket for bucket, and its quantiles the core's own.
const MIN = 0.0004;
const MAX = 3.2;
const spread = (n, seed) => Array.from({ length: n }, (_, i) => Number((0.001 + ((i * 7919 + seed * 104729) % 997) / 997 * (MAX - 0.01)).toFixed(6)));
const REQUEST = 'http.server.request.duration';
const req = (service, method, outcome, route, tier, n, seed) => ({
  service,
  tags: { 'http.request.method': method, ...outcome, 'http.route': route, 'cache.tier': tier },
  halves: [[MIN, MAX, ...spread(n, seed)], [MIN, MAX, ...spread(n + 3, seed + 1)]],
});
const REQUESTS = [
  req('shop', 'GET', { 'http.response.status_code': 200 }, '/item', 'kv', 240, 1),
  req('shop', 'GET', { 'http.response.status_code': 200 }, '/cart', 'memory', 180, 2),
  req('shop', 'GET', { 'http.response.status_code': 503 }, '/item', 'origin', 60, 3),
  req('shop', 'POST', { 'error.type': 'TypeError' }, '/cart', 'none', 40, 4),
  req('shop', 'GET', { 'http.response.status_code': 404 }, '/cart', 'none', 90, 5),
  req('auth', 'POST', { 'http.response.status_code': 200 }, '/login', 'none', 150, 6),
  // Sent with its points three hours old: only windows over 1 h see it, and only hour rows hold
  // it once the hourly rollup ran.
  req('archive', 'GET', { 'http.response.status_code': 500 }, '/old', 'none', 120, 7),
];
const ARCHIVE_AGE = 3 * 3600_000;
const isError = (tags) => 'error.type' in tags || tags['http.response.status_code'] >= 500;
// Cache counters of 'shop' by tier, per payload.
const CACHE = { kv: { lookups: 30, hits: 21, bytes: 4096 }, memory: { lookups: 50, hits: 45, bytes: 0 } };

function recordRequests(service, half) {
  return (t) => {
    for (const r of REQUESTS.filter((x) => x.service === service)) for (const v of r.halves[half]) t.metrics.histogram(REQUEST, v, r.tags, { unit: 's' });
    if (service !== 'shop') return;
    for (const [tier, c] of Object.entries(CACHE)) {
      t.metrics.increment('edgescope.cache.lookups', c.lookups, { 'cache.tier': tier });
      t.metrics.increment('edgescope.cache.hits', c.hits, { 'cache.tier': tier });
      if (c.bytes > 0) t.metrics.increment('edgescope.cache.bytes', c.bytes, { 'cache.tier': tier }, { unit: 'By' });
    }
  };
}

// The core's own p50/p95/p99 of `values`: one telemetry records them all in one series.
async function corePercentiles(values) {
  const [doc] = await payloads('reference', (t) => {
    for (const v of values) t.metrics.histogram(REQUEST, v, {}, { unit: 's' });
  });
  const [point] = doc.metrics;
  assert.equal(point.count, values.length);
  return { p50: point.p50, p95: point.p95, p99: point.p99 };
}

// What the summary must say about `requests` (a subset of REQUESTS), computed here.
async function expectedRequests(requests) {
  const values = requests.flatMap((r) => r.halves.flat());
  const errors = requests.filter((r) => isError(r.tags)).reduce((n, r) => n + r.halves.flat().length, 0);
  return { requests: values.length, errors, errorRate: errors / values.length, ...(await corePercentiles(values)) };
}

// Errors of 'shop' as the core classifies them (SyntaxError CRITICAL, ValidationError WARNING,
// TypeError INFO: the default rules): twelve kinds, kind k thrown in k + 1 traces on /item; and
// one more kind thrown in 30 traces two hours ago (its payload's times moved back).
class ValidationError extends Error {
  name = 'ValidationError';
}
const KINDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima'];
const ERROR_CLASSES = [SyntaxError, ValidationError, TypeError];
function throwing(route, count, error) {
  return (t) => {
    for (let n = 0; n < count; n++) {
      const span = t.startSpan(`GET ${route}`, { attributes: { 'http.route': route } });
      span.recordException(error());
      span.setStatus('error', 'failed');
      span.end();
    }
  };
}
const OLD_AGE = 2 * 3600_000;
function moveBack(doc, ms) {
  for (const span of doc.spans ?? []) {
    span.startTime -= ms;
    span.endTime -= ms;
    for (const e of span.events) e.timestamp -= ms;
  }
  return doc;
}
async function errorPayloads() {
  const docs = [];
  for (const [k, word] of KINDS.entries()) docs.push(...(await payloads('shop', throwing('/item', k + 1, () => new ERROR_CLASSES[k % 3](`${word} lookup failed`)))));
  for (const doc of await payloads('shop', throwing('/old', 30, () => new SyntaxError('zulu store unreadable')))) docs.push(moveBack(doc, OLD_AGE));
  // The core's own errors counter is not what this test reads: only the spans go in (a payload
  // has no `metrics` key when it has none).
  for (const doc of docs) delete doc.metrics;
  return docs;
}

// Errors by fingerprint computed here from what was sent: one occurrence per fingerprint per
// trace, at its exception event; only occurrences at or after `from`.
function sentErrors(service, from) {
  const byFp = new Map();
  const seen = new Set();
  for (const span of sentSpans(service)) {
    const fp = span.attributes['error.fingerprint'];
    const event = span.events.find((e) => e.name === 'exception');
    if (fp === undefined || event.timestamp < from || seen.has(`${fp} ${span.traceId}`)) continue;
    seen.add(`${fp} ${span.traceId}`);
    const e = byFp.get(fp) ?? { fingerprint: fp, severity: span.attributes['error.severity'], category: span.attributes['error.category'], type: event.attributes['exception.type'], message: event.attributes['exception.message'], route: span.attributes['http.route'], count: 0, lastSeen: 0 };
    e.count += 1;
    e.lastSeen = Math.max(e.lastSeen, event.timestamp);
    byFp.set(fp, e);
  }
  return [...byFp.values()];
}

let collector;
let sent; // every payload sent, decoded: the test's own record of what is stored
before(async () => {
  collector = await startCollector();
  sent = [...(await payloads('shop', shopTraces)), ...(await payloads('auth', authTraces)), ...(await payloads('edge', remoteTraces))];
  for (const half of [0, 1]) for (const service of ['shop', 'auth']) sent.push(...(await payloads(service, recordRequests(service, half))));
  sent.push(...(await errorPayloads()));
  for (const half of [0, 1]) {
    for (const doc of await payloads('archive', recordRequests('archive', half))) {
      for (const m of doc.metrics) m.timestamp -= ARCHIVE_AGE;
      sent.push(doc);
    }
  }
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

const sentSpans = (service) => sent.filter((d) => service === undefined || d.service === service).flatMap((d) => (d.spans ?? []).map((s) => ({ ...s, service: d.service })));
// A root: a span whose parent is not among the spans sent of its trace.
const isRoot = (span, spans) => !span.parentSpanId || !spans.some((p) => p.traceId === span.traceId && p.spanId === span.parentSpanId);
const sentLogs = (service) => sent.filter((d) => service === undefined || d.service === service).flatMap((d) => (d.logs ?? []).map((l) => ({ ...l, service: d.service })));

test('reads need the read token: none, a wrong one and the ingest token are 401s', async () => {
  for (const token of [null, 'not-a-token', INGEST]) {
    for (const path of ['/api/observe/summary', '/api/metrics/http.server.request.duration', '/api/traces', '/api/logs', `/api/traces/${'a'.repeat(32)}`]) {
      const res = await read(path, token);
      assert.equal(res.status, 401, `${path} with ${token}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="edgescope"');
      assert.match((await res.json()).error, /token/);
    }
  }
});

test('the trace list: every root span of what was sent, newest first, with span counts, errors and durations', async () => {
  const spans = sentSpans();
  // Newest first; of two with one start time, the one stored later (spans are stored in the order sent).
  const roots = spans
    .map((s, order) => ({ ...s, order }))
    .filter((s) => isRoot(s, spans))
    .sort((a, b) => b.startTime - a.startTime || b.order - a.order);
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
  assert.equal(traces.length, SHOP_TRACES + 3 + REMOTE_TRACES + KINDS.reduce((n, _, k) => n + k + 1, 0) + 30);
});

test('a trace continuing a remote traceparent is listed by its root, whose parent is not stored', async () => {
  const { traces } = await json('/api/traces?service=edge&limit=500');
  const remote = sentSpans('edge').filter((s) => s.parentSpanId && s.operationName.startsWith('GET /edge/'));
  assert.equal(remote.length, REMOTE_TRACES);
  assert.deepEqual(
    traces.map((t) => [t.traceId, t.rootName, t.spanCount]).sort(),
    remote.map((r) => [r.traceId, r.operationName, 2]).sort(),
  );
  // Its child, whose parent is stored, is not a root.
  assert.ok(!traces.some((t) => t.rootName === 'upstream'));
  // The whole trace, the remote parent id kept as sent.
  const one = await json(`/api/traces/${remote[0].traceId}`);
  assert.equal(one.spans[0].parentSpanId, remote[0].parentSpanId);
});

test('the trace list filters by service, minimum duration and error, each alone and together', async () => {
  const spans = sentSpans();
  const roots = spans.filter((s) => isRoot(s, spans));
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
  // A 150-character search (D1 refuses LIKE patterns over 50 bytes), % and _ in it, any case.
  const long = LONG_LINE(1).slice(5, 155).toUpperCase();
  assert.equal(long.length, 150);
  const { logs: found } = await json(`/api/logs?q=${encodeURIComponent(long)}`);
  assert.deepEqual(found.map((l) => l.message), [LONG_LINE(1)]);
  // 200 characters is still a search; nothing has this one.
  assert.deepEqual(await json(`/api/logs?q=${encodeURIComponent('%_'.repeat(100))}`), { logs: [], nextCursor: null });
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
  ['/api/observe/summary?window=2d', 'window'],
  ['/api/observe/summary?window=', 'window'],
  ['/api/observe/summary?limit=5', 'limit'],
  ['/api/observe/summary?service=', 'service'],
  ['/api/metrics/x?step=2m', 'step'],
  ['/api/metrics/x?window=7d&step=1m', 'step'],
  ['/api/metrics/x?window=30d&step=15m', 'step'],
  ['/api/metrics/x?groupBy=', 'groupBy'],
  [`/api/metrics/${'n'.repeat(201)}`, 'name'],
  [`/api/metrics/x?cursor=${Buffer.from('[1]').toString('base64url')}`, 'cursor'],
  ['/api/metrics/x?window=1y', 'window'],
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

// ---- summary and metrics ----

const summaryOf = async (query = '') => (await json(`/api/observe/summary${query}`));
const byService = (body) => Object.fromEntries(body.services.map((s) => [s.service, s]));

async function expectedShop() {
  const shop = REQUESTS.filter((r) => r.service === 'shop');
  const routes = [];
  for (const route of [...new Set(shop.map((r) => r.tags['http.route']))]) routes.push({ route, ...(await expectedRequests(shop.filter((r) => r.tags['http.route'] === route))) });
  routes.sort((a, b) => b.requests - a.requests);
  const tiers = Object.entries(CACHE).map(([tier, c]) => ({ tier, lookups: 2 * c.lookups, hits: 2 * c.hits, hitRatio: c.hits / c.lookups, bytes: 2 * c.bytes }));
  tiers.sort((a, b) => b.lookups - a.lookups);
  const severity = { CRITICAL: 0, WARNING: 0, INFO: 0 };
  const errors = sentErrors('shop', Date.now() - 3600_000);
  for (const f of errors) severity[f.severity] += f.count;
  const top = errors.sort((a, b) => b.count - a.count).slice(0, 10);
  return { service: 'shop', ...(await expectedRequests(shop)), routes, cacheTiers: tiers, errorsBySeverity: severity, topErrors: top.map((f) => f.fingerprint), slos: [] };
}

function comparable(entry) {
  return { ...entry, topErrors: entry.topErrors.map((e) => e.fingerprint) };
}

// `actual` with each p50/p95/p99, sum and value that is within float rounding of `expected`'s set
// to it, so deepEqual shows only real differences. A percentile is the core's estimate (2LU/(L+U)
// of the rank's bucket, the same bucket); its bucket bounds are powers of 2^(1/2^scale), which
// the core forms from square roots and JavaScript with `**`, whose last bit depends on the
// engine's pow. A histogram's sum adds the same values in another order once rows are rolled up.
const ROUNDED = ['p50', 'p95', 'p99', 'sum', 'value'];
function withinRounding(actual, expected) {
  if (Array.isArray(actual) && Array.isArray(expected)) return actual.map((a, i) => withinRounding(a, expected[i]));
  if (actual === null || typeof actual !== 'object' || expected === null || typeof expected !== 'object') return actual;
  const out = {};
  for (const [key, value] of Object.entries(actual)) {
    const want = expected[key];
    const isP = ROUNDED.includes(key) && typeof value === 'number' && typeof want === 'number';
    out[key] = isP && Math.abs(value - want) <= 1e-12 * Math.abs(want) ? want : withinRounding(value, want);
  }
  return out;
}
const assertSummary = (actual, expected, message) => assert.deepEqual(withinRounding(actual, expected), expected, message);

test('summary: requests, errors, error rates and the core\'s own p50/p95/p99 per service and route, cache tiers, errors by severity', async () => {
  const body = await summaryOf('?window=1h');
  assert.equal(body.window, '1h');
  assert.ok(body.to >= NOW && body.from <= body.to - 3600_000 && body.from % 60_000 === 0);
  const services = byService(body);
  assert.deepEqual(Object.keys(services), ['auth', 'shop'], 'the archive is older than 1 h');
  assertSummary(comparable(services.shop), await expectedShop());
  const auth = services.auth;
  assertSummary({ ...auth, routes: undefined }, { service: 'auth', ...(await expectedRequests(REQUESTS.filter((r) => r.service === 'auth'))), routes: undefined, cacheTiers: [], errorsBySeverity: { CRITICAL: 0, WARNING: 0, INFO: 0 }, topErrors: [], slos: [] });
  // The percentiles are real estimates of the values sent: within the sketch's relative error.
  assert.ok(services.shop.p50 > MIN && services.shop.p99 <= MAX);
});

test('summary: the top errors are the ten most frequent in the window, described as the core classified them', async () => {
  const [shop] = (await summaryOf('?service=shop&window=1h')).services;
  const recent = sentErrors('shop', Date.now() - 3600_000).sort((a, b) => b.count - a.count);
  assert.equal(recent.length, KINDS.length, 'one fingerprint per kind');
  assert.deepEqual(shop.topErrors, recent.slice(0, 10));
  assert.deepEqual(new Set(recent.map((e) => e.severity)), new Set(['CRITICAL', 'WARNING', 'INFO']));
  // 24 h reaches the old errors: 30 occurrences, the most frequent, CRITICAL.
  const day = byService(await summaryOf('?window=24h')).shop;
  const old = sentErrors('shop', 0).find((e) => e.message === 'zulu store unreadable');
  assert.deepEqual(day.topErrors[0], old);
  assert.equal(day.errorsBySeverity.CRITICAL, shop.errorsBySeverity.CRITICAL + 30);
});

test('summary: service= narrows to one service; longer windows include older data', async () => {
  const one = await summaryOf('?service=auth');
  assert.equal(one.window, '1h');
  assert.deepEqual(one.services.map((s) => s.service), ['auth']);
  assert.deepEqual((await summaryOf('?service=nobody')).services, []);
  const day = byService(await summaryOf('?window=24h'));
  assert.deepEqual(Object.keys(day), ['archive', 'auth', 'shop']);
  const archive = await expectedRequests(REQUESTS.filter((r) => r.service === 'archive'));
  assertSummary({ ...day.archive, routes: undefined, cacheTiers: undefined }, { service: 'archive', ...archive, routes: undefined, cacheTiers: undefined, errorsBySeverity: { CRITICAL: 0, WARNING: 0, INFO: 0 }, topErrors: [], slos: [] });
  assert.equal(day.archive.errorRate, 1);
});

test("metrics groupBy=error splits requests by the summary's error rule: the same requests and errors per service", async () => {
  const { services } = await json('/api/observe/summary?window=1h');
  for (const s of services.filter((x) => x.requests > 0)) {
    const body = await json(`/api/metrics/${REQUEST}?window=1h&step=1h&groupBy=error&service=${s.service}`);
    assert.ok(body.series.every((x) => typeof x.group.error === 'boolean'));
    const counted = (error) => body.series.filter((x) => x.group.error === error).flatMap((x) => x.points).reduce((n, p) => n + p.count, 0);
    assert.deepEqual([counted(true) + counted(false), counted(true)], [s.requests, s.errors], s.service);
  }
  assert.ok(services.some((x) => x.errors > 0 && x.errors < x.requests));
});

test('metrics: one series per route with every request counted, counters by tier, and groupBy service', async () => {
  const hist = await json(`/api/metrics/${REQUEST}?window=1h&step=1m&groupBy=http.route&service=shop`);
  assert.equal(hist.name, REQUEST);
  assert.equal(hist.unit, 's');
  assert.equal(hist.type, 'histogram');
  assert.equal(hist.step, '1m');
  const shop = REQUESTS.filter((r) => r.service === 'shop');
  const routes = [...new Set(shop.map((r) => r.tags['http.route']))].sort();
  assert.deepEqual(hist.series.map((s) => s.group), routes.map((route) => ({ 'http.route': route })));
  for (const s of hist.series) {
    const values = shop.filter((r) => r.tags['http.route'] === s.group['http.route']).flatMap((r) => r.halves.flat());
    assert.equal(s.points.reduce((n, p) => n + p.count, 0), values.length);
    assert.ok(Math.abs(s.points.reduce((n, p) => n + p.sum, 0) - values.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.ok(s.points.every((p, i) => p.t % 60_000 === 0 && (i === 0 || p.t > s.points[i - 1].t)));
    if (s.points.length === 1) {
      const { p50, p95, p99 } = s.points[0];
      assertSummary({ p50, p95, p99 }, await corePercentiles(values));
      assert.equal(s.points[0].min, MIN);
      assert.equal(s.points[0].max, MAX);
    }
  }
  const lookups = await json('/api/metrics/edgescope.cache.lookups?groupBy=cache.tier&window=15m&step=5m');
  assert.equal(lookups.type, 'counter');
  const total = Object.fromEntries(lookups.series.map((s) => [s.group['cache.tier'], s.points.reduce((n, p) => n + p.value, 0)]));
  assert.deepEqual(total, { kv: 2 * CACHE.kv.lookups, memory: 2 * CACHE.memory.lookups });
  assert.ok(lookups.series.every((s) => s.points.every((p) => !('p95' in p))));
  const perService = await json(`/api/metrics/${REQUEST}?groupBy=service&window=24h&step=1h`);
  const counts = Object.fromEntries(perService.series.map((s) => [s.group.service, s.points.reduce((n, p) => n + p.count, 0)]));
  for (const service of ['shop', 'auth', 'archive']) {
    assert.equal(counts[service], REQUESTS.filter((r) => r.service === service).reduce((n, r) => n + r.halves.flat().length, 0));
  }
  const unknown = await json('/api/metrics/no.such.metric');
  assert.deepEqual(unknown, { name: 'no.such.metric', unit: null, type: null, window: '1h', step: '1m', series: [], nextCursor: null });
});

test('metrics: paging through the series returns every group once', async () => {
  const whole = await json(`/api/metrics/${REQUEST}?window=24h&step=1h&groupBy=http.route`);
  assert.ok(whole.series.length >= 4);
  const { items } = await allPages(`/api/metrics/${REQUEST}?window=24h&step=1h&groupBy=http.route`, 'series', 1);
  assert.deepEqual(items, whole.series);
});

// Everything the query API answers about metrics, for comparing two moments.
async function metricAnswers() {
  const out = {};
  for (const path of [
    '/api/observe/summary?window=1h',
    '/api/observe/summary?window=24h',
    '/api/observe/summary?window=7d',
    '/api/observe/summary?window=30d&service=archive',
    `/api/metrics/${REQUEST}?window=1h&step=1m&groupBy=http.route`,
    `/api/metrics/${REQUEST}?window=7d&step=1h&groupBy=service`,
    '/api/metrics/edgescope.cache.hits?window=24h&groupBy=cache.tier',
  ]) {
    const body = await json(path);
    delete body.from;
    delete body.to;
    out[path] = body;
  }
  return out;
}

// The cron as the collector's tests run it: runScheduled in this process on Miniflare's D1 binding,
// with the settings of workers/collector-query.js, so a run can be bounded (maxPoints).
const SETTINGS = validateCollectorConfig({ tokens: [{ name: 'sender', secret: 'INGEST_TOKEN' }], readTokens: [{ name: 'reader', secret: 'READ_TOKEN' }] });
const cursorsNow = async () => Object.fromEntries((await collector.db.prepare('SELECT name, last_id FROM rollup_cursor').all()).results.map((r) => [r.name, r.last_id]));

test('the same answers before the cron, with half the points rolled up, all of them, and hour rows', async () => {
  const raw = await metricAnswers();
  assert.ok(byService(raw['/api/observe/summary?window=7d']).archive, 'the archive is in the 7 d window');
  const ids = (await collector.db.prepare('SELECT id FROM metric_points ORDER BY id').all()).results.map((r) => r.id);
  assert.equal((await collector.db.prepare('SELECT count(*) AS n FROM rollups').first()).n, 0, 'nothing rolled up yet');

  // One bounded run: half the points into minute rows, no hours (the minutes are not caught up).
  const half = Math.floor(ids.length / 2);
  const first = await runScheduled(collector.db, SETTINGS, Date.now(), { maxPointsPerRun: half });
  assert.equal(first.minutes.points, half);
  assert.deepEqual(await cursorsNow(), { minute: ids[half - 1] });
  assertSummary(await metricAnswers(), raw, 'half rolled up');

  // The Worker's own cron trigger: the rest into minute rows, then the archive's complete hour.
  await collector.worker.scheduled('* * * * *');
  const cursors = await cursorsNow();
  assert.equal(cursors.minute, ids[ids.length - 1]);
  assert.ok(cursors.hour >= Math.floor((NOW - ARCHIVE_AGE) / 3600_000) * 3600_000, 'the archive\'s hour is rolled');
  assert.ok((await collector.db.prepare("SELECT count(*) AS n FROM rollups WHERE resolution = 3600 AND service = 'archive'").first()).n > 0);
  assertSummary(await metricAnswers(), raw, 'all rolled up, hour rows and the minute rows after them, none counted twice');

  // Long windows read the archive from its hour rows: without its minute rows they answer the same.
  await collector.db.prepare("DELETE FROM rollups WHERE resolution = 60 AND service = 'archive'").run();
  const hourly = await metricAnswers();
  assertSummary(hourly['/api/observe/summary?window=30d&service=archive'], raw['/api/observe/summary?window=30d&service=archive']);
  assertSummary(byService(hourly['/api/observe/summary?window=7d']).archive, byService(raw['/api/observe/summary?window=7d']).archive);
  assert.equal(byService(hourly['/api/observe/summary?window=24h']).archive, undefined, '24 h windows read minute rows');
});

test('a window with more rollup rows than a query reads is a 400 naming window; a rollup backlog is a 503', async () => {
  const flooded = await startCollector();
  try {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    // 20,001 series of one counter in one minute: one slice over its bound.
    await flooded.db
      .prepare(
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20001) ' +
          "INSERT INTO rollups (service, name, resolution, bucket, series, route, type, unit, value, points) SELECT 'flood', 'edgescope.cache.lookups', 60, ?, json_object('cache.tier', 'kv', 'i', i), NULL, 'counter', NULL, 1, 1 FROM n",
      )
      .bind(minute)
      .run();
    const get = (path) => fetch(`${flooded.worker.url}${path}`, { headers: { authorization: `Bearer ${READ}` } });
    const wide = await get('/api/observe/summary?service=flood&window=5m');
    assert.equal(wide.status, 400);
    const body = await wide.json();
    assert.equal(body.path, 'window');
    assert.match(body.error, /shorter window or one service/);
    assert.equal((await get('/api/observe/summary?service=other&window=5m')).status, 200);
    // 20,001 raw points not rolled up yet.
    await flooded.db
      .prepare(
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20001) ' +
          "INSERT INTO metric_points (name, type, value, time, tags, service) SELECT 'edgescope.cache.hits', 'counter', 1, ?, '{}', 'backlog' FROM n",
      )
      .bind(minute)
      .run();
    const behind = await get('/api/observe/summary?service=backlog&window=5m');
    assert.equal(behind.status, 503);
    assert.equal(behind.headers.get('retry-after'), '60');
    assert.match((await behind.json()).error, /not rolled up yet/);
  } finally {
    await flooded.worker.dispose();
  }
});
