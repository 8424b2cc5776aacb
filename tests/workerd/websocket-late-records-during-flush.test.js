// A WebSocket message that arrives while the upgrade invocation's last export is still in flight
// (the invocation has not closed yet, so js/late-records.js does not queue a flush for it) must
// still be exported once the invocation closes, without a later message or request to carry it.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { bundleOf, sleep } from './helpers.js';

// A collector that answers each export only after HOLD_MS, and tells the test when a body arrives.
const HOLD_MS = 600;
function slowCollector() {
  const bodies = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      for (const w of waiters.splice(0)) w();
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), HOLD_MS);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/ingest`,
        bodies,
        count: (text) => bodies.reduce((n, b) => n + b.split(text).length - 1, 0),
        async until(fn, ms = 5000) {
          for (let waited = 0; !fn() && waited < ms; waited += 20) await sleep(20);
          return fn();
        },
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

test('a WebSocket message recorded during the upgrade invocation\'s last export is exported after it', async () => {
  const collector = await slowCollector();
  const worker = await startWorker({ bundle: await bundleOf('websocket-late-records'), bindings: { COLLECTOR_URL: collector.url } });
  try {
    const res = await worker.fetch('/chat', { headers: { upgrade: 'websocket' } });
    assert.equal(res.status, 101);
    const ws = res.webSocket;
    ws.accept();
    // First export (the upgrade's server span) is being held: the invocation is still open.
    assert.ok(await collector.until(() => collector.bodies.length >= 1), 'the first export arrives');
    ws.send('one'); // recorded while the invocation is open: goes out in its second export
    assert.ok(await collector.until(() => collector.count('ws message') >= 1), "'one' is exported by the invocation's second flush");
    ws.send('two'); // recorded while that second export is held: the invocation is still open
    // The socket then stays idle: nothing else reaches the Worker.
    const exported = await collector.until(() => collector.count('ws message') >= 2, 5000);
    assert.ok(exported, `the second message's log line is exported (exports seen: ${collector.bodies.length})`);
    ws.close(1000, 'bye');
  } finally {
    await worker.dispose();
    await collector.close();
  }
});
