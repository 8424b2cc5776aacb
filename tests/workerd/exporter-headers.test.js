// Exporter headers inside workerd, whose Headers and fetch are the ones that matter: an API key
// given as a Headers, as [name, value] pairs or as an object reaches the collector, and a value
// fetch could not send is refused when the exporter is made (a config error naming the header,
// never its value), not met at send time as a network error with the payload buffered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';
import { bundleOf, sleep } from './helpers.js';

const collector = useCollector();

async function withWorker(bindings, run) {
  const output = [];
  await collector.ready;
  const worker = await startWorker({ bundle: await bundleOf('exporter-headers'), bindings: { COLLECTOR_URL: collector.nativeUrl, ...bindings }, onOutput: (l) => output.push(l) });
  try {
    await run(worker, output);
  } finally {
    await worker.dispose();
  }
}

const FORMS = { headers: 'a Headers', pairs: '[name, value] pairs', object: 'an object' };

for (const [form, what] of Object.entries(FORMS)) {
  test(`an API key header given as ${what} reaches the collector`, async () => {
    await withWorker({ HEADERS_AS: form, API_KEY: `k-${form}` }, async (worker, output) => {
      assert.equal(await (await worker.fetch('/')).text(), 'ok');
      await collector.waitFor((c) => c.logs.length === 1, { timeoutMs: 10000 });
      assert.deepEqual(collector.payloads.map((p) => p.headers['x-api-key']), [`k-${form}`], output.join('\n'));
    });
  });
}

for (const form of ['pairs', 'object']) {
  test(`an API key with a line break inside, given as ${FORMS[form]}, is refused when the exporter is made, naming the header and not the key`, async () => {
    await withWorker({ HEADERS_AS: form, API_KEY: 'k-secret\r\nX-Injected: 1' }, async (worker, output) => {
      // The config fails, so the request is served without telemetry (fails open) and nothing is sent.
      assert.equal(await (await worker.fetch('/')).text(), 'ok');
      const stats = await (await worker.fetch('/__stats')).json();
      assert.equal(stats.internalFailures.setup, 2, JSON.stringify(stats));
      assert.match(stats.lastError, /^setup: .*`exporters\.http\(\{ headers \}\)` must be headers fetch can send .*\(got "X-Api-Key"\)$/);
      await sleep(200);
      assert.ok(output.some((l) => /`exporters\.http\(\{ headers \}\)`.*\(got "X-Api-Key"\)/.test(l)), output.join('\n'));
      assert.ok(!output.some((l) => l.includes('k-secret')) && !stats.lastError.includes('k-secret'), 'the key is never shown');
      assert.equal(collector.payloads.length, 0);
    });
  });
}
