// format 'otlp-proto' inside workerd: an instrumented Worker exports OTLP/HTTP binary protobuf,
// with and without gzip (workerd's own CompressionStream), to the capture collector on loopback,
// which decodes it with protobufjs over the official .proto files and validates it strictly. When
// the collector is down, the protobuf payloads wait in the offline buffer and are replayed, with
// their content type and signal paths, exactly once when it is back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep, useWorker } from './helpers.js';

const collector = useCollector();
const workers = {
  none: useWorker(collector, 'otlp-proto', { COMPRESSION: 'none' }),
  gzip: useWorker(collector, 'otlp-proto', { COMPRESSION: 'gzip' }),
};

for (const compression of ['none', 'gzip']) {
  test(`a Worker exporting otlp-proto (compression '${compression}') delivers every signal as protobuf, and it decodes intact`, async () => {
    const res = await workers[compression].fetch('/items');
    assert.equal(await res.text(), 'ok');
    await collector.waitFor((c) => c.spans.length === 2 && c.metrics.length === 1 && c.logs.length === 1, { timeoutMs: 10000 });
    assert.equal(collector.rejected.length, 0, JSON.stringify(collector.rejected));
    assert.deepEqual(collector.spans.map((s) => s.name).sort(), ['GET', 'load']);
    assert.equal(collector.spans.find((s) => s.name === 'load').attributes['item.count'], 3);
    assert.deepEqual([collector.logs[0].message, collector.logs[0].attributes.path], ['handled', '/items']);
    assert.deepEqual([collector.metrics[0].name, collector.metrics[0].value, collector.metrics[0].service], ['app.requests', 1, 'proto-worker']);
    assert.deepEqual(collector.payloads.map((p) => p.signal).sort(), ['logs', 'metrics', 'traces']);
    for (const p of collector.payloads) {
      assert.equal(p.format, 'otlp-proto');
      assert.equal(p.headers['content-type'], 'application/x-protobuf');
      assert.match(p.batchId, /^[0-9a-f]{32}$/);
      assert.equal(p.contentEncoding, compression === 'gzip' ? 'gzip' : 'identity');
      if (compression === 'gzip') assert.ok(p.wireBytes < p.bytes, `${p.signal}: ${p.wireBytes} bytes on the wire for a ${p.bytes}-byte body`);
    }
  });
}

// A port that was just free: the collector is "down" while nothing listens on it.
async function freePort() {
  const probe = await startCollector();
  const { port } = probe;
  await probe.close();
  return port;
}

test('collector down, then up: buffered otlp-proto payloads are replayed once, as protobuf to their signal paths', async () => {
  const port = await freePort();
  const worker = await startWorker({
    bundle: await bundleOf('buffered'),
    bindings: { COLLECTOR_URL: `http://127.0.0.1:${port}`, FORMAT: 'otlp-proto', STORE: 'memory', REPLAY_MAX_ENTRIES: '20' },
  });
  let up;
  const settled = async () => {
    for (let i = 0; i < 500 && (await (await worker.fetch('/__active')).json()) !== 0; i++) await sleep(10);
  };
  const request = async (seq) => {
    assert.equal(await (await worker.fetch(`/?seq=${seq}`)).text(), `ok ${seq}`);
    await settled();
  };
  try {
    for (let seq = 0; seq < 4; seq++) await request(seq);
    const down = await (await worker.fetch('/__stats')).json();
    assert.equal(down.failed, 0, 'nothing lost while the collector was down');
    assert.ok(down.buffered >= 8, JSON.stringify(down));
    up = await startCollector({ port });
    const seqs = () => up.logs.filter((l) => l.message === 'seq').map((l) => l.attributes.seq);
    // The isolate may still be backing off before it probes the collector again.
    let seq = 4;
    for (let i = 0; i < 100 && ![0, 1, 2, 3].every((s) => seqs().includes(s)); i++) {
      await request(seq++);
      await sleep(100);
    }
    assert.equal(up.rejected.length, 0, JSON.stringify(up.rejected));
    assert.deepEqual(seqs(), Array.from({ length: seqs().length }, (_, i) => i), 'each record once, in order');
    assert.ok(seqs().length >= 4);
    assert.deepEqual(up.duplicates, []);
    assert.ok(up.payloads.every((p) => p.format === 'otlp-proto' && p.headers['content-type'] === 'application/x-protobuf'), JSON.stringify(up.payloads.map((p) => p.format)));
    assert.ok(up.payloads.some((p) => p.signal === 'logs') && up.payloads.some((p) => p.signal === 'metrics'));
    const stats = await (await worker.fetch('/__stats')).json();
    assert.ok(stats.buffer.replayed >= 1, JSON.stringify(stats.buffer));
    assert.equal(stats.failed, 0);
  } finally {
    await worker.dispose();
    await up?.close();
  }
});
