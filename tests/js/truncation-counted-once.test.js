// A string over its limit is cut once, by the core, on a UTF-8 boundary, and counted once: the
// shim cuts only to bound the copy into wasm memory, leaving the string over the limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { memoryExporter } from './helpers.js';

async function truncationsOf(record) {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const before = t.stats().core.valuesTruncated;
  record(t);
  await t.flush();
  return { cut: t.stats().core.valuesTruncated - before, mem };
}

test('a 100,000-character attribute value is cut to the limit and counted once', async () => {
  const { cut, mem } = await truncationsOf((t) => t.trace('op', (span) => span.setAttribute('big', 'v'.repeat(100_000))));
  assert.equal(cut, 1);
  assert.equal(mem.spans[0].attributes.big.length, 4096);
});

test('a 100,000-character log message is cut to the limit and counted once', async () => {
  const { cut, mem } = await truncationsOf((t) => t.logger.info('m'.repeat(100_000)));
  assert.equal(cut, 1);
  assert.equal(mem.logs[0].message.length, 16384);
});

test('a value one character over the limit is cut and counted; one at the limit is not', async () => {
  const over = await truncationsOf((t) => t.trace('op', (span) => span.setAttribute('k', 'v'.repeat(4097))));
  assert.equal(over.cut, 1);
  const at = await truncationsOf((t) => t.trace('op', (span) => span.setAttribute('k', 'v'.repeat(4096))));
  assert.equal(at.cut, 0);
});

test('multi-byte text is cut on a code point boundary under the byte limit, and counted once', async () => {
  const { cut, mem } = await truncationsOf((t) => t.trace('op', (span) => span.setAttribute('k', '€'.repeat(50_000))));
  assert.equal(cut, 1);
  const bytes = new TextEncoder().encode(mem.spans[0].attributes.k).length;
  assert.equal(bytes, 4095); // 1365 three-byte euro signs: the next would pass 4096
});

test('a status message and a span name over their limits are each counted once', async () => {
  const { cut, mem } = await truncationsOf((t) =>
    t.trace('n'.repeat(5000), (span) => span.setStatus('error', 's'.repeat(100_000))),
  );
  assert.equal(cut, 2);
  assert.equal(mem.spans[0].operationName.length, 1024);
  assert.equal(mem.spans[0].statusMessage.length, 16384);
});
