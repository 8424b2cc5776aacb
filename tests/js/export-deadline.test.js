// The export deadline is a hard bound: ctx.waitUntil gives an invocation 30 s after its response,
// so no attempt and no queued payload may run past the exporter's deadlineMs. Against real slow
// and silent HTTP servers on loopback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { ExportPipeline } from '../../js/export-pipeline.js';
import { captureConsole } from './helpers.js';

// A server that answers 200 after `delayMs`, never (delayMs = Infinity), or with `status` at once.
async function startServer({ delayMs = 0, status = 200 }) {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    req.resume();
    req.on('end', () => {
      if (!Number.isFinite(delayMs)) return;
      setTimeout(() => {
        res.writeHead(status);
        res.end('{}');
      }, delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${server.address().port}/ingest`;
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return state;
}

// The pipeline with a budget large enough that only the deadline limits what is sent.
function telemetry(exporter, records) {
  const t = createTelemetry({ service: 'svc', maxBatchSize: 1, exporter });
  t.pipeline = new ExportPipeline(t.core, t.config.exporters, { maxSubrequests: 1000 });
  for (let i = 0; i < records; i++) t.trace(`op${i}`, () => {});
  return t;
}

async function timedFlush(t) {
  const started = performance.now();
  const lines = await captureConsole('error', () => t.flush());
  return { elapsed: performance.now() - started, lines };
}

test('queued payloads whose turn comes after the deadline are not sent, and are counted as failed', async () => {
  const server = await startServer({ delayMs: 150 });
  // 60 one-record payloads, 6 at a time, 150 ms each: 1.5 s if every payload were sent.
  const t = telemetry(exporters.http({ url: server.url, deadlineMs: 200, timeoutMs: 200, retries: 0 }), 60);
  const { elapsed, lines } = await timedFlush(t);
  assert.ok(elapsed < 800, `flush took ${elapsed.toFixed(0)} ms with deadlineMs 200`);
  assert.ok(server.requests < 60, `${server.requests} requests`);
  const [http] = t.stats().exporters;
  assert.equal(http.exported + http.failed, 60);
  // At most two rounds of 6 attempts fit in 200 ms at 150 ms a response; the rest never start.
  assert.ok(http.failedByCause.deadline >= 60 - 12, `${JSON.stringify(http.failedByCause)} ${server.requests} requests`);
  assert.ok(http.failed >= 60 - server.requests);
  assert.equal(t.stats().failed, http.failed);
  assert.match(lines.join('\n'), /not delivered \(payloads by cause: .*deadline \d+/);
});

test("an attempt's timeout is clipped to the time left before the deadline", async () => {
  const server = await startServer({ delayMs: Infinity });
  const t = telemetry(exporters.http({ url: server.url, deadlineMs: 300, timeoutMs: 5000, retries: 3, [Symbol.for('edgescope.test.sleep')]: async () => {} }), 1);
  const { elapsed, lines } = await timedFlush(t);
  assert.ok(elapsed < 1500, `flush took ${elapsed.toFixed(0)} ms with deadlineMs 300 and timeoutMs 5000`);
  assert.match(lines[0], /timed out after \d+ ms \(the time left before the export deadline\)/);
  assert.equal(t.stats().failed, 1);
  assert.equal(server.requests, 1, 'no retry is started once the deadline has passed');
});

test('a retry whose backoff would end past the deadline is not taken', async () => {
  const server = await startServer({ status: 503 });
  // Five payloads, each failing fast with up to 5 retries and real (full-jitter) sleeps of up to
  // 200, 400, 800, 1600 and 3200 ms: only the deadline keeps the flush short.
  const t = telemetry(exporters.http({ url: server.url, deadlineMs: 250, timeoutMs: 200, retries: 5 }), 5);
  const { elapsed, lines } = await timedFlush(t);
  assert.ok(elapsed < 700, `flush took ${elapsed.toFixed(0)} ms with deadlineMs 250`);
  assert.equal(t.stats().exporters[0].failed, 5);
  assert.match(lines[0], /HTTP 503/);
});

test('the Direct exporter keeps the deadline too', async () => {
  const server = await startServer({ delayMs: 150 });
  const t = telemetry(exporters.direct({ url: server.url, deadlineMs: 400, timeoutMs: 5000 }), 10);
  const { elapsed } = await timedFlush(t);
  assert.ok(elapsed < 1000, `flush took ${elapsed.toFixed(0)} ms with deadlineMs 400 (10 sequential payloads of 150 ms)`);
  const [direct] = t.stats().exporters;
  assert.ok(server.requests <= 3, `${server.requests} requests`);
  assert.equal(direct.failedByCause.deadline, 10 - server.requests);
  assert.equal(direct.exported + direct.failed, 10);
});
