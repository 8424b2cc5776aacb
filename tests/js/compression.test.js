// compression: 'gzip' on the HTTP and Direct exporters, against the real capture collector on
// loopback: every format arrives gzipped (Content-Encoding: gzip, fewer bytes on the wire) and
// decodes through the strict decoders; the gzip is standard (node:zlib reads it back to the exact
// payload body); retries re-send the same compressed bytes; a 413 splits the uncompressed payload
// and compresses each half; a body that cannot be compressed is kept, never sent or thrown. The
// collector's own gzip handling (corrupt, oversized, unknown encodings) is tested last.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createTelemetry, EdgescopeConfigError, exporters } from 'edgescope';
import { startCollector } from 'edgescope/testing';
import { createFlushContext } from '../../js/exporters/flush-context.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

const collector = useCollector();
const NO_WAIT = { [Symbol.for('edgescope.test.sleep')]: async () => {} };

// Repetitive enough that gzip shrinks it, as real telemetry (repeated keys and names) is.
function record(t) {
  t.trace('op', (span) => {
    for (let i = 0; i < 5; i++) span.logger.info(`handled request ${i}`, { route: '/items', i });
    for (let i = 0; i < 4; i++) t.trace(`child${i}`, (s) => s.setAttribute('http.route', '/items/:id'));
    t.metrics.histogram('latency', 12, { route: '/' }, { unit: 'ms' });
    t.metrics.increment('hits', 1, { route: '/' });
  });
}

// Payloads straight from the core, as an exporter's send() receives them.
function payloads(format, build = record) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  build(t);
  t.core.drain(Date.now());
  try {
    return t.core.encode(format);
  } finally {
    t.core.release();
  }
}

// A fetch that keeps a copy of every request it passes on to the real one.
function recordingFetch() {
  const requests = [];
  const fetchImpl = async (url, init) => {
    requests.push({ url, headers: { ...init.headers }, body: new Uint8Array(init.body) });
    return fetch(url, init);
  };
  return { fetchImpl, requests };
}

const urlFor = (format) => (format === 'native' ? collector.nativeUrl : collector.otlpUrl);

for (const kind of ['http', 'direct']) {
  for (const format of ['native', 'otlp-json']) {
    test(`exporters.${kind} with compression 'gzip' delivers ${format} gzipped, smaller, and decoded intact`, async () => {
      const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: exporters[kind]({ url: urlFor(format), format, compression: 'gzip' }) });
      record(t);
      await t.flush();
      assert.deepEqual([collector.spans.length, collector.logs.length, collector.metrics.length], [5, 5, 2], collector.summary());
      assert.equal(collector.rejected.length, 0, JSON.stringify(collector.rejected));
      assert.equal(collector.payloads.length, format === 'native' ? 1 : 3);
      for (const p of collector.payloads) {
        assert.equal(p.contentEncoding, 'gzip');
        assert.equal(p.headers['content-encoding'], 'gzip');
        assert.ok(p.wireBytes < p.bytes, `${p.signal}: ${p.wireBytes} bytes on the wire for a ${p.bytes}-byte body`);
      }
      assert.equal(t.stats().exported, 12);
    });
  }
}

test("the default (compression 'none') sends the body as it is, without Content-Encoding", async () => {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: exporters.http({ url: collector.nativeUrl }) });
  record(t);
  await t.flush();
  const [p] = collector.payloads;
  assert.deepEqual([p.contentEncoding, p.headers['content-encoding'], p.wireBytes], ['identity', undefined, p.bytes]);
});

for (const format of ['native', 'otlp-json']) {
  test(`the ${format} gzip body is standard gzip: node:zlib inflates it to exactly the payload body`, async () => {
    const sent = payloads(format);
    const { fetchImpl, requests } = recordingFetch();
    const exporter = exporters.http({ url: urlFor(format), format, compression: 'gzip', fetch: fetchImpl });
    const results = await exporter.send(sent);
    assert.ok(results.every((r) => r.ok && r.delivered === r.records), JSON.stringify(results));
    assert.equal(requests.length, sent.length);
    for (const payload of sent) {
      const request = requests.find((r) => r.headers['idempotency-key'] === payload.batchId);
      assert.ok(request, `a request for batch ${payload.batchId}`);
      assert.deepEqual(new Uint8Array(gunzipSync(request.body)), payload.body);
    }
  });
}

test('retries re-send the identical compressed bytes under the same Idempotency-Key, compressing once', async () => {
  const [payload] = payloads('native');
  const { fetchImpl, requests } = recordingFetch();
  const exporter = exporters.http({ url: collector.nativeUrl, compression: 'gzip', retries: 2, fetch: fetchImpl, ...NO_WAIT });
  const Original = globalThis.CompressionStream;
  let made = 0;
  globalThis.CompressionStream = class extends Original {
    constructor(...args) {
      super(...args);
      made++;
    }
  };
  collector.failNext(503, { times: 2 });
  let result;
  try {
    [result] = await exporter.send([payload]);
  } finally {
    globalThis.CompressionStream = Original;
  }
  assert.deepEqual([result.ok, result.attempts, result.delivered], [true, 3, payload.records]);
  assert.equal(made, 1, 'one CompressionStream for the payload, however many attempts');
  assert.equal(requests.length, 3);
  for (const r of requests.slice(1)) {
    assert.deepEqual(r.body, requests[0].body);
    assert.equal(r.headers['idempotency-key'], payload.batchId);
  }
  assert.equal(collector.payloads.length, 1);
  assert.equal(collector.payloads[0].contentEncoding, 'gzip');
});

for (const [format, signal] of [['native', 'mixed'], ['otlp-json', 'traces'], ['otlp-json', 'logs']]) {
  test(`413 on a gzipped ${format} ${signal} payload: the uncompressed payload is split, each half gzipped, every record arrives once`, async () => {
    const build = (t) =>
      t.trace('root', (root) => {
        for (let i = 0; i < 15; i++) t.trace(`child${i}`, (s) => s.setAttribute('pad', `${'p'.repeat(120)}${i}`));
        for (let i = 0; i < 15; i++) root.logger.warn(`${'l'.repeat(120)} ${i}`);
      });
    const payload = payloads(format, build).find((p) => p.signal === signal);
    // The collector's limit is on the decompressed body (its maxBodyBytes), which the gzip on the
    // wire is far under: only splitting the uncompressed payload can satisfy it.
    const limit = Math.ceil(payload.body.length / 3);
    assert.ok(gzipSync(payload.body).length < limit, 'the whole payload gzipped would fit the limit on the wire');
    const small = await startCollector({ maxBodyBytes: limit });
    try {
      const url = format === 'native' ? small.nativeUrl : small.otlpUrl;
      const exporter = exporters.http({ url, format, compression: 'gzip', retries: 0 });
      const [result] = await exporter.send([payload], createFlushContext({ maxSubrequests: 100 }));
      assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.retryLater], [true, payload.records, 0, []]);
      assert.ok(small.rejected.length >= 3 && small.rejected.every((r) => r.status === 413 && /decompresses to more than/.test(r.reason)), JSON.stringify(small.rejected));
      assert.ok(small.payloads.every((p) => p.contentEncoding === 'gzip' && p.bytes <= limit && p.wireBytes < p.bytes));
      const arrived = [...small.spans, ...small.logs].map(({ format: _, ...r }) => JSON.stringify(r));
      assert.equal(arrived.length, payload.records);
      assert.equal(new Set(arrived).size, payload.records, 'no record twice');
      assert.equal(new Set(small.batchIds).size, small.payloads.length);
    } finally {
      await small.close();
    }
  });
}

test('compression must be gzip or none: anything else is a config error naming the option', () => {
  for (const kind of ['http', 'direct']) {
    for (const bad of ['br', 'GZIP', true, null, 1]) {
      assert.throws(
        () => exporters[kind]({ url: collector.nativeUrl, compression: bad }),
        (e) => e instanceof EdgescopeConfigError && e.field === `exporters.${kind}({ compression })` && /'gzip' or 'none'/.test(e.message),
        `${kind} ${String(bad)}`,
      );
    }
    assert.doesNotThrow(() => exporters[kind]({ url: collector.nativeUrl, compression: 'none' }));
  }
});

for (const kind of ['http', 'direct']) {
  test(`exporters.${kind}: a body that cannot be compressed is not sent, not thrown, reported as 'compression' and kept uncompressed`, async () => {
    const sent = payloads('native');
    const exporter = exporters[kind]({ url: collector.nativeUrl, compression: 'gzip', ...NO_WAIT });
    const Original = globalThis.CompressionStream;
    globalThis.CompressionStream = class {
      constructor() {
        throw new TypeError('no zlib in this isolate');
      }
    };
    let results;
    let lines;
    try {
      lines = await captureConsole('error', async () => {
        results = await exporter.send(sent);
      });
    } finally {
      globalThis.CompressionStream = Original;
    }
    assert.equal(collector.requests, 0);
    const [result] = results;
    assert.deepEqual([result.ok, result.cause, result.attempts, result.delivered, result.droppedRecords], [false, 'compression', 0, 0, 0]);
    assert.match(result.error, /gzip compression failed: no zlib in this isolate/);
    assert.deepEqual(result.retryLater, [sent[0]], 'the payload itself, uncompressed, for a later flush');
    assert.match(lines.join('\n'), new RegExp(`${kind} exporter: ${sent[0].records} record\\(s\\) in 1 payload\\(s\\) for .* not sent: gzip compression failed`));
  });
}

test('through createTelemetry a compression failure is counted and the records wait in the offline buffer', async () => {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: exporters.http({ url: collector.nativeUrl, compression: 'gzip' }) });
  record(t);
  const Original = globalThis.CompressionStream;
  globalThis.CompressionStream = class {
    constructor() {
      throw new TypeError('unavailable');
    }
  };
  try {
    await captureConsole('error', () => t.flush());
  } finally {
    globalThis.CompressionStream = Original;
  }
  assert.deepEqual([t.stats().payloadsFailed, t.stats().buffered, t.stats().exported], [1, 12, 0]);
  record(t);
  await t.flush();
  assert.equal(collector.spans.length, 10, 'the buffered payload and the new one both arrive, gzipped');
  assert.ok(collector.payloads.every((p) => p.contentEncoding === 'gzip'));
});

// The collector's side: a request's Content-Encoding is honoured or refused, never misread.
async function post(body, headers) {
  const response = await fetch(collector.nativeUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, error: (await response.json()).error };
}

test('the collector answers a corrupt gzip body with 400 naming it, and records nothing', async () => {
  const good = gzipSync(JSON.stringify({ service: 'svc', spans: [] }));
  const { status, error } = await post(good.subarray(0, good.length - 6), { 'content-encoding': 'gzip' });
  assert.equal(status, 400);
  assert.match(error, /not valid gzip/);
  assert.equal(collector.payloads.length, 0);
  assert.deepEqual(collector.rejected.map((r) => r.status), [400]);
});

test('the collector answers a gzip body that inflates past maxBodyBytes with 413 naming the limit', async () => {
  const small = await startCollector({ maxBodyBytes: 64 * 1024 });
  try {
    // 10 MB of spaces is a valid JSON prefix and about 10 KB of gzip: a bomb for a 64 KiB limit.
    const bomb = gzipSync(Buffer.concat([Buffer.from(' '.repeat(10 * 1024 * 1024)), Buffer.from('{}')]));
    assert.ok(bomb.length < 64 * 1024);
    const response = await fetch(small.nativeUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    assert.equal(response.status, 413);
    assert.match((await response.json()).error, /decompresses to more than 65536 bytes \(maxBodyBytes\)/);
    assert.equal(small.payloads.length, 0);
  } finally {
    await small.close();
  }
});

test('the collector answers an unknown Content-Encoding with 415 naming it', async () => {
  const { status, error } = await post(JSON.stringify({ service: 'svc', spans: [] }), { 'content-encoding': 'br' });
  assert.equal(status, 415);
  assert.match(error, /content-encoding br is not supported/);
  assert.equal(collector.payloads.length, 0);
});
