// What the wrapped bindings export: one CLIENT span per call (PRODUCER for a queue send), child
// of the invocation's root span, named and attributed with OpenTelemetry semantic-convention
// names plus cloudflare.binding.name/type; a failed call's span carries the exception and an
// error status while the caller gets the error unchanged. D1 query text never holds a bound
// value. Excluded types and names, and `bindings: false`, leave the binding itself in env.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const BINDINGS = {
  kvNamespaces: ['KV'],
  r2Buckets: ['BUCKET'],
  d1Databases: ['DB'],
  miniflare: {
    queueProducers: { QUEUE: { queueName: 'jobs' } },
    analyticsEngineDatasets: { ANALYTICS: { dataset: 'events' } },
  },
};

const collector = useCollector();
const worker = useWorker(collector, 'bindings-spans', {}, BINDINGS);
const excluding = useWorker(collector, 'bindings-spans', { BINDINGS: JSON.stringify({ exclude: ['kv', 'BUCKET'] }) }, BINDINGS);
const disabled = useWorker(collector, 'bindings-spans', { BINDINGS: 'false' }, BINDINGS);

// Runs `path`, waits for its root span, and returns the response and the root's child spans.
async function spansOf(target, path, expectedChildren) {
  const response = await target.fetch(path);
  assert.equal(response.status, 200);
  const body = await response.json();
  await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server') && c.spans.length >= expectedChildren + 1);
  const root = collector.spans.find((s) => s.kind === 'server');
  const children = collector.spans.filter((s) => s !== root);
  for (const span of children) {
    assert.equal(span.traceId, root.traceId, `${span.name} is in the request's trace`);
    assert.equal(span.parentSpanId, root.spanId, `${span.name} is a child of the root span`);
  }
  return { body, children };
}

const byName = (spans, name) => {
  const found = spans.filter((s) => s.name === name);
  assert.ok(found.length > 0, `a span named ${name} (have ${spans.map((s) => s.name).join(', ')})`);
  return found;
};

test('KV calls are CLIENT spans with database attributes, and a failed call records the exception', async () => {
  const { body, children } = await spansOf(worker, '/kv', 7);
  assert.deepEqual(body, { hit: 'välue', miss: null, meta: 'välue', error: 'TypeError' });
  assert.deepEqual(children.map((s) => s.name).sort(), ['delete KV', 'get KV', 'get KV', 'get KV', 'getWithMetadata KV', 'list KV', 'put KV']);
  for (const span of children) {
    assert.equal(span.kind, 'client');
    assert.equal(span.attributes['db.system.name'], 'cloudflare.kv');
    assert.equal(span.attributes['db.namespace'], 'KV');
    assert.equal(span.attributes['db.operation.name'], span.name.split(' ')[0]);
    assert.equal(span.attributes['cloudflare.binding.type'], 'kv');
    assert.equal(span.attributes['cloudflare.binding.name'], 'KV');
  }
  const failed = byName(children, 'get KV').filter((s) => s.status === 'error');
  assert.equal(failed.length, 1, 'the get with an empty key failed');
  assert.equal(failed[0].events[0].name, 'exception');
  assert.equal(failed[0].events[0].attributes['exception.type'], 'TypeError');
});

test('R2 calls, multipart uploads included, are CLIENT spans with database attributes', async () => {
  const { body, children } = await spansOf(worker, '/r2', 8);
  assert.deepEqual(body, { text: 'twelve bytes', head: null });
  assert.deepEqual(
    children.map((s) => s.name).sort(),
    ['complete BUCKET', 'createMultipartUpload BUCKET', 'delete BUCKET', 'get BUCKET', 'head BUCKET', 'list BUCKET', 'put BUCKET', 'uploadPart BUCKET'],
  );
  for (const span of children) {
    assert.equal(span.kind, 'client');
    assert.equal(span.attributes['db.system.name'], 'cloudflare.r2');
    assert.equal(span.attributes['cloudflare.binding.type'], 'r2');
    assert.equal(span.attributes['cloudflare.binding.name'], 'BUCKET');
    assert.equal(span.status, 'unset');
  }
});

test('D1 spans carry the SQL without parameter values, and rows read and written from meta', async () => {
  const { body, children } = await spansOf(worker, '/d1', 7);
  assert.equal(body.rows, 1);
  assert.equal(body.none, null);
  assert.match(body.error, /syntax error/);
  for (const span of children) {
    assert.equal(span.kind, 'client');
    assert.equal(span.attributes['db.system.name'], 'cloudflare.d1');
    assert.equal(span.attributes['cloudflare.binding.name'], 'DB');
    assert.ok(!JSON.stringify(span).includes('parameter-value-7f3a'), `${span.name} holds no bound value`);
  }
  const [insert] = byName(children, 'run DB');
  assert.equal(insert.attributes['db.query.text'], 'INSERT INTO t (label) VALUES (?)');
  assert.equal(insert.attributes['cloudflare.d1.rows_written'], 1);
  const [all] = byName(children, 'all DB').filter((s) => s.status !== 'error');
  assert.equal(all.attributes['db.query.text'], 'SELECT id FROM t WHERE label = ?');
  assert.equal(all.attributes['db.response.returned_rows'], 1);
  assert.equal(typeof all.attributes['cloudflare.d1.rows_read'], 'number');
  const [first] = byName(children, 'first DB');
  assert.equal(first.attributes['db.response.returned_rows'], 0);
  const [batch] = byName(children, 'batch DB');
  assert.equal(batch.attributes['db.operation.batch.size'], 2);
  assert.equal(batch.attributes['cloudflare.d1.rows_written'], 1);
  const [exec] = byName(children, 'exec DB');
  assert.equal(exec.attributes['db.query.text'], undefined, 'exec SQL carries its values inline: not recorded');
  const [broken] = byName(children, 'all DB').filter((s) => s.status === 'error');
  assert.equal(broken.attributes['db.query.text'], 'SELEC broken');
  assert.equal(broken.events[0].name, 'exception');
});

test('Cache API calls through scope.caches are CLIENT spans named for the cache', async () => {
  const { body, children } = await spansOf(worker, '/cache', 5);
  assert.deepEqual(body, { hit: 'cached!', miss: null });
  assert.deepEqual(children.map((s) => s.name).sort(), ['delete default', 'match default', 'match default', 'match pages', 'put default']);
  for (const span of children) {
    assert.equal(span.kind, 'client');
    assert.equal(span.attributes['db.system.name'], 'cloudflare.cache');
    assert.equal(span.attributes['cloudflare.binding.type'], 'cache');
  }
  assert.equal(byName(children, 'match pages')[0].attributes['db.namespace'], 'pages');
});

test('queue sends are PRODUCER spans in the messaging conventions', async () => {
  const { children } = await spansOf(worker, '/queue', 2);
  assert.equal(children.length, 2);
  for (const span of children) {
    assert.equal(span.name, `${span.attributes['messaging.operation.name']} QUEUE`);
    assert.equal(span.kind, 'producer');
    assert.equal(span.attributes['messaging.system'], 'cloudflare_queues');
    assert.equal(span.attributes['messaging.destination.name'], 'QUEUE');
    assert.equal(span.attributes['messaging.operation.type'], 'send');
    assert.equal(span.attributes['cloudflare.binding.type'], 'queue');
  }
  const batch = children.find((s) => s.attributes['messaging.operation.name'] === 'sendBatch');
  assert.equal(batch.attributes['messaging.batch.message_count'], 3);
});

test('an Analytics Engine writeDataPoint is a CLIENT span counting blobs and doubles, never their values', async () => {
  const { children } = await spansOf(worker, '/analytics', 1);
  const [span] = byName(children, 'writeDataPoint ANALYTICS');
  assert.equal(span.kind, 'client');
  assert.equal(span.attributes['cloudflare.binding.type'], 'analytics_engine');
  assert.equal(span.attributes['cloudflare.analytics_engine.blobs'], 2);
  assert.equal(span.attributes['cloudflare.analytics_engine.doubles'], 1);
});

test('Workers AI run is a CLIENT span in the gen_ai conventions; results and errors are the same objects; unknown bindings pass through', async () => {
  const { body, children } = await spansOf(worker, '/ai', 2);
  assert.deepEqual(body, { resultSame: true, errorSame: true, instanceOf: true, unknownMethod: 'bound', otherSame: true });
  const spans = byName(children, 'run @cf/test/model');
  assert.equal(spans.length, 2);
  const ok = spans.find((s) => s.status !== 'error');
  assert.equal(ok.kind, 'client');
  assert.equal(ok.attributes['gen_ai.request.model'], '@cf/test/model');
  assert.equal(ok.attributes['gen_ai.usage.input_tokens'], 5);
  assert.equal(ok.attributes['gen_ai.usage.output_tokens'], 7);
  assert.equal(ok.attributes['cloudflare.binding.type'], 'ai');
  const failed = spans.find((s) => s.status === 'error');
  assert.equal(failed.events[0].attributes['exception.type'], 'RangeError');
});

test('excluded binding types and names stay the runtime objects and export no spans', async () => {
  const response = await excluding.fetch('/identity');
  assert.deepEqual(await response.json(), { KV: true, BUCKET: true, DB: false, QUEUE: false, caches: false });
  await excluding.fetch('/kv');
  await excluding.fetch('/r2');
  await collector.waitFor((c) => c.spans.filter((s) => s.kind === 'server').length === 3);
  assert.deepEqual(collector.spans.filter((s) => s.kind !== 'server'), [], 'no KV or R2 spans');
});

test('bindings: false leaves env and caches exactly the runtime objects', async () => {
  const response = await disabled.fetch('/identity');
  assert.deepEqual(await response.json(), { KV: true, BUCKET: true, DB: true, QUEUE: true, caches: true });
  await disabled.fetch('/d1');
  await disabled.fetch('/cache');
  await collector.waitFor((c) => c.spans.filter((s) => s.kind === 'server').length === 3);
  assert.deepEqual(collector.spans.filter((s) => s.kind !== 'server'), []);
});

test('concurrent requests in one isolate each get their own binding spans under their own root', async () => {
  const responses = await Promise.all(Array.from({ length: 5 }, () => worker.fetch('/one')));
  for (const response of responses) assert.equal(response.status, 200);
  await collector.waitFor((c) => c.spans.filter((s) => s.kind === 'server').length === 5 && c.spans.length === 15);
  const roots = collector.spans.filter((s) => s.kind === 'server');
  for (const root of roots) {
    const children = collector.spans.filter((s) => s.parentSpanId === root.spanId);
    assert.deepEqual(children.map((s) => s.name), ['get KV', 'get KV']);
    assert.ok(children.every((s) => s.traceId === root.traceId));
  }
});

test('a scheduled handler gets the wrapped env too: its binding calls are children of its root span', async () => {
  await worker.scheduled('*/5 * * * *');
  await collector.waitFor((c) => c.spans.length === 3);
  const root = collector.spans.find((s) => s.name === 'scheduled */5 * * * *');
  const children = collector.spans.filter((s) => s.parentSpanId === root.spanId).map((s) => [s.name, s.kind]).sort();
  assert.deepEqual(children, [['get KV', 'client'], ['send QUEUE', 'producer']]);
});
