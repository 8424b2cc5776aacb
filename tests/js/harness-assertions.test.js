// The assertion helpers of edgescope/testing over what a real capture collector received from a
// real Telemetry: each finds what it should, fails when it should, and its failure message lists
// what did arrive (span names under their parents, metric series with values, log levels and
// messages, refused payloads, non-zero loss counters).
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { expectLog, expectMetric, expectNothingDropped, expectSpan, waitForLog, waitForMetric, waitForSpan } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();

const telemetry = (options = {}) => createTelemetry({ service: 'shop', exporter: exporters.http({ url: collector.nativeUrl, retries: 0 }), ...options });

// One request's worth: a root span with a child, two counter series, a gauge, a histogram, two logs.
async function sendRequest(t = telemetry()) {
  t.trace('GET /items', (root) => {
    root.setAttribute('http.route', '/items');
    root.trace('db.query', (span) => span.setAttributes({ 'db.system': 'memory', 'db.rows': 3 }));
    root.logger.info('listed items', { count: 3 });
    root.logger.warn('slow query', { ms: 120 });
  });
  t.metrics.increment('items.listed', 2, { source: 'memory' });
  t.metrics.increment('items.listed', 1, { source: 'cache', region: 'eu' });
  t.metrics.gauge('queue.depth', 4);
  t.metrics.histogram('load.ms', 10);
  t.metrics.histogram('load.ms', 30);
  await t.flush();
  return t;
}

const failure = (fn) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AssertionError, `expected an AssertionError, got ${error}`);
    return error.message;
  }
  assert.fail('expected the helper to fail');
};
const asyncFailure = async (promise) => {
  const error = await promise.then(
    () => assert.fail('expected the helper to fail'),
    (e) => e,
  );
  assert.ok(error instanceof AssertionError, `expected an AssertionError, got ${error}`);
  return error.message;
};

test('expectSpan finds a span by name, parent and attributes and returns it', async () => {
  await sendRequest();
  const root = expectSpan(collector, { name: 'GET /items', parent: null, attributes: { 'http.route': '/items' } });
  const child = expectSpan(collector, { name: 'db.query', parent: 'GET /items', attributes: { 'db.system': 'memory', 'db.rows': 3 } });
  assert.equal(child.parentSpanId, root.spanId);
  assert.equal(child.traceId, root.traceId);
  assert.equal(expectSpan(collector, { name: /^db\./, parent: root }), child, 'a RegExp name and a captured span as the parent');
  assert.equal(expectSpan(collector, { name: 'db.query', attributes: { 'db.rows': (n) => n > 2 } }), child, 'a predicate on an attribute');
});

test('expectSpan fails on the wrong parent, a missing attribute or a root expectation, saying why and what arrived', async () => {
  await sendRequest();
  const wrongParent = failure(() => expectSpan(collector, { name: 'db.query', parent: 'POST /items' }));
  assert.match(wrongParent, /^expectSpan: no span matched \{ name: 'db.query', parent: 'POST \/items' \}/);
  assert.match(wrongParent, /1 span\(s\) named 'db\.query' did not match:\n {2}- 'db\.query' in trace [0-9a-f]{8}…: parent is 'GET \/items', expected 'POST \/items'/);
  assert.match(wrongParent, /2 span\(s\) arrived:\n {2}- 'db\.query' under 'GET \/items'\n {2}- 'GET \/items' \(root\)/);
  assert.match(wrongParent, /collector: 2 spans, 4 metrics, 2 logs in 1 payloads \(0 rejected, 0 duplicate\)/);

  const attribute = failure(() => expectSpan(collector, { name: 'db.query', attributes: { 'db.system': 'd1', 'db.table': 'items' } }));
  assert.match(attribute, /attribute 'db\.system' is 'memory', expected 'd1'; attribute 'db\.table' is missing \(has 'db\.system', 'db\.rows'\)/);

  const notRoot = failure(() => expectSpan(collector, { name: 'db.query', parent: null }));
  assert.match(notRoot, /parent is 'GET \/items', expected a root span/);

  const absent = failure(() => expectSpan(collector, { name: 'cache.get' }));
  assert.doesNotMatch(absent, /did not match/, 'no same-named spans to explain');
  assert.match(absent, /2 span\(s\) arrived:\n {2}- 'db\.query' under 'GET \/items'\n {2}- 'GET \/items' \(root\)/);
});

test('the span listing groups repeats with a count and marks a parent that never arrived', async () => {
  await sendRequest();
  await sendRequest();
  const orphan = telemetry();
  const root = orphan.startSpan('GET /orphan');
  root.startSpan('child.op').end(); // the root never ends, so it is never exported
  await orphan.flush();
  const message = failure(() => expectSpan(collector, { name: 'nothing' }));
  assert.match(message, /5 span\(s\) arrived:/);
  assert.match(message, /- 'GET \/items' \(root\) ×2/);
  assert.match(message, /- 'db\.query' under 'GET \/items' ×2/);
  assert.match(message, /- 'child\.op' under [0-9a-f]{16} \(not arrived\)/);
  assert.match(failure(() => expectSpan(collector, { name: 'child.op', parent: 'GET /orphan' })), /its parent [0-9a-f]{16} did not arrive, expected 'GET \/orphan'/);
  root.end();
});

test('expectMetric reads a series by tags: summed deltas for a counter, the latest gauge, histogram sum and count', async () => {
  const t = await sendRequest();
  t.metrics.increment('items.listed', 3, { source: 'memory' });
  t.metrics.gauge('queue.depth', 7);
  t.metrics.histogram('load.ms', 60);
  await t.flush();
  const listed = expectMetric(collector, { name: 'items.listed', tags: { source: 'memory' }, value: 5 });
  assert.equal(listed.points.length, 2, 'one delta point per flush');
  assert.deepEqual(listed.tags, { source: 'memory' });
  assert.equal(expectMetric(collector, { name: 'items.listed', tags: { region: 'eu' } }).value, 1, 'a subset of the tags picks the series');
  assert.equal(expectMetric(collector, { name: 'queue.depth', type: 'gauge' }).value, 7);
  const load = expectMetric(collector, { name: 'load.ms', value: 100, count: 3 });
  assert.equal(load.type, 'histogram');
});

test('expectMetric fails on a wrong value, unknown tags or an ambiguous selection, listing every series with its value', async () => {
  await sendRequest();
  const wrongValue = failure(() => expectMetric(collector, { name: 'items.listed', tags: { source: 'memory' }, value: 3 }));
  assert.match(wrongValue, /^expectMetric: items\.listed\{source='memory'\} counter = 2 \(1 point\(s\)\): value is 2, expected 3/);
  assert.match(wrongValue, /4 metric point\(s\) arrived, 4 series:/);
  assert.match(wrongValue, /- items\.listed\{region='eu', source='cache'\} counter = 1 \(1 point\(s\)\)/);
  assert.match(wrongValue, /- load\.ms\{\} histogram = 40, count 2 \(1 point\(s\)\)/, 'two values in one flush: one point');
  assert.match(wrongValue, /- queue\.depth\{\} gauge = 4 \(1 point\(s\)\)/);

  const ambiguous = failure(() => expectMetric(collector, { name: 'items.listed' }));
  assert.match(ambiguous, /'items\.listed' matches 2 series; add tags to pick one/);

  const unknownTags = failure(() => expectMetric(collector, { name: 'items.listed', tags: { source: 'kv' } }));
  assert.match(unknownTags, /series named 'items\.listed' with other tags:\n {2}- items\.listed\{source='memory'\}/);

  const absent = failure(() => expectMetric(collector, { name: 'orders.placed' }));
  assert.match(absent, /^expectMetric: no metric series matched \{ name: 'orders\.placed' \}/);
  assert.match(absent, /4 series:/);
  assert.match(failure(() => expectMetric(collector, { name: 'load.ms', count: 3 })), /count is 2, expected 3/);
});

test('of several series with the given tags, the one with exactly those tags is taken', async () => {
  const t = telemetry();
  t.metrics.increment('hits', 1, { route: '/' });
  t.metrics.increment('hits', 5, { route: '/', cache: 'hit' });
  await t.flush();
  assert.equal(expectMetric(collector, { name: 'hits', tags: { route: '/' } }).value, 1);
  assert.equal(expectMetric(collector, { name: 'hits', tags: { cache: 'hit' } }).value, 5);
});

test('expectLog finds a log by level and message and fails listing the levels and messages that arrived', async () => {
  await sendRequest();
  assert.deepEqual(expectLog(collector, { level: 'info', message: 'listed items', attributes: { count: 3 } }).attributes, { count: 3 });
  assert.equal(expectLog(collector, { level: 'warn', message: /slow/ }).attributes.ms, 120);

  const noLevel = failure(() => expectLog(collector, { level: 'error' }));
  assert.match(noLevel, /^expectLog: no log matched \{ level: 'error' \}/);
  assert.match(noLevel, /2 log\(s\) arrived \(info, warn\):\n {2}- info 'listed items'\n {2}- warn 'slow query'/);

  const wrongMessage = failure(() => expectLog(collector, { level: 'info', message: 'listed orders' }));
  assert.match(wrongMessage, /1 'info' log\(s\) did not match:\n {2}- 'listed items': message is 'listed items', expected 'listed orders'/);
  assert.match(failure(() => expectLog(collector, { level: 'info', attributes: { count: 4 } })), /attribute 'count' is 3, expected 4/);
});

test('a refused payload is named in the failure, since it is the usual reason a record is missing', async () => {
  const response = await fetch(collector.nativeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'shop', spans: [{ traceId: 'nope' }] }) });
  assert.equal(response.status, 400);
  const message = failure(() => expectSpan(collector, { name: 'GET /items' }));
  assert.match(message, /0 span\(s\) arrived/);
  assert.match(message, /collector: 0 spans, 0 metrics, 0 logs in 0 payloads \(1 rejected, 0 duplicate\):\n {2}- rejected \/ingest: HTTP 400 .*\$\.spans\[0\]\.traceId/);
});

test('waitForSpan, waitForMetric and waitForLog resolve when the records arrive later', async () => {
  const t = telemetry();
  const span = waitForSpan(collector, { name: 'db.query', parent: 'GET /items' });
  const metric = waitForMetric(collector, { name: 'items.listed', tags: { source: 'memory' }, value: 4 });
  const log = waitForLog(collector, { level: 'warn' });
  await sendRequest(t);
  assert.equal((await span).name, 'db.query');
  assert.equal((await log).message, 'slow query');
  t.metrics.increment('items.listed', 2, { source: 'memory' });
  await t.flush();
  assert.equal((await metric).points.length, 2, 'waited for the second delta to reach the value');
});

test('a waiting helper that times out fails with the same listing, saying how long it waited', async () => {
  await sendRequest();
  const started = Date.now();
  const message = await asyncFailure(waitForSpan(collector, { name: 'cache.get' }, { timeoutMs: 150 }));
  assert.ok(Date.now() - started >= 140, 'it waited');
  assert.match(message, /^waitForSpan \(after 150 ms\): no span matched \{ name: 'cache\.get' \}/);
  assert.match(message, /2 span\(s\) arrived:/);
  assert.match(await asyncFailure(waitForMetric(collector, { name: 'queue.depth', value: 9 }, { timeoutMs: 50 })), /^waitForMetric \(after 50 ms\): queue\.depth\{\} gauge = 4 \(1 point\(s\)\): value is 4, expected 9/);
  assert.match(await asyncFailure(waitForLog(collector, { level: 'fatal' }, { timeoutMs: 50 })), /^waitForLog \(after 50 ms\): no log matched .*\n2 log\(s\) arrived \(info, warn\)/);
});

test('expectNothingDropped passes on clean stats and returns them', async () => {
  const t = await sendRequest();
  const stats = t.stats();
  assert.equal(expectNothingDropped(stats), stats);
  assert.ok(stats.exported > 0);
});

test('expectNothingDropped names each non-zero loss counter and the exporter that lost them', async () => {
  collector.failAlways(400, { body: 'schema mismatch' });
  const refused = await sendRequest(telemetry({ buffer: false }));
  const rejected = failure(() => expectNothingDropped(refused.stats()));
  assert.match(rejected, /^expectNothingDropped: telemetry was lost: rejected = 8$/m, '2 spans, 4 metric points, 2 logs');
  assert.match(rejected, /counted: exported 0, buffered 0, payloadsSent 0, payloadsFailed 1, flushes 1/);
  assert.match(rejected, new RegExp(`per exporter:\\n {2}- http ${collector.nativeUrl.replace(/[.]/g, '\\.')}: exported 0, failed 0, rejected 8, dropped 0 \\(not delivered, by cause: rejected 8\\); last error: .*HTTP 400: schema mismatch$`, 'm'));

  collector.failAlways(503);
  const down = await sendRequest(telemetry({ buffer: false }));
  assert.match(failure(() => expectNothingDropped(down.stats())), /telemetry was lost: failed = 8\n[\s\S]*failed 8, rejected 0, dropped 0 \(not delivered, by cause: http 8\); last error: .*HTTP 503/);

  collector.recover();
  const t = telemetry();
  await captureConsole('warn', async () => {
    t.metrics.increment('items.listed', -1);
    await t.flush();
  });
  const core = failure(() => expectNothingDropped(t.stats()));
  assert.match(core, /telemetry was lost: dropped = 1, core\.metricValuesRejected = 1\n/);
  assert.match(failure(() => expectNothingDropped(t.stats(), { allow: ['dropped'] })), /telemetry was lost: core\.metricValuesRejected = 1\n/);
  assert.equal(expectNothingDropped(t.stats(), { allow: ['dropped', 'core.metricValuesRejected'] }).core.metricValuesRejected, 1, 'allowed counters may be non-zero');
});

test('misuse is a TypeError naming the mistake, not a silent pass', async () => {
  await sendRequest();
  assert.throws(() => expectSpan(collector, { name: 'db.query', attribute: { 'db.system': 'memory' } }), { name: 'TypeError', message: /unknown matcher field\(s\) attribute; known: name, parent, attributes/ });
  assert.throws(() => expectSpan(collector, {}), { name: 'TypeError', message: /the matcher is empty/ });
  assert.throws(() => expectSpan(collector, { name: 'db.query', parent: 42 }), { name: 'TypeError', message: /parent must be null/ });
  assert.throws(() => expectMetric(collector, { tags: { source: 'memory' } }), { name: 'TypeError', message: /expectMetric: the matcher needs name/ });
  assert.throws(() => expectLog(collector, { message: 'x' }), { name: 'TypeError', message: /expectLog: the matcher needs level/ });
  assert.throws(() => expectLog({ spans: [] }, { level: 'info' }), { name: 'TypeError', message: /expected the collector startCollector\(\) returns/ });
  assert.throws(() => expectNothingDropped(new Response('{}')), { name: 'TypeError', message: /expected the object telemetry\.stats\(\) returns/ });
  await assert.rejects(waitForSpan(collector, { name: 'x' }, { timeoutMs: -1 }), { name: 'TypeError', message: /timeoutMs must be a non-negative number/ });
});

test('the type declarations describe the helpers: the README usage compiles, misuse does not', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-harness-types-'));
  try {
    const from = `'${root}js/testing/index.js'`;
    writeFileSync(
      join(dir, 'good.ts'),
      `import { startCollector, startWorker, expectSpan, expectMetric, expectLog, expectNothingDropped, waitForSpan } from ${from};
      const collector = await startCollector();
      const worker = await startWorker({ config: './wrangler.toml', environment: 'staging', bindings: { COLLECTOR_URL: collector.nativeUrl }, kvNamespaces: ['CACHE'], serviceBindings: { AUTH: async () => new Response('ok') } });
      const res = await worker.fetch('/');
      const root = await waitForSpan(collector, { name: 'GET /', parent: null }, { timeoutMs: 1000 });
      const child = expectSpan(collector, { name: /db/, parent: root, attributes: { 'db.rows': (n) => n === 3 } });
      const total: number = expectMetric(collector, { name: 'hits', tags: { route: '/' }, value: 1 }).value;
      expectLog(collector, { level: 'info', message: /ok/ });
      expectNothingDropped(await (await worker.fetch('/__stats')).json() as { exported: number; core: Record<string, number> }, { allow: ['rejected'] });
      const off = await startWorker({ entry: './src/index.js', config: false });
      export { res, child, total, off };`,
    );
    writeFileSync(join(dir, 'bad.ts'), `import { expectMetric, startCollector } from ${from};\nexpectMetric(await startCollector(), { tags: { route: '/' } });`);
    writeFileSync(join(dir, 'bad-config.ts'), `import { startWorker } from ${from};\nstartWorker({ config: true });`);
    const tsc = join(root, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    execFileSync(tsc, [...args, join(dir, 'good.ts')], { stdio: 'pipe' });
    assert.throws(() => execFileSync(tsc, [...args, join(dir, 'bad.ts')], { stdio: 'pipe' }), 'a metric matcher without a name');
    assert.throws(() => execFileSync(tsc, [...args, join(dir, 'bad-config.ts')], { stdio: 'pipe' }), 'config is a path or false');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
