// The KV offline buffer shares its namespace: only keys in its own entry shape
// (`<prefix><15 digits>-<32 hex>`, js/buffering/entry-key.js) are its own. Any other key under its
// prefix (the resilience and alert state under 'edgescope:<kind>:<name>', another app's keys) is
// never deleted, never reported as corrupt and never counted toward maxEntries; an entry-shaped
// key with damaged metadata is still removed and reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useBufferWorker } from './buffer-worker-runner.js';
import { startCollector, startWorker } from 'edgescope/testing';
import { newEntryKey } from '../../js/buffering/entry-key.js';
import { bundleOf, sleep } from './helpers.js';

const LIMITS = Object.freeze({ maxEntries: 3, maxBytes: 50_000_000, maxAgeMs: 3_600_000, maxAttempts: 3, replayMaxEntries: 50 });

const { run } = useBufferWorker();

// Keys under `prefix` that the store did not write: other edgescope state, a neighbour whose
// prefix extends this one, and names that contain an entry key but are not one.
function foreignNames(prefix) {
  const key = newEntryKey(Date.now() - 60_000); // older than anything appended: first to go if it counted
  return [`${prefix}:registry:quota`, `${prefix}:alerts:svc:abc`, `${prefix}-other/x`, `${prefix}${key}.bak`, `${prefix}x${key}`, `${prefix}1${key}`];
}

test('KV store: keys under the prefix that the store did not write survive append, take and clear, and never count toward the cap', async () => {
  const prefix = 'shared';
  const foreign = foreignNames(prefix);
  // Valid buffer metadata on purpose: only the key's shape says whose a key is.
  for (const name of foreign) await run({ op: 'kv-put-raw', name, bytes: 16, fill: 7, metadata: { v: 1, c: Date.now(), b: 16, a: 0 } });
  const store = { kind: 'kv', prefix };

  const first = await run({ store, op: 'append', entries: [{ fill: 1 }, { fill: 2 }, { fill: 3 }], limits: LIMITS });
  assert.deepEqual([first.result.stored.length, first.result.evicted, first.result.corrupt, first.result.failures], [3, [], [], []]);
  assert.deepEqual(first.result.size.entries, 3, 'the six foreign keys are not entries');
  assert.equal((await run({ store, op: 'status', limits: LIMITS })).entries, 3);

  // Over the cap: the oldest own entry goes, not a foreign key.
  const second = await run({ store, op: 'append', entries: [{ fill: 4 }], limits: LIMITS });
  assert.deepEqual([second.result.evicted, second.result.corrupt, second.result.size.entries], [[first.keys[0]], [], 3]);

  const taken = await run({ store, op: 'take', limits: LIMITS, now: Date.now() });
  assert.deepEqual(taken.entries.map((e) => e.value.fill), [2, 3, 4]);
  assert.deepEqual([taken.corrupt, taken.failures, taken.size.entries], [[], [], 3]);

  assert.deepEqual(await run({ store, op: 'clear' }), { removed: 3, failures: [] });
  assert.deepEqual((await run({ op: 'kv-names', prefix })).sort(), [...foreign].sort(), 'exactly the foreign keys are left');
});

test('KV store: an entry-shaped key with damaged metadata is still removed and reported, next to foreign keys left alone', async () => {
  const prefix = 'mixed/';
  const foreign = foreignNames(prefix);
  for (const name of foreign) await run({ op: 'kv-put-raw', name, bytes: 16, fill: 7 }); // no metadata at all
  const damaged = newEntryKey(Date.now() - 1000);
  await run({ op: 'kv-put-raw', name: prefix + damaged, bytes: 16, fill: 9, metadata: { v: 1, c: 'yesterday', b: 16, a: 0 } });
  const store = { kind: 'kv', prefix };

  const appended = await run({ store, op: 'append', entries: [{ fill: 1 }], limits: LIMITS });
  assert.deepEqual(appended.result.corrupt.map((c) => c.key), [damaged]);
  assert.match(appended.result.corrupt[0].error, /its KV metadata field c \(created\) is "yesterday", not a time in ms/);
  assert.deepEqual((await run({ op: 'kv-names', prefix })).sort(), [...foreign, prefix + appended.keys[0]].sort());
  assert.deepEqual(await run({ store, op: 'clear' }), { removed: 1, failures: [] });
  assert.deepEqual((await run({ op: 'kv-names', prefix })).sort(), [...foreign].sort());
});

test("a buffered export keeps the exhaustion registry's state when both share one KV namespace and the buffer's prefix is 'edgescope'", async () => {
  const probe = await startCollector();
  const { port } = probe;
  await probe.close(); // the collector is down: payloads go to the buffer
  const worker = await startWorker({
    bundle: await bundleOf('kv-shared-namespace'),
    bindings: { COLLECTOR_URL: `http://127.0.0.1:${port}/ingest` },
    kvNamespaces: ['STATE_KV'],
  });
  try {
    // This request's own export is buffered too, racing the registry's save in waitUntil.
    assert.equal(await (await worker.fetch('/__mark')).text(), 'marked');
    for (let i = 0; i < 3; i++) await worker.fetch(`/?x=${i}`);
    await sleep(1000);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.ok(stats.buffer.stored >= 1, `the payloads were buffered: ${JSON.stringify(stats.buffer)}`);
    assert.equal(stats.buffer.corrupt, 0, `the registry's key is not counted as a corrupt entry: ${JSON.stringify(stats.buffer)}`);
    const afterExport = await (await worker.fetch('/__kv')).json();
    assert.match(afterExport.values['edgescope:registry:quota'] ?? '', /openai/, `the exhaustion mark is gone; KV holds ${JSON.stringify(afterExport.names)}`);
    assert.ok(afterExport.names.some((n) => /^edgescope\d{15}-[0-9a-f]{32}$/.test(n)), `the buffer's own entries are there: ${JSON.stringify(afterExport.names)}`);
  } finally {
    await worker.dispose();
  }
});
