// The HTTP exporter's cheap path, against real loopback HTTP servers: a short 2xx body whose length
// is declared (Content-Length, no Content-Encoding; RFC 9112 6.3) is read whole in one call; any
// other body is read bounded or cancelled unread, so a collector can never make a flush wait on a
// body it does not end (an unread body would hold one of the invocation's 6 connections, Workers
// "Simultaneous open connections"). The partial success is classified the same either way.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { readDeclaredBody, releaseBody } from '../../js/exporters/response-body.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

// A loopback server; respond(req, res, n) answers the n-th request (from 1). Each response's
// `closedUnfinished` promise resolves true when the client went away before the body ended.
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
  return { url: `http://127.0.0.1:${server.address().port}/ingest`, server };
}

// Resolves with whether the response was closed before its body was fully written.
function closedEarly(res) {
  return new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
}

// A body that never ends: writes a little every few ms until the client goes away.
function trickle(res, chunk = 'x'.repeat(64)) {
  const timer = setInterval(() => res.write(chunk), 5);
  res.on('close', () => clearInterval(timer));
}

const within = (ms, promise, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms))]);

test('a declared short body is read to its end in one call', async () => {
  const ends = [];
  const { url } = await startServer((req, res) => {
    ends.push(closedEarly(res));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
  const text = await fetch(url, { method: 'POST' });
  assert.equal(new TextDecoder().decode(await readDeclaredBody(text, 1024)), '{}');
  assert.equal(text.bodyUsed, true);
  const bytes = await fetch(url, { method: 'POST' });
  assert.deepEqual(await readDeclaredBody(bytes, 2), new Uint8Array([0x7b, 0x7d]), 'a body exactly at the bound is read');
  const released = await fetch(url, { method: 'POST' });
  await releaseBody(released);
  assert.equal(released.bodyUsed, true);
  assert.deepEqual(await Promise.all(ends), [false, false, false], 'each body was sent to its end');
});

test('an undeclared, encoded or longer body is not read by readDeclaredBody; releaseBody cancels it unread', async () => {
  // Each body stalls after its first bytes: reading it would hang, so a prompt return proves it
  // was not read, and the server seeing the client leave early proves it was cancelled.
  const kinds = {
    chunked: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      trickle(res, ' ');
    },
    gzip: (res) => {
      const gz = gzipSync('{}');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gz.length + 100) });
      res.write(gz.subarray(0, 4));
    },
    longer: (res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(1024 + 1) });
      res.write('x'.repeat(100));
    },
  };
  for (const [kind, start] of Object.entries(kinds)) {
    let early;
    const { url } = await startServer((req, res) => {
      early = closedEarly(res);
      start(res);
    });
    const peeked = await fetch(url, { method: 'POST' });
    assert.equal(await within(1000, readDeclaredBody(peeked, 1024), kind), null, kind);
    assert.equal(peeked.bodyUsed, false, `${kind}: readDeclaredBody left the body alone`);
    await peeked.body.cancel();
    assert.equal(await within(2000, early, kind), true, kind);

    const released = await fetch(url, { method: 'POST' });
    await within(1000, releaseBody(released), `releaseBody (${kind})`);
    assert.equal(await within(2000, early, kind), true, `${kind}: the connection was closed before the body ended`);
  }
});

// A real OTLP traces payload of 5 spans from the core.
function tracesPayload(format) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  t.trace('root', () => {
    for (let i = 0; i < 4; i++) t.trace(`child${i}`, () => {});
  });
  t.core.drain(Date.now());
  try {
    return t.core.encode(format).find((p) => p.signal === 'traces');
  } finally {
    t.core.release();
  }
}

// ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 2, error_message (2) } }.
function protoPartialSuccess(message) {
  const text = new TextEncoder().encode(message);
  const inner = [0x08, 0x02, 0x12, text.length, ...text];
  return Buffer.from([0x0a, inner.length, ...inner]);
}

const ANSWERS = {
  'otlp-json': ['application/json', Buffer.from('{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}')],
  'otlp-proto': ['application/x-protobuf', protoPartialSuccess('too old')],
};

for (const format of ['otlp-json', 'otlp-proto']) {
  for (const framing of ['declared', 'chunked', 'chunked in pieces']) {
    test(`${format}: a partial success in a ${framing} body is counted (2 of 5 rejected, logged once)`, async () => {
      const [type, body] = ANSWERS[format];
      const { url } = await startServer((req, res) => {
        if (framing === 'declared') {
          res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) });
          res.end(body);
        } else if (framing === 'chunked') {
          res.writeHead(200, { 'content-type': type });
          res.end(body);
        } else {
          res.writeHead(200, { 'content-type': type });
          res.write(body.subarray(0, 3));
          setTimeout(() => res.end(body.subarray(3)), 20);
        }
      });
      const payload = tracesPayload(format);
      let result;
      const lines = await captureConsole('error', async () => {
        [result] = await exporters.http({ url, format, retries: 0 }).send([payload]);
      });
      assert.deepEqual(
        { ok: result.ok, delivered: result.delivered, dropped: result.droppedRecords, message: result.rejected?.message },
        { ok: true, delivered: 3, dropped: 2, message: 'too old' },
      );
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0], /rejected 2 record\(s\) of 1 accepted payload\(s\) \(OTLP partial success\): too old$/);
    });
  }
}

test('a 2xx body that is not an OTLP response (text, or never ending) is released and the payload counts as delivered', async () => {
  let early;
  const endless = await startServer((req, res) => {
    early = closedEarly(res);
    res.writeHead(200, { 'content-type': 'text/plain' });
    trickle(res);
  });
  const short = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('OK');
  });
  for (const { url } of [short, endless]) {
    const [result] = await within(3000, exporters.http({ url, format: 'otlp-json', retries: 0 }).send([tracesPayload('otlp-json')]), url);
    assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.rejected], [true, 5, 0, undefined]);
  }
  assert.equal(await within(2000, early, 'endless body'), true, 'the endless body was cancelled, not read');
});
