// When the collector is down or refuses the data, the user's handler never sees an exception,
// the client's response is unchanged, and the failure is logged and counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();

async function run(url, retries, requestCount = 2) {
  const output = [];
  const worker = await startWorker({
    bundle: await bundleOf('basic'),
    bindings: { COLLECTOR_URL: url, RETRIES: String(retries) },
    onOutput: (line) => output.push(line),
  });
  try {
    for (let i = 0; i < requestCount; i++) {
      const res = await worker.fetch(`/page${i}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), `hello from /page${i}`);
      assert.equal(res.headers.get('content-type'), 'text/plain');
    }
    // The exports run in waitUntil after the responses: wait until each request's single payload
    // has either arrived or been reported as failed.
    const failures = () => output.filter((l) => l.includes('[edgescope] export failed')).length;
    for (let tries = 0; tries < 200 && failures() + collector.payloads.length < requestCount; tries++) await sleep(25);
    const collectorRequests = collector.requests;
    // Read the counters from inside the isolate (this request's own export comes after).
    const stats = await (await worker.fetch('/__stats')).json();
    return { stats, output, collectorRequests };
  } finally {
    await worker.dispose();
  }
}

test('collector down: responses unchanged, failure logged and counted', async () => {
  const down = await startCollector();
  const url = down.nativeUrl;
  await down.close();
  const { stats, output } = await run(url, 0);
  assert.equal(stats.payloadsFailed, 2);
  assert.equal(stats.failed, 10); // 3 spans + 1 metric + 1 log per request
  assert.match(stats.lastError, /network error/);
  assert.ok(output.some((l) => /\[edgescope\] export failed: .*network error/.test(l)), output.join('\n'));
});

test('collector answering 503: retried, then logged and counted; responses unchanged', async () => {
  collector.failAlways(503, { body: 'overloaded' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 1);
  assert.equal(collectorRequests, 4); // 2 flushes x (1 try + 1 retry)
  assert.equal(stats.payloadsFailed, 2);
  assert.ok(output.some((l) => /HTTP 503: overloaded/.test(l)), output.join('\n'));
});

test('collector answering 500: not retried (not a retryable OTLP/HTTP code), logged and counted', async () => {
  collector.failAlways(500, { body: 'internal error' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 3);
  assert.equal(collectorRequests, 2); // 2 flushes x 1 try
  assert.equal(stats.payloadsFailed, 2);
  assert.ok(output.some((l) => /HTTP 500: internal error/.test(l)), output.join('\n'));
});

test('collector answering 401: not retried, logged loudly and counted', async () => {
  collector.failAlways(401, { body: 'bad token' });
  const { stats, output, collectorRequests } = await run(collector.nativeUrl, 3);
  assert.equal(collectorRequests, 2);
  assert.equal(stats.failed, 10);
  assert.ok(output.some((l) => /HTTP 401: bad token/.test(l)), output.join('\n'));
  assert.ok(output.some((l) => /refused the credentials \(HTTP 401: bad token\).*check bearerToken and headers/.test(l)), output.join('\n'));
});

test('after the collector recovers, new telemetry arrives again', async () => {
  collector.failNext(503, { times: 1 });
  const { stats } = await run(collector.nativeUrl, 0, 2);
  assert.equal(stats.payloadsFailed, 1);
  assert.equal(stats.payloadsSent >= 1, true);
  assert.equal(collector.logs.length, 1);
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
