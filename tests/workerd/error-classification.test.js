// Errors classified in a real isolate (workerd via Miniflare, a real D1 database): the exported
// span, exception event, log and `errors` counter carry severity, category and fingerprint, and
// two requests whose errors differ only in an id share one fingerprint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'errors', {}, { d1Databases: ['DB'] });

const errorCounts = (c) => c.metrics.filter((m) => m.name === 'errors');

async function d1Failure(id) {
  const res = await worker.fetch(`/d1?id=${id}`);
  assert.equal(res.status, 500); // the handler threw; workerd answers 500
  await res.arrayBuffer();
  // the handler's d1.query span, the binding's own client span (js/bindings/d1.js) and the root
  await collector.waitFor((c) => c.spans.length === 3 && errorCounts(c).length === 1);
  const root = collector.spans.find((s) => s.kind === 'server');
  const query = collector.spans.find((s) => s.name === 'd1.query');
  const [counter] = errorCounts(collector);
  collector.clear();
  return { root, query, counter };
}

test('a failing D1 query is CRITICAL "database" on both spans, their exception events and the errors counter', async () => {
  const { root, query, counter } = await d1Failure(17);
  for (const span of [query, root]) {
    assert.equal(span.attributes['error.severity'], 'CRITICAL');
    assert.equal(span.attributes['error.category'], 'database');
    assert.match(span.attributes['error.fingerprint'], /^[0-9a-f]{16}$/);
    const event = span.events.find((e) => e.name === 'exception');
    assert.match(event.attributes['exception.message'], /D1_ERROR|no such table/);
    assert.equal(event.attributes['error.category'], 'database');
    assert.equal(event.attributes['error.fingerprint'], span.attributes['error.fingerprint']);
  }
  assert.equal(root.attributes['error.fingerprint'], query.attributes['error.fingerprint'], 'one error, one fingerprint');
  // Counted once although recorded on two spans.
  assert.equal(counter.type, 'counter');
  assert.equal(counter.value, 1);
  assert.deepEqual(
    { ...counter.tags },
    {
      'error.severity': 'CRITICAL',
      'error.category': 'database',
      'error.fingerprint': root.attributes['error.fingerprint'],
      'error.type': root.events.find((e) => e.name === 'exception').attributes['exception.type'],
      'http.route': '/d1',
    },
  );
});

test('two requests whose errors differ only in an id share one fingerprint', async () => {
  const first = await d1Failure(17);
  const second = await d1Failure(4242);
  assert.equal(first.counter.tags['error.fingerprint'], second.counter.tags['error.fingerprint']);
  assert.equal(first.root.attributes['error.fingerprint'], second.root.attributes['error.fingerprint']);
});

test('a 429 response is WARNING "rate_limit" on the root span and the errors counter, with its route', async () => {
  const res = await worker.fetch('/limited');
  assert.equal(res.status, 429);
  await res.arrayBuffer();
  await collector.waitFor((c) => c.spans.length === 1 && errorCounts(c).length === 1);
  const [root] = collector.spans;
  assert.equal(root.attributes['error.severity'], 'WARNING');
  assert.equal(root.attributes['error.category'], 'rate_limit');
  const [counter] = errorCounts(collector);
  assert.equal(counter.tags['error.category'], 'rate_limit');
  assert.equal(counter.tags['error.severity'], 'WARNING');
  assert.equal(counter.tags['http.route'], '/limited');
  assert.equal(counter.tags['error.type'], '429'); // OpenTelemetry error.type for a response: its status code
  assert.equal(counter.tags['error.fingerprint'], root.attributes['error.fingerprint']);
});

test('a fatal log is CRITICAL "fatal" on the log record and the errors counter; orders differing in id group together', async () => {
  const prints = [];
  for (const id of [5, 98765]) {
    const res = await worker.fetch(`/fatal?id=${id}`);
    assert.equal(await res.text(), 'ok');
    await collector.waitFor((c) => c.logs.length === 1 && errorCounts(c).length === 1);
    const [log] = collector.logs;
    assert.equal(log.level, 'fatal');
    assert.equal(log.attributes['error.severity'], 'CRITICAL');
    assert.equal(log.attributes['error.category'], 'fatal');
    const [counter] = errorCounts(collector);
    assert.equal(counter.tags['error.fingerprint'], log.attributes['error.fingerprint']);
    assert.equal(counter.tags['http.route'], '/fatal');
    assert.equal(counter.tags['error.type'], '_OTHER'); // a log without an Error attached
    prints.push(log.attributes['error.fingerprint']);
    collector.clear();
  }
  assert.equal(prints[0], prints[1]);
});
