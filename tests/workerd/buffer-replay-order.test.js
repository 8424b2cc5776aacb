// Order while another request replays the backlog. README "When the collector is down": "While a
// backlog remains, an invocation's own payloads go to the back of the buffer rather than ahead of
// it: a series' points reach the collector in the order they were produced." The memory store and
// the Durable Object lease what they hand out, so a request whose take finds every remaining entry
// leased by a concurrent replay gets nothing: that is a backlog, not an empty buffer, and its own
// payload must wait behind it rather than be sent ahead of the older entries.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { bundleOf, sleep } from './helpers.js';

// In front of the capture collector: answers 500 while `down` (a failing collector, not a
// throttling one, so the isolate does not back off its probes: the test need not wait one out),
// else forwards each request after `delayMs` (a slow collector), so arrival order at the
// collector is the order sent.
async function slowProxy(target) {
  const state = { down: true, delayMs: 300 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      if (state.down) return res.writeHead(500).end('down');
      await sleep(state.delayMs);
      const up = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.port = server.address().port;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

for (const store of ['memory', 'durable-object']) {
test(`${store} store: a request that arrives while another replays the whole backlog does not send its own telemetry ahead of it`, async () => {
  const collector = await startCollector();
  const proxy = await slowProxy(`http://127.0.0.1:${collector.port}`);
  const worker = await startWorker({
    bundle: await bundleOf('buffered'),
    bindings: { COLLECTOR_URL: `http://127.0.0.1:${proxy.port}/ingest`, STORE: store },
    kvNamespaces: ['BUFFER_KV'],
    durableObjects: { BUFFER_DO: 'EdgescopeState' },
  });
  // Until no other invocation's export runs.
  const idle = async () => {
    for (let i = 0; i < 100 && (await (await worker.fetch('/__active')).json()) > 0; i++) await sleep(50);
  };
  try {
    for (let seq = 0; seq < 4; seq++) {
      assert.equal(await (await worker.fetch(`/?seq=${seq}`)).text(), `ok ${seq}`);
      await idle();
    }
    assert.equal((await (await worker.fetch('/__status')).json()).entries, 4);
    proxy.down = false;
    const first = worker.fetch('/?seq=4');
    await sleep(150); // the first request's replay is sending entry 0
    const second = worker.fetch('/?seq=5');
    await Promise.all([first, second]);
    await idle();
    // The next request replays what waits in the buffer, then sends its own.
    await worker.fetch('/?seq=6');
    await idle();
    const seqs = collector.logs.filter((l) => l.message === 'seq').map((l) => l.attributes.seq);
    assert.deepEqual(seqs.slice(0, 4), [0, 1, 2, 3], `the backlog arrives first; arrived: ${seqs.join(',')}`);
    assert.deepEqual(seqs, [0, 1, 2, 3, 4, 5, 6], `each once, in the order produced; arrived: ${seqs.join(',')}`);
  } finally {
    await worker.dispose();
    await proxy.close();
    await collector.close();
  }
});
}
