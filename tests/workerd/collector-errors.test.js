// Errors by fingerprint at ingest, in workerd against Miniflare's D1: a real payload with a thrown
// error fills `errors` and `error_minutes` in the payload's own batch, counted the way the core
// counts its `errors` counter; a repeated batch adds nothing; a later payload adds to the row.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { keepingExporter } from '../js/helpers.js';
import { startCollectorWith } from './collector-helpers.js';

const TOKEN = 'errors-token-0123456789';
let collector;
before(async () => {
  collector = await startCollectorWith({ bundleName: 'collector-ingest', bindings: { INGEST_TOKEN: TOKEN } });
});
after(() => collector?.worker.dispose());

// One flush of a telemetry in which GET /cart threw (a child span and the root record it).
async function failingPayload(message = 'x is undefined') {
  const docs = [];
  const t = createTelemetry({ service: 'shop', requestMetrics: false, exporters: [keepingExporter('native', (_, d) => docs.push(d))] });
  assert.throws(() =>
    t.trace('GET /cart', (span) => {
      span.setAttribute('http.route', '/cart');
      t.trace('load cart', () => {
        throw new TypeError(message);
      });
    }),
  );
  await t.flush();
  assert.equal(docs.length, 1);
  return docs[0];
}

const ingest = (doc) => fetch(`${collector.worker.url}/api/observe/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(doc) });
const all = async (sql) => (await collector.db.prepare(sql).all()).results;
// What the core itself counted: its `errors` counter, by fingerprint.
const coreCounted = (doc) => Object.fromEntries(doc.metrics.filter((m) => m.name === 'errors').map((m) => [m.tags['error.fingerprint'], m.value]));

let first;
test('a payload with a thrown error adds its fingerprint to errors and error_minutes, as many times as the core counted it', async () => {
  first = await failingPayload();
  const counted = coreCounted(first);
  const [fingerprint] = Object.keys(counted);
  assert.ok(fingerprint, 'the core classified the error');
  assert.equal((await ingest(first)).status, 202);
  const rows = await all('SELECT * FROM errors');
  assert.equal(rows.length, 1);
  const exceptionSpans = first.spans.filter((s) => s.attributes['error.fingerprint'] === fingerprint);
  const times = exceptionSpans.map((s) => s.events.find((e) => e.name === 'exception').timestamp);
  const latest = exceptionSpans.reduce((a, s) => (s.events[0].timestamp >= a.events[0].timestamp ? s : a));
  assert.deepEqual(rows[0], {
    service: 'shop',
    fingerprint,
    severity: first.spans[0].attributes['error.severity'],
    category: first.spans[0].attributes['error.category'],
    type: 'TypeError',
    message: 'x is undefined',
    route: '/cart',
    count: counted[fingerprint],
    first_seen: Math.min(...times),
    last_seen: Math.max(...times),
    last_trace_id: latest.traceId,
  });
  const minutes = await all('SELECT bucket, count, severity FROM error_minutes');
  assert.equal(minutes.reduce((n, m) => n + m.count, 0), counted[fingerprint]);
  for (const m of minutes) assert.equal(m.bucket % 60_000, 0);
});

test('the same batch delivered again is acknowledged and its errors are not counted twice', async () => {
  const before = { errors: await all('SELECT * FROM errors'), minutes: await all('SELECT * FROM error_minutes ORDER BY bucket') };
  const res = await ingest(first);
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual({ errors: await all('SELECT * FROM errors'), minutes: await all('SELECT * FROM error_minutes ORDER BY bucket') }, before);
});

test('a later payload with the same fingerprint adds to its count and moves last_seen and the trace', async () => {
  const [fingerprint] = Object.keys(coreCounted(first));
  const [before] = await all('SELECT * FROM errors');
  const second = await failingPayload();
  assert.deepEqual(Object.keys(coreCounted(second)), [fingerprint], 'one error site and message shape: one fingerprint');
  // Dated two minutes later, so it lands in another minute bucket too.
  for (const s of second.spans) {
    s.startTime += 120_000;
    s.endTime += 120_000;
    for (const e of s.events) e.timestamp += 120_000;
  }
  const res = await ingest(second);
  assert.equal(res.status, 202, await res.clone().text());
  const [after] = await all('SELECT * FROM errors');
  assert.equal(after.count, before.count + coreCounted(second)[fingerprint]);
  assert.equal(after.first_seen, before.first_seen);
  assert.ok(after.last_seen >= before.last_seen + 120_000);
  assert.ok(second.spans.some((s) => s.traceId === after.last_trace_id));
  const total = (await all('SELECT sum(count) AS n FROM error_minutes'))[0].n;
  assert.equal(total, after.count);
});
