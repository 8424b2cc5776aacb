// Span events in a native ingest payload, inside workerd against Miniflare's real D1. They are
// checked like every other field of the format (README "Wire formats": events: [{ name,
// timestamp, attributes }], plus droppedAttributesCount when the core's attribute bound refused
// some): a malformed event is a 400 naming its path, which the sender classifies as bad data and
// drops (never a 5xx, which it would keep in its offline buffer and send again), and nothing of the
// payload is stored. Well-formed events are stored and read back through the query API as sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { classifyStatus } from '../../js/exporters/classify.js';
import { decodeNative } from '../../js/wire/index.js';
import { nativePayload, startCollectorWith } from './collector-helpers.js';

const INGEST = 'ingest-token-0123456789abcdef';
const READ = 'read-token-fedcba9876543210';

// One real payload from the core: a span with a plain event, an event past the core's 128
// attributes an event (sent with droppedAttributesCount: 2) and a recorded exception.
const realPayload = () =>
  nativePayload((t) =>
    t.trace('GET /cart', (span) => {
      span.addEvent('cart.loaded', { items: 2 });
      span.addEvent('wide', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i])));
      span.recordException(new TypeError('no cart'));
    }),
  );

const doc = await realPayload();
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-query', bindings: { INGEST_TOKEN: INGEST, READ_TOKEN: READ } });
});
after(() => collector?.worker.dispose());

const stored = async () => {
  const n = async (table) => (await collector.db.prepare(`SELECT count(*) AS n FROM ${table}`).first()).n;
  return { batches: await n('batches'), spans: await n('spans') };
};
// Each case its own batch id (a split's suffix), so none could be answered as a duplicate.
const withEvents = (edit, suffix) => {
  const copy = structuredClone(doc);
  copy.batchId = `${doc.batchId}${suffix}`;
  edit(copy.spans[0].events);
  return JSON.stringify(copy);
};
const post = (body) =>
  fetch(`${collector.worker.url}/api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` }, body });

const REFUSED = [
  ['a null event', (e) => (e[0] = null), '$.spans[0].events[0]'],
  ['an event that is a string', (e) => (e[1] = 'cart.loaded'), '$.spans[0].events[1]'],
  ['an event whose attributes are a number', (e) => (e[0].attributes = 5), '$.spans[0].events[0].attributes'],
  ['an event whose name is a number and timestamp a string', (e) => Object.assign(e[0], { name: 7, timestamp: 'x' }), '$.spans[0].events[0].name'],
  ['an event whose timestamp is a string', (e) => (e[0].timestamp = 'x'), '$.spans[0].events[0].timestamp'],
  ['an event without a timestamp', (e) => delete e[2].timestamp, '$.spans[0].events[2].timestamp'],
  ['an event with a negative droppedAttributesCount', (e) => (e[1].droppedAttributesCount = -2), '$.spans[0].events[1].droppedAttributesCount'],
];

REFUSED.forEach(([what, edit, path], i) => {
  test(`${what} is refused with a 400 naming ${path} that the sender drops, and nothing is stored`, async () => {
    const res = await post(withEvents(edit, '-0'.repeat(i + 1)));
    const text = await res.text();
    assert.equal(res.status, 400, text);
    const body = JSON.parse(text);
    assert.equal(body.path, path);
    assert.match(body.error, new RegExp(`${path.replace(/[$.[\]]/g, '\\$&')}: expected `));
    assert.equal(classifyStatus(res.status).action, 'drop', 'the sender neither retries nor keeps it');
    assert.deepEqual(await stored(), { batches: 0, spans: 0 });
  });
});

test('well-formed events are stored and read back through the query API as the core sent them', async () => {
  const res = await post(JSON.stringify(doc));
  assert.equal(res.status, 202, await res.clone().text());
  assert.deepEqual(await stored(), { batches: 1, spans: 1 });
  const [span] = doc.spans;
  const got = await fetch(`${collector.worker.url}/api/traces/${span.traceId}`, { headers: { authorization: `Bearer ${READ}` } });
  assert.equal(got.status, 200, await got.clone().text());
  const { spans } = await got.json();
  assert.equal(spans.length, 1);
  const events = spans[0].events;
  assert.deepEqual(events, decodeNative(doc).spans[0].events);
  assert.deepEqual(events.map((e) => e.name), ['cart.loaded', 'wide', 'exception']);
  assert.deepEqual(events[0], { name: 'cart.loaded', time: span.events[0].timestamp, attributes: { items: 2 } });
  assert.equal(Object.keys(events[1].attributes).length, 128);
  assert.equal(events[1].droppedAttributesCount, 2, 'what the core dropped is still counted');
  assert.equal(events[2].attributes['exception.type'], 'TypeError');
});
