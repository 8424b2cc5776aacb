// compression: 'gzip' inside workerd: the Worker's exporter gzips with the runtime's own
// CompressionStream and the collector on loopback receives Content-Encoding: gzip, inflates it
// with node:zlib (an independent implementation) and decodes it with the strict decoders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const workers = {
  native: useWorker(collector, 'compressed', { FORMAT: 'native' }),
  'otlp-json': useWorker(collector, 'compressed', { FORMAT: 'otlp-json' }),
};

for (const format of ['native', 'otlp-json']) {
  test(`a Worker with compression 'gzip' delivers ${format} gzipped, and it decodes intact`, async () => {
    const res = await workers[format].fetch('/items');
    assert.equal(await res.text(), 'ok');
    await collector.waitFor((c) => c.spans.length === 2 && c.metrics.length === 1 && c.logs.length === 1, { timeoutMs: 10000 });
    assert.equal(collector.rejected.length, 0, JSON.stringify(collector.rejected));
    assert.deepEqual(collector.spans.map((s) => s.name).sort(), ['GET', 'load']);
    assert.equal(collector.logs[0].message, 'handled');
    assert.deepEqual([collector.metrics[0].name, collector.metrics[0].value], ['app.requests', 1]);
    assert.equal(collector.payloads.length, format === 'native' ? 1 : 3);
    for (const p of collector.payloads) {
      assert.equal(p.format, format);
      assert.equal(p.contentEncoding, 'gzip');
      assert.equal(p.headers['content-encoding'], 'gzip');
      assert.ok(p.wireBytes < p.bytes, `${p.signal}: ${p.wireBytes} bytes on the wire for a ${p.bytes}-byte body`);
    }
  });
}
