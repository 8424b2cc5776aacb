// When the collector is down or refuses the data, the user's handler never sees an exception,
// the client's response is unchanged, and the failure is logged and counted; by default what was
// not delivered waits in the offline buffer (tests/workerd/offline-buffer.test.js goes further).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();

const RECORDS_PER_REQUEST = 5; // 3 spans + 1 metric + 1 log

// buffer: 'off' makes every failure final, so each request's export is one flush on its own.
async function run(url, retries, requestCount = 2, { buffer = 'on' } = {}) {
  const output = [];
  const worker = await startWorker({
    bundle: await bundleOf('basic'),
    bindings: { COLLECTOR_URL: url, RETRIES: String(retries), BUFFER: buffer },
    onOutput: (line) => output.push(line),
  });
  try {
    // The exports run in waitUntil after the responses: after each request, wait until its
    // records are accounted for (delivered, buffered, rejected or lost), so the next request's
    // export starts after this one's ended, as with requests seconds apart. The counters are read
    // from inside the isolate, before that probe's own export.
    const accounted = (s) => s.exported + s.buffered + s.rejected + s.failed;
    let stats;
    for (let i = 0; i < requestCount; i++) {
      const res = await worker.fetch(`/page${i}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `hello from /page${i}`);
      assert.equal(res.headers.get('content-type'), 'text/plain');
      stats = await (await worker.fetch('/__stats')).json();
      for (let tries = 0; tries < 200 && accounted(stats) < RECORDS_PER_REQUEST * (i + 1); tries++) {
        await sleep(25);
        stats = await (await worker.fetch('/__stats')).json();
      }
    }
    // The probes' own exports may still be on their way: count the requests up to here.
    const collectorRequests = collector.requests;
    return { stats, output, collectorRequests };
  } finally {
    await worker.dispose();
  }
}

test('collector down: responses unchanged, failure logged, and the telemetry kept in the buffer', async () => {
  const down = await startCollector();
  const url = down.nativeUrl;
  await down.close();
  const { stats, output } = await run(url, 0);
  // Every record of both requests, plus the buffer's own metrics riding along with the second.
  assert.ok(stats.buffered >= 2 * RECORDS_PER_REQUEST, JSON.stringify(stats));
  assert.equal(stats.failed, 0);
  assert.equal(stats.buffer.stored, 2);
  assert.match(stats.lastError, /network error/);
  assert.ok(output.some((l) => /\[edgescope\] export failed: .*network error.*kept in the offline buffer \(memory\)/.test(l)), output.join('\n'));
});

test('collector down with buffer: false: responses unchanged, failure logged and counted as lost', async () => {
  const down = await startCollector();
  const url = down.nativeUrl;
  await down.close();
  const { stats, output } = await run(url, 0, 2, { buffer: 'off' });
  assert.equal(stats.payloadsFailed, 2);
  assert.equal(stats.failed, 2 * RECORDS_PER_REQUEST);
  assert.equal(stats.buffer, null);
  assert.ok(output.some((l) => /\[edgescope\] export failed: .*network error.*lost \(buffer: false\)/.test(l)), output.join('\n'));
});

test('collector answering 503: retried, then logged and counted; responses unchanged', async () => {
  collector.failAlways(503, { body: 'overloaded' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 1, 2, { buffer: 'off' });
  // Each payload: 1 try + 1 retry. (Usually 2 payloads; a drain may take a record of the next
  // request with it, so the count of payloads is read, not assumed.)
  assert.equal(collectorRequests, 2 * stats.payloadsFailed);
  assert.ok(stats.payloadsFailed >= 2);
  assert.equal(stats.failed, 2 * RECORDS_PER_REQUEST);
  assert.ok(output.some((l) => /HTTP 503: overloaded/.test(l)), output.join('\n'));
});

test('collector answering 500: not retried (not a retryable OTLP/HTTP code), logged and counted', async () => {
  collector.failAlways(500, { body: 'internal error' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 3, 2, { buffer: 'off' });
  assert.equal(collectorRequests, stats.payloadsFailed, 'one try per payload');
  assert.equal(stats.failed, 2 * RECORDS_PER_REQUEST);
  assert.ok(output.some((l) => /HTTP 500: internal error/.test(l)), output.join('\n'));
});

test('collector answering 401: not retried, logged loudly and counted', async () => {
  collector.failAlways(401, { body: 'bad token' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 3, 2, { buffer: 'off' });
  assert.equal(collectorRequests, stats.payloadsFailed, 'one try per payload');
  assert.equal(stats.failed, 2 * RECORDS_PER_REQUEST);
  assert.ok(output.some((l) => /HTTP 401: bad token/.test(l)), output.join('\n'));
  assert.ok(output.some((l) => /refused the credentials \(HTTP 401: bad token\).*check bearerToken and headers/.test(l)), output.join('\n'));
});

test('after the collector recovers, what failed arrives with the new telemetry', async () => {
  collector.failNext(503, { times: 1 });
  const { stats } = await run(collector.nativeUrl, 0, 2);
  assert.equal(stats.payloadsFailed, 1);
  assert.equal(stats.payloadsSent >= 1, true);
  assert.deepEqual(collector.logs.map((l) => l.attributes.path), ['/page0', '/page1']);
  assert.equal(stats.buffer.replayed, 1);
  assert.equal(stats.failed, 0);
});

test('a handler that throws still exports, and the error reaches the runtime unchanged', async () => {
  const output = [];
  const worker = await startWorker({
    bundle: await bundleOf('basic'),
    bindings: { COLLECTOR_URL: collector.nativeUrl },
    onOutput: (line) => output.push(line),
  });
  try {
    const res = await worker.fetch('/throw');
    assert.equal(res.status, 500);
    await res.arrayBuffer();
    await collector.waitFor((c) => c.spans.length === 1);
    const root = collector.spans[0];
    assert.equal(root.status, 'error');
    assert.equal(root.statusMessage, 'handler exploded');
    assert.equal(root.attributes['edgescope.response.outcome'], 'threw');
    assert.equal(root.events[0].attributes['exception.message'], 'handler exploded');
  } finally {
    await worker.dispose();
  }
});
