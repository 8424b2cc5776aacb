// What the exporters do with each kind of collector answer, by the OTLP/HTTP rules ("Retryable
// Response Codes", "Bad Data", "OTLP/HTTP Throttling", "All Other Responses"), against real HTTP
// servers on loopback. Every result accounts for each record exactly once:
//   delivered + droppedRecords + records handed back in retryLater = records.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { startCollector } from 'edgescope/testing';
import { createFlushContext } from '../../js/exporters/flush-context.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

const collector = useCollector();
const SLEEP = Symbol.for('edgescope.test.sleep');

// Real payloads from the core. Payloads carry a 32-hex batchId (and native bodies a top-level
// "batchId" field); one is added here the same way when the core in use does not make them yet.
function encoded(format, { spans = 1, batchId = true } = {}) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  t.trace('root', () => {
    for (let i = 1; i < spans; i++) t.trace(`child${i}`, () => {});
  });
  t.core.drain(Date.now());
  try {
    // The core gives every payload its batch id; `batchId: false` tests payloads without one.
    return t.core.encode(format).map((p) => (batchId ? p : withoutBatchId(p)));
  } finally {
    t.core.release();
  }
}

function withoutBatchId(payload) {
  const { batchId, ...rest } = payload;
  return rest;
}

function accounted(result) {
  const later = result.retryLater.reduce((sum, p) => sum + p.records, 0);
  assert.equal(result.delivered + result.droppedRecords + later, result.records, JSON.stringify({ ...result, retryLater: later }));
  return result;
}

function http(options = {}) {
  const waits = [];
  const exporter = exporters.http({ url: collector.nativeUrl, retries: 2, [SLEEP]: async (ms) => waits.push(ms), ...options });
  return { exporter, waits };
}

async function sendOne(exporter, payload, context) {
  const [result] = await exporter.send([payload], context);
  return accounted(result);
}

// A loopback server answering every request with handler(req, res, n); requests are kept.
async function startServer(handler) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res, requests.length));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return { url: `http://127.0.0.1:${server.address().port}/ingest`, requests };
}

for (const status of [429, 502, 503, 504]) {
  test(`HTTP ${status} is retried with backoff, and delivered when the collector recovers`, async () => {
    const { exporter, waits } = http();
    const [payload] = encoded('native', { spans: 2 });
    collector.failNext(status, { times: 2 });
    const result = await sendOne(exporter, payload);
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 3);
    assert.equal(result.delivered, 2);
    assert.equal(waits.length, 2, 'one backoff before each retry');
    assert.equal(collector.spans.length, 2);
  });

  test(`HTTP ${status} that outlasts the retries is handed back for a later flush, not dropped`, async () => {
    const { exporter } = http();
    const [payload] = encoded('native', { spans: 2 });
    collector.failAlways(status);
    const result = await sendOne(exporter, payload);
    assert.equal(collector.requests, 3);
    assert.deepEqual(
      { ok: result.ok, status: result.status, cause: result.cause, attempts: result.attempts, delivered: result.delivered, dropped: result.droppedRecords },
      { ok: false, status, cause: 'http', attempts: 3, delivered: 0, dropped: 0 },
    );
    assert.deepEqual(result.retryLater, [payload], 'the same payload, batch id and all');
    assert.equal(result.batchId, payload.batchId);
  });
}

test('a collector that cannot be reached is retried, then handed back (network)', async () => {
  const down = await startCollector();
  const url = down.nativeUrl;
  await down.close();
  const { exporter, waits } = http({ url });
  const [payload] = encoded('native');
  const result = await sendOne(exporter, payload);
  assert.equal(result.cause, 'network');
  assert.equal(result.attempts, 3);
  assert.equal(waits.length, 2);
  assert.deepEqual(result.retryLater, [payload]);
});

test('a collector that does not answer in time is retried, then handed back (timeout)', async () => {
  const server = await startServer(() => {}); // never answers
  const { exporter } = http({ url: server.url, timeoutMs: 100, retries: 1 });
  const [payload] = encoded('native');
  const result = await sendOne(exporter, payload);
  assert.equal(server.requests.length, 2);
  assert.equal(result.cause, 'timeout');
  assert.match(result.error, /timed out after 100 ms/);
  assert.deepEqual(result.retryLater, [payload]);
});

test('HTTP 400: the data is dropped, not retried, and the collector\'s own message is logged', async () => {
  const { exporter } = http({ retries: 3 });
  // A body the collector's decoder refuses for real: a native payload without `service`.
  const bad = { signal: 'mixed', records: 1, batchId: 'b'.repeat(32), body: new TextEncoder().encode('{"spans":[{"traceId":"x"}]}') };
  const lines = await captureConsole('error', async () => {
    const result = await sendOne(exporter, bad);
    assert.deepEqual(
      { ok: result.ok, status: result.status, cause: result.cause, attempts: result.attempts, dropped: result.droppedRecords, later: result.retryLater.length },
      { ok: false, status: 400, cause: 'rejected', attempts: 1, dropped: 1, later: 0 },
    );
    assert.match(result.error, /^HTTP 400: \$\.service: expected a non-empty string$/);
  });
  assert.equal(collector.requests, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\[edgescope\] http exporter: the collector at http:\/\/127\.0\.0\.1:\d+\/ingest refused 1 record\(s\) in 1 payload\(s\) \(HTTP 400: \$\.service: expected a non-empty string\); dropped, not retried/);
});

test('HTTP 404 (a wrong collector path): dropped, not retried, with the collector\'s message', async () => {
  const { exporter } = http({ url: `${collector.url}/ingest-typo`, retries: 3 });
  const [payload] = encoded('native', { spans: 3 });
  const lines = await captureConsole('error', async () => {
    const result = await sendOne(exporter, payload);
    assert.deepEqual([result.status, result.cause, result.attempts, result.droppedRecords], [404, 'rejected', 1, 3]);
  });
  assert.equal(collector.requests, 1);
  assert.match(lines.join('\n'), /refused 3 record\(s\) .*HTTP 404: unknown path \/ingest-typo/);
});

for (const status of [401, 403]) {
  test(`HTTP ${status}: not retried, logged loudly once per send, and the data is handed back (a rotated token must not cost it)`, async () => {
    const { exporter } = http({ retries: 3 });
    collector.failAlways(status, { body: 'token expired' });
    const payloads = [...encoded('native'), ...encoded('native'), ...encoded('native')];
    let results;
    const lines = await captureConsole('error', async () => {
      results = await exporter.send(payloads);
    });
    assert.equal(collector.requests, 3, 'one request per payload, none retried');
    results.forEach((result, i) => {
      accounted(result);
      assert.deepEqual([result.status, result.cause, result.attempts, result.droppedRecords], [status, 'auth', 1, 0]);
      assert.deepEqual(result.retryLater, [payloads[i]]);
    });
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], new RegExp(`refused the credentials \\(HTTP ${status}: token expired\\) for 3 record\\(s\\) in 3 payload\\(s\\); check bearerToken and headers\\. The records are not dropped`));
  });
}

for (const status of [500, 501, 505, 408]) {
  test(`HTTP ${status} is not retried in the flush (not a retryable OTLP/HTTP code); the data is handed back`, async () => {
    const { exporter, waits } = http({ retries: 3 });
    collector.failAlways(status, { body: 'broken' });
    const [payload] = encoded('native');
    const result = await sendOne(exporter, payload);
    assert.equal(collector.requests, 1);
    assert.deepEqual(waits, []);
    assert.deepEqual([result.ok, result.status, result.cause, result.error], [false, status, 'http', `HTTP ${status}: broken`]);
    assert.deepEqual(result.retryLater, [payload]);
  });
}

test('a redirect is handed back for a later flush (the URL is configuration, the data is not at fault)', async () => {
  const server = await startServer((req, res) => {
    res.writeHead(308, { location: '/elsewhere' });
    res.end();
  });
  const { exporter } = http({ url: server.url, retries: 3 });
  const [payload] = encoded('native');
  const result = await sendOne(exporter, payload);
  assert.equal(server.requests.length, 1);
  assert.equal(result.cause, 'redirect');
  assert.deepEqual(result.retryLater, [payload]);
});

test('Retry-After in seconds is waited for before the retry', async () => {
  const { exporter, waits } = http();
  collector.failNext(429, { headers: { 'retry-after': '3' } });
  const [payload] = encoded('native');
  const result = await sendOne(exporter, payload);
  assert.deepEqual(waits, [3000]);
  assert.equal(result.ok, true);
  assert.equal(result.attempts, 2);
});

test('Retry-After as an HTTP-date is waited for until that date', async () => {
  const { exporter, waits } = http({ url: collector.otlpUrl, format: 'otlp-json' });
  collector.failNext(503, { headers: { 'retry-after': new Date(Date.now() + 5000).toUTCString() } });
  const [payload] = encoded('otlp-json');
  const result = await sendOne(exporter, payload);
  assert.equal(waits.length, 1);
  assert.ok(waits[0] > 3000 && waits[0] <= 5000, `waited ${waits[0]} ms`);
  assert.equal(result.ok, true);
});

test('a Retry-After beyond the export deadline hands the payload back at once, without waiting', async () => {
  for (const header of ['30', new Date(Date.now() + 30_000).toUTCString()]) {
    collector.clear();
    const { exporter, waits } = http({ deadlineMs: 5000, retries: 5 });
    collector.failNext(503, { headers: { 'retry-after': header } });
    const [payload] = encoded('native');
    const started = performance.now();
    const result = await sendOne(exporter, payload);
    assert.ok(performance.now() - started < 1000);
    assert.deepEqual(waits, [], header);
    assert.equal(collector.requests, 1);
    assert.equal(result.cause, 'retry-after');
    assert.match(result.error, /Retry-After asks for (29|30)\.\d s, more than the \d\.\d s left before the export deadline/);
    assert.deepEqual(result.retryLater, [payload]);
  }
});

test('what the subrequest budget leaves unsent is handed back, not lost', async () => {
  const { exporter } = http();
  const payloads = [...encoded('native'), ...encoded('native'), ...encoded('native')];
  const results = await exporter.send(payloads, createFlushContext({ maxSubrequests: 2 }));
  results.forEach(accounted);
  assert.deepEqual(results.map((r) => r.cause ?? 'delivered'), ['delivered', 'delivered', 'budget']);
  assert.deepEqual(results[2].retryLater, [payloads[2]]);
  assert.equal(collector.spans.length, 2);
});

test('the batch id goes out as Idempotency-Key, identical on every retry; no batch id, no header', async () => {
  const server = await startServer((req, res, n) => {
    res.writeHead(n <= 2 ? 503 : 200);
    res.end();
  });
  const { exporter } = http({ url: server.url });
  const [payload] = encoded('native');
  assert.equal((await sendOne(exporter, payload)).ok, true);
  assert.deepEqual(server.requests.map((r) => r.headers['idempotency-key']), [payload.batchId, payload.batchId, payload.batchId]);
  assert.match(payload.batchId, /^[0-9a-f]{32}$/);

  const [anonymous] = encoded('native', { batchId: false });
  assert.equal((await sendOne(exporter, anonymous)).ok, true);
  assert.equal('idempotency-key' in server.requests[3].headers, false);

  // An id no header can carry (a custom payload's) is not sent rather than failing every attempt.
  assert.equal((await sendOne(exporter, { ...anonymous, batchId: 'a\r\nx-injected: 1' })).ok, true);
  assert.equal('idempotency-key' in server.requests[4].headers, false);
  assert.equal('x-injected' in server.requests[4].headers, false);
});

test('a batch the collector took before the connection died is retried and arrives once', async () => {
  const { exporter } = http({ url: collector.otlpUrl, format: 'otlp-json' });
  collector.acceptThenDrop();
  const [payload] = encoded('otlp-json', { spans: 2 });
  const result = await sendOne(exporter, payload);
  assert.equal(result.ok, true);
  assert.equal(result.attempts, 2, 'the dropped connection is a network error, retried');
  assert.equal(collector.spans.length, 2, 'recorded once');
  assert.deepEqual(collector.duplicates, [{ batchId: payload.batchId, path: '/v1/traces', count: 1 }]);
  assert.deepEqual(collector.batchIds, [payload.batchId]);
});

test('the Direct exporter classifies alike but never retries: 503 handed back, 400 dropped', async () => {
  const exporter = exporters.direct({ url: collector.nativeUrl });
  const payloads = [...encoded('native'), ...encoded('native', { spans: 2 })];
  collector.failNext(503);
  collector.failNext(400, { body: '{"message":"bad field"}' });
  let results;
  const lines = await captureConsole('error', async () => {
    results = (await exporter.send(payloads)).map(accounted);
  });
  assert.equal(collector.requests, 2);
  assert.deepEqual(results.map((r) => [r.status, r.cause, r.attempts, r.retryLater.length, r.droppedRecords]), [
    [503, 'http', 1, 1, 0],
    [400, 'rejected', 1, 0, 2],
  ]);
  assert.match(lines.join('\n'), /^\[edgescope\] direct exporter: .*refused 2 record\(s\) .*HTTP 400: bad field/);
});
