// What the HTTP exporter's cheaper per-payload path keeps, against real loopback HTTP servers:
// a free connection slot is taken at once but never ahead of a queued waiter, and a flush never
// has more than 6 requests in flight (Workers "Simultaneous open connections": 6); each attempt's
// timeout (AbortSignal.timeout) fires for that attempt only; the URL a result reports is its own
// exporter's, masked, however exporters interleave.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { ConnectionSlots, createFlushContext } from '../../js/exporters/flush-context.js';
import { quietConsoleExporter } from './helpers.js';

const SLEEP = Symbol.for('edgescope.test.sleep');

async function startServer(respond) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => respond(req, res, ++server.count));
  });
  server.count = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return { url: `http://127.0.0.1:${server.address().port}`, server };
}

function nativePayloads(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
    t.trace(`op${i}`, () => {});
    t.core.drain(Date.now());
    out.push(...t.core.encode('native'));
    t.core.release();
  }
  return out;
}

test('tryAcquire takes a free slot, but never one a queued waiter is owed', async () => {
  const slots = new ConnectionSlots(6);
  for (let i = 0; i < 6; i++) assert.equal(slots.tryAcquire(), true, `slot ${i + 1}`);
  assert.equal(slots.tryAcquire(), false, 'all 6 taken');
  const order = [];
  const first = slots.acquire().then(() => order.push('first'));
  const second = slots.acquire().then(() => order.push('second'));
  assert.equal(slots.tryAcquire(), false);
  slots.release();
  assert.equal(slots.tryAcquire(), false, 'the released slot is the first waiter\'s');
  await first;
  assert.deepEqual(order, ['first']);
  slots.release();
  assert.equal(slots.tryAcquire(), false, 'the next released slot is the second waiter\'s');
  await second;
  assert.deepEqual(order, ['first', 'second']);
  slots.release();
  assert.equal(slots.tryAcquire(), true, 'no one waits: a released slot is free again');
  assert.equal(slots.tryAcquire(), false);
});

test('one flush never has more than 6 requests in flight, across exporters sharing its context', async () => {
  let open = 0;
  let peak = 0;
  const { url } = await startServer((req, res) => {
    open++;
    peak = Math.max(peak, open);
    setTimeout(() => {
      open--;
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    }, 30);
  });
  const context = createFlushContext({ maxSubrequests: 100 });
  const make = () => exporters.http({ url: `${url}/ingest`, retries: 0, deadlineMs: 10000 });
  const batches = [nativePayloads(9), nativePayloads(9), nativePayloads(2)];
  const results = await Promise.all(batches.map((payloads) => make().send(payloads, context)));
  for (const result of results.flat()) assert.deepEqual([result.ok, result.delivered], [true, 1]);
  assert.equal(open, 0);
  assert.equal(peak, 6, 'all 6 connections used, never a seventh');
});

test('an attempt that times out is retried; once the retry succeeds nothing fires later', async () => {
  const firstClosed = [];
  const { url } = await startServer((req, res, n) => {
    if (n === 1) {
      res.on('close', () => firstClosed.push(!res.writableFinished)); // never answered: times out
      return;
    }
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
  const rejections = [];
  const onRejection = (reason) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const lines = [];
  const originals = { error: console.error, warn: console.warn, log: console.log };
  for (const method of Object.keys(originals)) console[method] = (...args) => lines.push(`${method}: ${args.join(' ')}`);
  try {
    const exporter = exporters.http({ url: `${url}/ingest`, timeoutMs: 100, retries: 2, [SLEEP]: async () => {} });
    const [payload] = nativePayloads(1);
    const started = performance.now();
    const [result] = await exporter.send([payload]);
    assert.deepEqual([result.ok, result.attempts, result.delivered], [true, 2, 1]);
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(firstClosed, [true], 'the timed-out attempt was aborted');
    // Well past every attempt's timeout: a timer left armed would abort or log something now.
    await new Promise((resolve) => setTimeout(resolve, 400));
  } finally {
    process.off('unhandledRejection', onRejection);
    Object.assign(console, originals);
  }
  assert.deepEqual(rejections, []);
  assert.deepEqual(lines, []);
});

test('two exporters with different URLs, one carrying a query token, never report each other\'s URL', async () => {
  const a = await startServer((req, res) => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
  const b = await startServer((req, res) => {
    res.writeHead(503, { 'content-length': '0' });
    res.end();
  });
  const withToken = exporters.http({ url: `${a.url}/ingest?token=s3cret`, retries: 0 });
  const plain = exporters.http({ url: `${b.url}/other`, retries: 0 });
  const payloads = nativePayloads(6);
  const seen = { withToken: new Set(), plain: new Set() };
  for (let i = 0; i < payloads.length; i += 2) {
    // Interleaved on the same turn and one after the other.
    const [[ra], [rb]] = await Promise.all([withToken.send([payloads[i]]), plain.send([payloads[i + 1]])]);
    const [rb2] = await plain.send([payloads[i]]);
    const [ra2] = await withToken.send([payloads[i + 1]]);
    for (const r of [ra, ra2]) seen.withToken.add(r.url);
    for (const r of [rb, rb2]) seen.plain.add(r.url);
    assert.deepEqual([ra.ok, ra2.ok, rb.ok, rb2.ok], [true, true, false, false]);
  }
  assert.equal(seen.withToken.size, 1, [...seen.withToken].join(', '));
  assert.equal(seen.plain.size, 1, [...seen.plain].join(', '));
  const [tokenUrl] = seen.withToken;
  const [plainUrl] = seen.plain;
  assert.ok(tokenUrl.startsWith(`${a.url}/ingest`), tokenUrl);
  assert.doesNotMatch(tokenUrl, /s3cret/, 'the token is masked');
  assert.equal(plainUrl, `${b.url}/other`);
});
