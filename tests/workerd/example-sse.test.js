// The streaming SSE example (examples/sse) under workerd through its own wrangler.jsonc, reporting
// to the capture collector. Every lookup that decides the request's cache tier runs while the body
// streams, after the handler returned; the exported root span carries the tier those lookups
// found, and the stream arrives whole.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startWorker } from 'edgescope/testing';
import { useCollector } from '../shared/use-collector.js';

const collector = useCollector();
let app;
before(async () => {
  await collector.ready;
  app = await startWorker({
    config: fileURLToPath(new URL('../../examples/sse/wrangler.jsonc', import.meta.url)),
    bindings: { COLLECTOR_URL: collector.nativeUrl },
  });
});
after(() => app.dispose());

const sse = (event, data, id) => `event: ${event}\n${id ? `id: ${id}\n` : ''}${data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`;
const A = sse('file', '# A\nfirst file', 'a.md');
const B = sse('file', '# B\nsecond file\nwith two lines of text', 'b.md');
const C = sse('file', '# C\nthird file', 'c.md');

// One request's exported root span, once the collector has it.
async function rootOf(path) {
  await collector.waitFor((c) => c.spans.some((s) => s.name === path));
  return collector.spans.find((s) => s.name === path);
}

test('the tier of each request is the one its streamed lookups found, and every stream arrives whole', async () => {
  assert.equal(await (await app.fetch('/seed', { method: 'POST' })).text(), 'seeded 3 files\n');

  // Only file:c.md, after a timer: read from R2.
  let res = await app.fetch('/events?files=c.md&delay=20');
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  assert.equal(await res.text(), C + sse('done', '1'));
  let root = await rootOf('GET /events');
  assert.equal(root.attributes['cache.tier'], 'r2');
  collector.clear();

  // The index is built from the bucket listing (build) and decides; a and b come from R2, c from memory.
  res = await app.fetch('/events');
  assert.equal(await res.text(), sse('index', '["a.md","b.md","c.md"]') + A + B + C + sse('done', '3'));
  root = await rootOf('GET /events');
  assert.equal(root.attributes['cache.tier'], 'build');
  const fileSpans = collector.spans.filter((s) => s.name.startsWith('file:'));
  assert.deepEqual(fileSpans.map((s) => s.name).sort(), ['file:a.md', 'file:b.md', 'file:c.md']);
  // The KV and R2 calls, traced through the env instrument() handed the handler, on the same trace.
  const clientSpans = collector.spans.filter((s) => s.kind === 'client').map((s) => s.name).sort();
  assert.deepEqual(clientSpans, ['get FILES', 'get FILES', 'get INDEX', 'list FILES', 'put INDEX']);
  assert.ok(collector.spans.every((s) => s.traceId === root.traceId));
  // Lookups: memory for the index (miss), KV (miss: /seed forgot it); memory then R2 for a and b
  // (miss, hit); memory for c (hit).
  assert.equal(root.attributes['cache.lookups'], 7);
  assert.equal(root.attributes['cache.hits'], 3);
  assert.equal(root.attributes['cache.r2.hits'], 2);
  assert.equal(root.attributes['cache.memory.hits'], 1);
  collector.clear();

  // Everything from this isolate's memory now.
  res = await app.fetch('/events?delay=5');
  assert.equal(await res.text(), sse('index', '["a.md","b.md","c.md"]') + A + B + C + sse('done', '3'));
  root = await rootOf('GET /events');
  assert.equal(root.attributes['cache.tier'], 'memory');
  collector.clear();

  // A missing file is a miss, which never decides: the file after it does.
  res = await app.fetch('/events?files=nope.md,a.md');
  assert.equal(await res.text(), sse('missing', 'nope.md', 'nope.md') + A + sse('done', '1'));
  root = await rootOf('GET /events');
  assert.equal(root.attributes['cache.tier'], 'memory');
});
