// The capture collector refuses what is not a valid payload, naming the problem (and takes a valid one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCollector } from 'edgescope/testing';

let collector;
before(async () => {
  collector = await startCollector({ maxBodyBytes: 1024 });
});
after(() => collector.close());

const post = (path, body, type = 'application/json') =>
  fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

// A small OTLP trace request, valid unless `span` or `resource` overrides make it otherwise.
const now = `${BigInt(Date.now()) * 1000000n}`;
const otlpTrace = ({ span = {}, resource = [{ key: 'service.name', value: { stringValue: 's' } }] } = {}) =>
  JSON.stringify({
    resourceSpans: [{
      resource: { attributes: resource },
      scopeSpans: [{
        spans: [{
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          name: 'op',
          kind: 1,
          startTimeUnixNano: now,
          endTimeUnixNano: now,
          ...span,
        }],
      }],
    }],
  });

const cases = [
  ['/v1/traces', otlpTrace(), 200, null],
  ['/ingest', '{', 400, /not valid UTF-8 JSON/],
  ['/ingest', new Uint8Array([0x7b, 0xff, 0x7d]), 400, /not valid UTF-8/],
  ['/ingest', '{"spans":[]}', 400, /\$\.service/],
  ['/ingest', '{"service":"s","spans":[]}', 400, /\$\.spans: expected a non-empty array/],
  ['/ingest', '{"service":"s","spans":[{"traceId":"xyz"}]}', 400, /\$\.spans\[0\]\.traceId/],
  ['/ingest', '{"service":"s","logs":[{"message":"m","level":"loud","context":{}}]}', 400, /level/],
  ['/v1/traces', otlpTrace({ resource: [] }), 400, /\$\.resourceSpans\[0\]\.resource: expected a service\.name attribute/],
  ['/v1/traces', otlpTrace({ span: { traceId: '4BF92F3577B34DA6A3CE929D0E0E4736' } }), 400, /spans\[0\]\.traceId: expected 32 lowercase hex digits/],
  ['/v1/traces', otlpTrace({ span: { startTimeUnixNano: String(Math.floor(Date.now() / 1000)) } }), 400, /spans\[0\]\.startTimeUnixNano: .*instead of nanoseconds/],
  ['/v1/traces', otlpTrace({ span: { kind: 'SPAN_KIND_SERVER' } }), 400, /spans\[0\]\.kind: OTLP JSON encodes enums as integers/],
  ['/v1/traces', otlpTrace({ span: { operationName: 'op' } }), 400, /spans\[0\]\.operationName: unknown field/],
  ['/v1/metrics', '{"resourceSpans":[]}', 400, /\$\.resourceSpans: unknown field: .*ExportMetricsServiceRequest/],
  ['/v1/nope', '{}', 404, /unknown path/],
  ['/ingest', 'x'.repeat(2000), 413, /exceeds 1024/],
  ['/ingest', '{}', 415, /content-type text\/plain/, 'text/plain'],
];

for (const [path, body, status, message, type] of cases) {
  const name = message ? `POST ${path} with a bad payload is refused with ${status}: ${message}` : `POST ${path} with a valid payload is accepted`;
  test(name, async () => {
    const before = collector.spans.length;
    const res = await post(path, body, type);
    assert.equal(res.status, status);
    if (!message) return assert.equal(collector.spans.length, before + 1);
    assert.match((await res.json()).error, message);
    assert.equal(collector.spans.length, before);
  });
}

// De-duplication: a batch sent again after it was accepted (its answer was lost, say) is answered
// 200 and not recorded a second time, as an idempotent collector would.
const postWithKey = (path, body, key) =>
  fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body });
const nativeBatch = (batchId) => JSON.stringify({ service: 's', ...(batchId ? { batchId } : {}), logs: [{ timestamp: Date.now(), level: 'info', message: 'm', context: {} }] });

test('a batch sent again under the same Idempotency-Key is answered 200 and recorded once', async () => {
  collector.clear();
  for (let i = 0; i < 3; i++) assert.equal((await postWithKey('/v1/traces', otlpTrace(), 'k1')).status, 200);
  assert.equal((await postWithKey('/v1/traces', otlpTrace(), 'k2')).status, 200);
  assert.equal((await postWithKey('/v1/traces', otlpTrace(), '"k2"')).status, 200, 'a quoted structured-field string is the same key');
  assert.equal(collector.spans.length, 2);
  assert.equal(collector.payloads.length, 2);
  assert.deepEqual(collector.batchIds, ['k1', 'k2']);
  assert.deepEqual(collector.duplicates, [{ batchId: 'k1', path: '/v1/traces', count: 2 }, { batchId: 'k2', path: '/v1/traces', count: 1 }]);
  assert.deepEqual(collector.payloads.map((p) => p.batchId), ['k1', 'k2']);
  assert.match(collector.summary(), /3 duplicate/);
});

test('without the header, a native body\'s batchId is the key; with neither, nothing is de-duplicated', async () => {
  collector.clear();
  const id = 'c0ffee00'.repeat(4); // a batch id as the core makes them: 32 lowercase hex digits
  await postWithKey('/ingest', nativeBatch(id));
  await postWithKey('/ingest', nativeBatch(id));
  await postWithKey('/ingest', nativeBatch());
  await postWithKey('/ingest', nativeBatch());
  assert.equal(collector.logs.length, 3);
  assert.deepEqual(collector.batchIds, [id]);
  assert.deepEqual(collector.duplicates, [{ batchId: id, path: '/ingest', count: 1 }]);
});

test('a refused batch is not remembered: the same key with a valid body is then recorded', async () => {
  collector.clear();
  assert.equal((await postWithKey('/ingest', '{"spans":[]}', 'k')).status, 400);
  collector.failNext(503);
  assert.equal((await postWithKey('/ingest', nativeBatch(), 'k')).status, 503);
  assert.equal((await postWithKey('/ingest', nativeBatch(), 'k')).status, 200);
  assert.equal(collector.logs.length, 1);
  assert.deepEqual(collector.duplicates, []);
  collector.clear();
  assert.equal((await postWithKey('/ingest', nativeBatch(), 'k')).status, 200);
  assert.equal(collector.logs.length, 1, 'clear() forgets the ids it accepted');
});

test('acceptThenDrop records the batch, then closes the connection without an answer', async () => {
  collector.clear();
  collector.acceptThenDrop();
  await assert.rejects(postWithKey('/v1/traces', otlpTrace(), 'd1'), TypeError);
  assert.equal(collector.spans.length, 1);
  assert.deepEqual(collector.batchIds, ['d1']);
  assert.equal((await postWithKey('/v1/traces', otlpTrace(), 'd1')).status, 200, 'the resend is recognised');
  assert.equal(collector.spans.length, 1);
  assert.deepEqual(collector.duplicates, [{ batchId: 'd1', path: '/v1/traces', count: 1 }]);
});

test('partialSuccess answers 200 with an OTLP partialSuccess body and keeps only the records it accepted', async () => {
  collector.clear();
  collector.partialSuccess({ rejected: 1, message: 'span too old', times: 2 });
  const two = JSON.parse(otlpTrace());
  const [span] = two.resourceSpans[0].scopeSpans[0].spans;
  two.resourceSpans[0].scopeSpans[0].spans.push({ ...span, spanId: '00f067aa0ba902b8', name: 'second' });
  const first = await postWithKey('/v1/traces', JSON.stringify(two));
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { partialSuccess: { rejectedSpans: '1', errorMessage: 'span too old' } });
  assert.deepEqual(collector.spans.map((s) => s.name), ['op']);
  const logs = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: now, severityNumber: 9, severityText: 'INFO', body: { stringValue: 'x' } }] }] }] });
  const second = await postWithKey('/v1/logs', logs);
  assert.deepEqual(await second.json(), { partialSuccess: { rejectedLogRecords: '1', errorMessage: 'span too old' } });
  assert.equal(collector.logs.length, 0);
  assert.deepEqual((await (await postWithKey('/v1/traces', otlpTrace())).json()), { accepted: true }, 'times: 2 used up');
  assert.throws(() => collector.partialSuccess({ rejected: -1 }), /expected a non-negative integer, got -1/);
  assert.throws(() => collector.acceptThenDrop({ times: 0 }), /expected a positive integer, got 0/);
});
