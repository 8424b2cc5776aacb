// edgescope/testing/vitest: the Vitest example (examples/vitest, a Worker in workerd under
// @cloudflare/vitest-pool-workers, asserting on what reached the capture collector) passes as a
// user would run it, and the Node half hands the tests what the collector received, unchanged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeRecords, encodeRecords, provideCollector } from 'edgescope/testing/vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the Vitest example runs in workerd and all four of its tests pass', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-vitest-'));
  const report = join(dir, 'report.json');
  try {
    // The same Node as this run; NODE_TEST_CONTEXT would make a child node report to this runner.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    const run = await new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', 'examples/vitest', '--reporter=json', `--outputFile=${report}`],
        { cwd: root, env, timeout: 50_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 'killed') : 0, output: `${stdout}\n${stderr}` }),
      );
    });
    assert.equal(run.code, 0, `vitest exited with ${run.code}:\n${run.output.slice(-4000)}`);
    const result = JSON.parse(readFileSync(report, 'utf8'));
    const failures = result.testResults.flatMap((file) => file.assertionResults.filter((t) => t.status !== 'passed').map((t) => `${t.title}: ${t.failureMessages.join('\n')}`));
    assert.deepEqual(failures, []);
    assert.deepEqual(
      { passed: result.numPassedTests, failed: result.numFailedTests, total: result.numTotalTests },
      { passed: 4, failed: 0, total: 4 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// What JSON cannot carry crosses between the two halves with its type: an OTLP intValue beyond
// 2^53 (bigint), a bytesValue (Uint8Array), non-finite doubles, and an object that happens to use
// the wire's tag key.
const awkward = {
  big: 9007199254740993n,
  bytes: new Uint8Array([0, 1, 254, 255]),
  numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -0.25],
  tagLike: { $edgescope: 'bigint', value: '1', nested: { $edgescope: 'object' } },
  plain: { a: [1, 'two', null, true] },
};

test('records keep bigint, bytes, non-finite numbers and tag-like objects across the wire', () => {
  assert.deepEqual(decodeRecords(encodeRecords(awkward)), awkward);
});

test('provideCollector: the control server serves what arrived, waits for a change, and closes', async () => {
  const provided = new Map();
  const teardown = await provideCollector({ provide: (key, value) => provided.set(key, value) });
  const urls = provided.get('edgescopeCollector');
  const control = (path, body) =>
    fetch(`${urls.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, doc: decodeRecords(await r.text()) }));
  try {
    assert.match(urls.nativeUrl, /^http:\/\/127\.0\.0\.1:\d+\/ingest$/);
    assert.equal(urls.otlpUrl, urls.url);

    const first = await control('/snapshot', { timeoutMs: 5000 });
    assert.equal(first.status, 200);
    assert.deepEqual([first.doc.spans, first.doc.timedOut], [[], false]);

    // A long poll on the version just seen answers when an OTLP trace with awkward values arrives.
    const waiting = control('/snapshot', { after: first.doc.version, deadline: first.doc.deadline });
    const now = `${BigInt(Date.now()) * 1000000n}`;
    const trace = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [{
          spans: [{
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'op', kind: 1, startTimeUnixNano: now, endTimeUnixNano: now,
            attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }, { key: 'raw', value: { bytesValue: 'AAH+/w==' } }],
          }],
        }],
      }],
    };
    const sent = await fetch(`${urls.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(trace) });
    assert.equal(sent.status, 200);
    const changed = await waiting;
    assert.equal(changed.doc.timedOut, false);
    assert.equal(changed.doc.spans.length, 1);
    assert.equal(changed.doc.spans[0].attributes.big, 9007199254740993n);
    assert.deepEqual(changed.doc.spans[0].attributes.raw, new Uint8Array([0, 1, 254, 255]));

    // Nothing more arrives: the wait ends at the deadline the server set, and says so.
    const quiet = await control('/snapshot', { timeoutMs: 100 });
    const timedOut = await control('/snapshot', { after: quiet.doc.version, deadline: quiet.doc.deadline });
    assert.deepEqual([timedOut.doc.timedOut, timedOut.doc.spans.length], [true, 1]);

    // Scripted behaviour and clear go through /call; a bad call is refused with the collector's message.
    assert.equal((await control('/call', { method: 'failNext', args: [503] })).status, 200);
    const refused = await fetch(`${urls.otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(trace) });
    assert.equal(refused.status, 503);
    const bad = await control('/call', { method: 'failNext', args: [503, { times: 0 }] });
    assert.deepEqual([bad.status, bad.doc.name], [400, 'TypeError']);
    assert.match(bad.doc.error, /failNext\(\{ times \}\): expected a positive integer, got 0/);
    assert.equal((await control('/call', { method: 'close' })).status, 400);
    assert.equal((await control('/call', { method: 'clear' })).status, 200);
    const cleared = await control('/snapshot', {});
    assert.deepEqual([cleared.doc.spans, cleared.doc.rejected], [[], []]);
    assert.notEqual(cleared.doc.version, quiet.doc.version);
    assert.equal((await control('/snapshot', { after: 'x' })).status, 400);
  } finally {
    await teardown();
  }
  await assert.rejects(fetch(`${urls.controlUrl}/snapshot`, { method: 'POST', body: '{}' }));
  await assert.rejects(fetch(urls.nativeUrl, { method: 'POST', body: '{}' }));
});

test('provideCollector refuses anything but the project Vitest passes to globalSetup', async () => {
  await assert.rejects(provideCollector(undefined), { name: 'TypeError', message: /expected the TestProject that Vitest passes to a globalSetup function/ });
});
