// What the exporters do with awkward collector responses, against real HTTP servers on loopback:
// an endless error body is read only as far as the log needs; a redirect is never followed (a
// followed 301/302 would turn the POST into a body-less GET and report success).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { captureConsole } from './helpers.js';

async function startServer(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${server.address().port}`;
}

// buffer: false: a failure here is final, so each test sees exactly one flush's requests.
function telemetry(exporter) {
  const t = createTelemetry({ service: 'svc', exporter, buffer: false });
  t.trace('op', () => {});
  return t;
}

test('an endless error body is read only as a short prefix, then the connection is closed', async () => {
  let closedEarly;
  const closed = new Promise((resolve) => {
    closedEarly = resolve;
  });
  const url = await startServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.write(`collector says no ${'x'.repeat(1000)}`);
    const timer = setInterval(() => res.write('y'.repeat(64 * 1024)), 5);
    res.on('close', () => {
      clearInterval(timer);
      closedEarly(!res.writableFinished);
    });
  });
  const t = telemetry(exporters.http({ url: `${url}/ingest`, retries: 0, timeoutMs: 5000 }));
  const started = performance.now();
  const lines = await captureConsole('error', () => t.flush());
  assert.ok(performance.now() - started < 2000, 'the body was not read to its (absent) end');
  assert.equal(await closed, true, 'the client closed the response before it ended');
  assert.match(lines[0], /HTTP 500: collector says no x{100}/);
  const message = /HTTP 500: (\S+ \S+ \S+ x+)/.exec(lines[0])[1];
  assert.ok(message.length <= 200, `error message of ${message.length} chars`);
  assert.equal(t.stats().failed, 1);
});

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} redirect is not followed: the payload fails with the location, masked`, async () => {
    const seen = [];
    const url = await startServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.url.startsWith('/ingest')) {
        res.writeHead(status, { location: '/moved?key=s3cret' });
        res.end('moved');
      } else {
        res.writeHead(200);
        res.end('{}');
      }
    });
    const t = telemetry(exporters.http({ url: `${url}/ingest`, retries: 3, [Symbol.for('edgescope.test.sleep')]: async () => {} }));
    const lines = await captureConsole('error', () => t.flush());
    assert.deepEqual(seen, ['POST /ingest'], 'one POST, no retry, nothing sent to the new location');
    assert.match(lines[0], new RegExp(`HTTP ${status} redirect to http://127\\.0\\.0\\.1:\\d+/moved\\?key=\\*\\*\\* not followed`));
    assert.doesNotMatch(lines[0], /s3cret/);
    assert.deepEqual(t.stats().exporters[0].failedByCause, { redirect: 1 });
  });
}
