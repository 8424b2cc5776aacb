// Hostile or broken input in a real isolate: malformed trace headers, invalid UTF-8, oversized
// values, invalid configuration. Clear errors or the documented repair; never a crash.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { sleep, bundleOf, useWorker } from './helpers.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/traceparent.json', import.meta.url), 'utf8'));

const collector = useCollector();
const worker = useWorker(collector, 'basic');

const sendable = (header) => {
  try {
    new Headers({ traceparent: header });
    return header.trim() !== '';
  } catch {
    return false; // e.g. an embedded NUL: no HTTP client can send it
  }
};

for (const c of fixtures.cases.filter((c) => sendable(c.header))) {
  test(`traceparent ${JSON.stringify(c.header)}: ${c.valid ? 'continues the trace' : 'starts a new trace'}`, async () => {
    const res = await worker.fetch('/', { headers: { traceparent: c.header, tracestate: 'vendor=x' } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await collector.waitFor((col) => col.logs.length === 1); // one native payload carries all of it
    const root = collector.spans.find((s) => s.kind === 'server');
    const log = collector.logs[0];
    if (c.valid) {
      assert.equal(log.traceId, c.traceId);
      assert.equal(root?.parentSpanId ?? null, root ? c.spanId : null);
      assert.equal(root === undefined, !c.sampled); // the parent's sampled flag decides
    } else {
      assert.notEqual(log.traceId, c.header.trim().slice(3, 35));
      assert.equal(root.parentSpanId, null);
      assert.equal(root.attributes['edgescope.traceparent.rejected'], true);
    }
  });
}

test('invalid UTF-8 is repaired and oversized values are cut, within the payload cap', async () => {
  const res = await worker.fetch('/bad-strings');
  assert.equal(await res.text(), 'ok');
  await collector.waitFor((c) => c.logs.length === 1);
  const root = collector.spans.find((s) => s.kind === 'server');
  assert.equal(root.attributes.lone, 'a\uFFFDb');
  assert.equal(root.attributes.huge.length, 4096);
  assert.equal(collector.logs[0].message.length, 16384);
  assert.ok(collector.payloads.every((p) => p.bytes <= 65536));
  assert.equal(collector.rejected.length, 0);
});

test('an invalid config from a config function fails open: the handler answers, the error is logged once naming the field', async () => {
  const output = [];
  const bad = await startWorker({ bundle: await bundleOf('bad-config'), bindings: { SAMPLE_RATE: '5', COLLECTOR_URL: collector.nativeUrl }, onOutput: (l) => output.push(l) });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await bad.fetch('/');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'served without telemetry: tea, coffee');
    }
    await sleep(200);
    const mentions = output.filter((line) => /`sampleRate` must be a number from 0 to 1 \(got 5\)/.test(line));
    assert.equal(mentions.length, 1, output.join('\n'));
  } finally {
    await bad.dispose();
  }
});
