// A bad config fails open in a real isolate: the README's own Worker (`scopeOf(request)` first,
// `exporters.http({ url: env.COLLECTOR_URL })`) deployed without COLLECTOR_URL serves every
// request with the handler's response, says what is wrong once, and counts each request that ran
// without telemetry in stats().internalFailures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();
const MISSING_URL = /`exporters\.http\(\{ url \}\)` must be an absolute http\(s\) URL \(got undefined\)/;

test('without COLLECTOR_URL every request gets the handler\'s response; the error is logged once and counted', async () => {
  const output = [];
  const worker = await startWorker({ bundle: await bundleOf('bad-config'), bindings: {}, onOutput: (l) => output.push(l) });
  try {
    const requests = 5;
    for (let i = 0; i < requests; i++) {
      const res = await worker.fetch('/');
      assert.equal(res.status, 200, output.join('\n'));
      assert.equal(await res.text(), 'served without telemetry: tea, coffee');
    }
    // A scheduled event gets the same: scopeOf(controller) and scopeOf(ctx) work, nothing throws.
    const tick = await worker.scheduled('*/5 * * * *');
    assert.equal(tick.outcome, 'ok', `${JSON.stringify(tick)}\n${output.join('\n')}`);
    const stats = await (await worker.fetch('/__stats')).json();
    // Every invocation, the event and the stats probe included, ran without telemetry and was counted.
    assert.equal(stats.internalFailures.setup, requests + 2, JSON.stringify(stats));
    assert.match(stats.lastError, /^setup: /);
    assert.match(stats.lastError, MISSING_URL);
    assert.equal(stats.exported, 0);
    await sleep(200);
    const mentions = output.filter((line) => MISSING_URL.test(line));
    assert.equal(mentions.length, 1, output.join('\n'));
    assert.match(mentions[0], /internal failure during setup; the request continues without telemetry/);
    assert.equal(collector.payloads.length, 0, 'nothing is sent anywhere');
  } finally {
    await worker.dispose();
  }
});

test('the same Worker with COLLECTOR_URL set records and exports as usual', async () => {
  const worker = await startWorker({ bundle: await bundleOf('bad-config'), bindings: { COLLECTOR_URL: collector.nativeUrl } });
  try {
    const res = await worker.fetch('/');
    assert.equal(await res.text(), 'served without telemetry: tea, coffee');
    await collector.waitFor((c) => c.logs.length === 1);
    assert.deepEqual(collector.spans.map((s) => s.name).sort(), ['GET /', 'load']);
    assert.ok(collector.metrics.some((m) => m.name === 'served'));
    const stats = await (await worker.fetch('/__stats')).json();
    assert.deepEqual(stats.internalFailures, {});
  } finally {
    await worker.dispose();
  }
});
