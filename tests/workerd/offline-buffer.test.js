// When the collector is down, telemetry waits in the offline buffer and arrives later exactly
// once, in order, across isolates that share a KV namespace or the package's Durable Object.
// workerd through Miniflare, real KV and SQLite Durable Objects persisted on disk, a real
// collector on loopback that goes away and comes back on the same port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startCollector, startWorker } from 'edgescope/testing';
import { bundleOf, sleep } from './helpers.js';

const dirs = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-buffer-'));
  dirs.push(dir);
  return dir;
}

// A port that was just free: the collector is "down" while nothing listens on it.
async function freePort() {
  const probe = await startCollector();
  const { port } = probe;
  await probe.close();
  return port;
}

async function start(store, port, { persist, output = [], env = {} } = {}) {
  return startWorker({
    bundle: await bundleOf('buffered'),
    bindings: { COLLECTOR_URL: `http://127.0.0.1:${port}/ingest`, STORE: store, ...env },
    kvNamespaces: ['BUFFER_KV'],
    durableObjects: { BUFFER_DO: 'EdgescopeState' },
    persist,
    onOutput: (line) => output.push(line),
  });
}

// Waits until no other invocation of the isolate is running, its exports included.
async function settled(worker) {
  for (let i = 0; i < 500; i++) {
    if ((await (await worker.fetch('/__active')).json()) === 0) return;
    await sleep(10);
  }
  throw new Error('invocations still running after 5 s');
}

async function request(worker, seq) {
  const res = await worker.fetch(`/?seq=${seq}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), `ok ${seq}`);
  await settled(worker);
}

// After a recovery the isolate may still be waiting before it probes the collector again (its
// backoff): requests go on, one every 100 ms, until every expected record arrived (or 15 s).
async function requestUntilArrived(worker, collector, nextSeq, expected) {
  let seq = nextSeq;
  for (let i = 0; i < 150 && !expected.every((s) => arrivedSeqs(collector).includes(s)); i++) {
    await request(worker, seq++);
    await sleep(100);
  }
  return seq;
}

const seqOf = (log) => log.attributes?.seq;
const arrivedSeqs = (collector) => collector.logs.filter((l) => l.message === 'seq').map(seqOf);

function assertOnceInOrder(collector, expected) {
  const seqs = arrivedSeqs(collector);
  const wanted = seqs.filter((s) => expected.includes(s));
  assert.deepEqual([...new Set(wanted)].sort((a, b) => a - b), expected, `arrived: ${seqs.join(',')}`);
  assert.equal(wanted.length, expected.length, `each record once; arrived: ${seqs.join(',')}`);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `in order; arrived: ${seqs.join(',')}`);
  const points = collector.metrics.filter((m) => m.name === 'app.seq').map((m) => m.value);
  assert.deepEqual(points, [...points].sort((a, b) => a - b), `gauge points in order: ${points.join(',')}`);
}

for (const store of ['kv', 'durable-object']) {
  test(`collector down for 50 invocations across 5 isolates (${store}): after recovery every record arrives exactly once, in order`, async () => {
    const port = await freePort();
    const persist = tempDir();
    for (let isolate = 0; isolate < 5; isolate++) {
      const worker = await start(store, port, { persist, env: { REPLAY_MAX_ENTRIES: '10' } });
      try {
        for (let i = 0; i < 10; i++) await request(worker, isolate * 10 + i);
        const status = await (await worker.fetch('/__status')).json();
        assert.equal(status.entries, (isolate + 1) * 10, JSON.stringify(status));
        assert.equal(status.cap, 200);
      } finally {
        await worker.dispose();
      }
    }
    const collector = await startCollector({ port });
    const worker = await start(store, port, { persist, env: { REPLAY_MAX_ENTRIES: '10' } });
    try {
      let next = await requestUntilArrived(worker, collector, 50, Array.from({ length: 50 }, (_, i) => i));
      // The requests of the recovery went behind the backlog; a few more drain them too.
      for (let i = 0; i < 20 && (await (await worker.fetch('/__status')).json()).entries > 0; i++) await request(worker, next++);
      assertOnceInOrder(collector, Array.from({ length: next }, (_, i) => i));
      assert.deepEqual(collector.duplicates, []);
      const status = await (await worker.fetch('/__status')).json();
      assert.equal(status.entries, 0, JSON.stringify(status));
      const stats = await (await worker.fetch('/__stats')).json();
      assert.ok(stats.buffer.replayed >= 5, JSON.stringify(stats.buffer));
    } finally {
      await worker.dispose();
      await collector.close();
    }
  });
}

test('memory store: telemetry from an outage in one isolate arrives after recovery, once and in order', async () => {
  const port = await freePort();
  const worker = await start('memory', port);
  let collector;
  try {
    for (let i = 0; i < 8; i++) await request(worker, i);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.failed, 0, 'nothing lost');
    assert.ok(stats.buffered >= 8, JSON.stringify(stats));
    collector = await startCollector({ port });
    const next = await requestUntilArrived(worker, collector, 8, Array.from({ length: 8 }, (_, i) => i));
    assertOnceInOrder(collector, Array.from({ length: next }, (_, i) => i).filter((s) => arrivedSeqs(collector).includes(s) || s < 8));
    // The buffer's own activity arrives as metrics, riding along with the telemetry.
    await request(worker, next);
    const names = new Set(collector.metrics.map((m) => m.name));
    for (const name of ['edgescope.buffer.stored', 'edgescope.buffer.entries', 'edgescope.buffer.replayed']) assert.ok(names.has(name), `${name} in ${[...names].join(', ')}`);
    const stored = collector.metrics.filter((m) => m.name === 'edgescope.buffer.stored').reduce((sum, m) => sum + m.value, 0);
    assert.ok(stored >= 8, `stored ${stored}`);
  } finally {
    await worker.dispose();
    await collector?.close();
  }
});

test('the collector stores a batch but the connection dies before it answers: the replay is not stored twice', async () => {
  const collector = await startCollector();
  const output = [];
  const worker = await start('memory', collector.port, { output });
  try {
    collector.acceptThenDrop({ times: 1 });
    await request(worker, 1);
    assert.ok(output.some((l) => /export failed/.test(l)), output.join('\n'));
    await request(worker, 2);
    assertOnceInOrder(collector, [1, 2]);
    assert.equal(collector.duplicates.length, 1, JSON.stringify(collector.duplicates));
  } finally {
    await worker.dispose();
    await collector.close();
  }
});

test('429 with Retry-After, then 200: delivered after the wait, with no request in between', async () => {
  const collector = await startCollector();
  const worker = await start('memory', collector.port, { env: { RETRIES: '2' } });
  try {
    collector.failNext(429, { headers: { 'retry-after': '1' } });
    const started = Date.now();
    await request(worker, 1);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After');
    assert.equal(collector.requests, 2, 'one refused attempt, one delivery: no busy loop');
    assertOnceInOrder(collector, [1]);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.buffered, 0);
  } finally {
    await worker.dispose();
    await collector.close();
  }
});

test('a Retry-After longer than the export deadline puts the payload in the buffer at once', async () => {
  const collector = await startCollector();
  const worker = await start('memory', collector.port, { env: { RETRIES: '2', DEADLINE_MS: '3000' } });
  try {
    collector.failNext(429, { headers: { 'retry-after': '3600' } });
    const started = Date.now();
    await request(worker, 1);
    assert.ok(Date.now() - started < 2500, 'did not wait');
    assert.equal(collector.requests, 1);
    let stats = await (await worker.fetch('/__stats')).json();
    assert.ok(stats.buffered > 0, JSON.stringify(stats));
    await request(worker, 2);
    assertOnceInOrder(collector, [1, 2]);
    stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.failed, 0);
  } finally {
    await worker.dispose();
    await collector.close();
  }
});

test('the cap holds through a long outage: the oldest are evicted in one step, counted and logged', async () => {
  const port = await freePort();
  const output = [];
  const worker = await start('memory', port, { output, env: { MAX_ENTRIES: '5', REPLAY_MAX_ENTRIES: '10' } });
  let collector;
  try {
    for (let i = 0; i < 12; i++) await request(worker, i);
    const status = await (await worker.fetch('/__status')).json();
    assert.equal(status.entries, 5);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.buffer.evicted, 7);
    assert.ok(output.some((l) => /offline buffer \(memory\) full: evicted/.test(l)), output.join('\n'));
    collector = await startCollector({ port });
    // Drained by an explicit replay: more traffic during the probe's backoff would go behind the
    // backlog and evict it in turn, as the cap says.
    const report = await (await worker.fetch('/__replay')).json();
    assert.deepEqual([report.total, report.succeeded], [5, 5], JSON.stringify(report));
    // The newest five of the outage survive; the evicted ones never arrive.
    assertOnceInOrder(collector, [7, 8, 9, 10, 11]);
    assert.deepEqual(arrivedSeqs(collector), [7, 8, 9, 10, 11]);
  } finally {
    await worker.dispose();
    await collector?.close();
  }
});

test('maxEntries 0 stores nothing: the failure is counted as lost and logged', async () => {
  const port = await freePort();
  const output = [];
  const worker = await start('memory', port, { output, env: { MAX_ENTRIES: '0' } });
  try {
    await request(worker, 1);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.buffered, 0);
    assert.ok(stats.failed > 0, JSON.stringify(stats));
    assert.equal(stats.buffer.refused, 1);
    assert.ok(output.some((l) => /refused 1 payload/.test(l)), output.join('\n'));
  } finally {
    await worker.dispose();
  }
});

test('a corrupted entry in the shared KV buffer is skipped, removed and counted; the others arrive', async () => {
  const port = await freePort();
  const persist = tempDir();
  const output = [];
  let worker = await start('kv', port, { persist, output });
  let collector;
  try {
    await request(worker, 1);
    await request(worker, 2);
    const kv = await worker.mf.getKVNamespace('BUFFER_KV');
    const listed = await kv.list({ prefix: 'edgescope-buffer/' });
    assert.equal(listed.keys.length, 2);
    // Garbage with valid-looking metadata, older than both real entries.
    const key = `edgescope-buffer/${'0'.padStart(15, '1')}-${'ab'.repeat(16)}`;
    await kv.put(key, new Uint8Array([1, 2, 3, 4, 5]), { metadata: { v: 1, c: Date.now() - 60000, b: 5, a: 0 } });
    await worker.dispose();
    collector = await startCollector({ port });
    worker = await start('kv', port, { persist, output });
    await request(worker, 3);
    await request(worker, 4);
    assertOnceInOrder(collector, [1, 2, 3, 4]);
    const stats = await (await worker.fetch('/__stats')).json();
    assert.equal(stats.buffer.corrupt, 1, JSON.stringify(stats.buffer));
    assert.ok(output.some((l) => /corrupted entr/.test(l)), output.join('\n'));
    assert.equal((await (await worker.fetch('/__status')).json()).entries, 0);
  } finally {
    await worker.dispose();
    await collector?.close();
  }
});

test('buffer.replay({ maxRetries: 0 }) attempts every entry once and reports each failure', async () => {
  const port = await freePort();
  const worker = await start('memory', port, { env: { REPLAY_MAX_ENTRIES: '0' } });
  try {
    for (let i = 0; i < 3; i++) await request(worker, i);
    const report = await (await worker.fetch('/__replay?maxRetries=0')).json();
    assert.equal(report.total, 3);
    assert.equal(report.succeeded, 0);
    assert.equal(report.failed, 3);
    assert.equal(report.failures.length, 3);
    assert.match(report.failures[0].error, /network/);
    const collector = await startCollector({ port });
    try {
      const again = await (await worker.fetch('/__replay?maxRetries=0')).json();
      assert.deepEqual({ total: again.total, succeeded: again.succeeded, failed: again.failed }, { total: 3, succeeded: 3, failed: 0 });
      assertOnceInOrder(collector, [0, 1, 2]);
    } finally {
      await collector.close();
    }
  } finally {
    await worker.dispose();
  }
});
