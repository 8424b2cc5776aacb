// A collector answering 413 ("Payload Too Large") gets the payload again in halves by records,
// split again until each part fits; a single record still too large is dropped and counted. Every
// record arrives exactly once, and every half is a valid payload of its format (checked by the
// strict decoders of edgescope/testing, which validate OTLP against the official proto
// definitions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { decodeNative, decodeOtlp, startCollector } from 'edgescope/testing';
import { createFlushContext } from '../../js/exporters/flush-context.js';
import { SplitError, splitPayload } from '../../js/exporters/split-payload.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

const decoder = new TextDecoder();

// Real payloads from the core, with a batch id (added the way the core writes it when the core in
// use does not make one yet: payload.batchId, and a top-level "batchId" in a native body).
function encoded(format, build) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  build(t);
  t.core.drain(Date.now());
  try {
    return t.core.encode(format);
  } finally {
    t.core.release();
  }
}

const spans = (n, attributeBytes = 0) => (t) =>
  t.trace('root', (root) => {
    if (attributeBytes) root.setAttribute('pad', 'p'.repeat(attributeBytes));
    for (let i = 1; i < n; i++) t.trace(`child${i}`, (s) => attributeBytes && s.setAttribute('pad', 'p'.repeat(attributeBytes)));
  });

const everything = (t) => {
  t.trace('root', (span) => {
    for (let i = 0; i < 7; i++) span.logger.info(`line ${i}`, { i });
    for (let i = 0; i < 5; i++) t.trace(`child${i}`, () => {});
  });
  for (let i = 0; i < 6; i++) t.metrics.increment('hits', 1, { route: `/r${i}` });
  for (let i = 0; i < 3; i++) t.metrics.histogram('latency', i * 10, { route: `/r${i}` }, { unit: 'ms' });
  t.metrics.gauge('depth', 4);
};

function decode(format, signal, body) {
  const doc = JSON.parse(decoder.decode(body));
  const records = format === 'native' ? decodeNative(doc) : decodeOtlp(signal, doc);
  return { doc, list: [...records.spans, ...records.metrics, ...records.logs].map((r) => JSON.stringify(r)) };
}

const sorted = (list) => [...list].sort();

for (const format of ['native', 'otlp-json']) {
  test(`a ${format} payload splits into two valid halves holding every record once, with exact counts`, () => {
    for (const payload of encoded(format, everything)) {
      const whole = decode(format, payload.signal, payload.body);
      const halves = splitPayload(payload, format);
      assert.equal(halves.length, 2);
      assert.deepEqual(halves.map((h) => h.records), [Math.ceil(payload.records / 2), Math.floor(payload.records / 2)]);
      const parts = halves.map((h) => decode(format, h.signal, h.body)); // throws on an invalid half
      parts.forEach((part, i) => assert.equal(part.list.length, halves[i].records, `half ${i} of ${payload.signal}`));
      assert.deepEqual(sorted(parts.flatMap((p) => p.list)), sorted(whole.list));
      assert.deepEqual(halves.map((h) => h.batchId), [`${payload.batchId}-0`, `${payload.batchId}-1`]);
      assert.deepEqual(halves.map((h) => h.signal), [payload.signal, payload.signal]);
      if (format === 'native') {
        assert.deepEqual(parts.map((p) => p.doc.batchId), [`${payload.batchId}-0`, `${payload.batchId}-1`], 'the body carries the half\'s id');
        for (const p of parts) assert.deepEqual([p.doc.service, p.doc.resource], [whole.doc.service, whole.doc.resource]);
      }
    }
  });
}

test('an OTLP metric whose data points are split keeps its descriptor in both halves', () => {
  const [payload] = encoded('otlp-json', (t) => {
    for (let i = 0; i < 4; i++) t.metrics.increment('hits', 1, { route: `/r${i}` });
  }).filter((p) => p.signal === 'metrics');
  const [a, b] = splitPayload(payload, 'otlp-json').map((h) => JSON.parse(decoder.decode(h.body)));
  const metricOf = (doc) => doc.resourceMetrics[0].scopeMetrics[0].metrics;
  const original = metricOf(JSON.parse(decoder.decode(payload.body)))[0];
  for (const doc of [a, b]) {
    const [metric] = metricOf(doc);
    assert.equal(metric.sum.dataPoints.length, 2);
    assert.deepEqual({ ...metric, sum: { ...metric.sum, dataPoints: [] } }, { ...original, sum: { ...original.sum, dataPoints: [] } });
  }
});

test('a payload without a batch id splits into halves without one, and its native body gains none', () => {
  const [payload] = encoded('native', spans(3)).map(({ batchId, ...p }) => ({ ...p, body: stripBatchId(p.body) }));
  const halves = splitPayload(payload, 'native');
  assert.deepEqual(halves.map((h) => h.batchId), [undefined, undefined]);
  for (const h of halves) assert.equal('batchId' in JSON.parse(decoder.decode(h.body)), false);
});

function stripBatchId(body) {
  const doc = JSON.parse(decoder.decode(body));
  delete doc.batchId;
  return new TextEncoder().encode(JSON.stringify(doc));
}

test('what cannot be split is a SplitError naming the problem', () => {
  const [one] = encoded('native', spans(1));
  const [two] = encoded('otlp-json', spans(2));
  const bytes = (text) => new TextEncoder().encode(text);
  const cases = [
    [one, 'native', /a payload of 1 record\(s\) cannot be split/],
    [{ ...two, records: 5 }, 'otlp-json', /the payload says 5 record\(s\) but its otlp-json body holds 2/],
    [{ ...two, body: bytes('{"resourceSpans":') }, 'otlp-json', /not UTF-8 JSON/],
    [{ ...two, body: new Uint8Array([0x7b, 0xff, 0x7d]) }, 'otlp-json', /not UTF-8 JSON/],
    [{ ...two, body: bytes('[1,2]') }, 'otlp-json', /not a JSON object/],
    [{ ...two, signal: 'mixed' }, 'otlp-json', /signal "mixed" cannot be split/],
    [{ ...two, body: bytes('{"resourceSpans":{}}') }, 'otlp-json', /\$\.resourceSpans is not an array/],
    [{ signal: 'metrics', records: 2, body: bytes('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{},{}]},"sum":{"dataPoints":[]}}]}]}]}') }, 'otlp-json', /metric "m": expected exactly one of gauge, sum/],
    [{ signal: 'mixed', records: 2, body: bytes('{"service":"s","spans":[1,2]}') }, 'native', /spans is not an array of objects/],
    [{ ...one, body: 'text' }, 'native', /not a Uint8Array/],
  ];
  for (const [payload, format, message] of cases) assert.throws(() => splitPayload(payload, format), (e) => e instanceof SplitError && message.test(e.message), String(message));
});

// A collector that refuses bodies over maxBodyBytes with 413, for the length of one test.
async function withCollector(maxBodyBytes, fn) {
  const collector = await startCollector({ maxBodyBytes });
  try {
    return await fn(collector);
  } finally {
    await collector.close();
  }
}

function accounted(result) {
  const later = result.retryLater.reduce((sum, p) => sum + p.records, 0);
  assert.equal(result.delivered + result.droppedRecords + later, result.records);
  return result;
}

for (const [format, signal] of [['native', 'mixed'], ['otlp-json', 'traces'], ['otlp-json', 'metrics'], ['otlp-json', 'logs']]) {
  test(`413: a ${format} ${signal} payload is split until every part fits, and every record arrives once`, async () => {
    const payload = encoded(format, (t) => {
      everything(t);
      spans(12, 150)(t);
      for (let i = 0; i < 20; i++) t.metrics.increment('wide', 1, { route: `/${'w'.repeat(100)}${i}` });
      t.trace('logs', (s) => {
        for (let i = 0; i < 20; i++) s.logger.warn(`${'l'.repeat(120)} ${i}`);
      });
    }).find((p) => p.signal === signal);
    const expected = decode(format, signal, payload.body).list.map((r) => JSON.parse(r));
    const limit = Math.ceil(payload.body.length / 5); // needs at least three rounds of halving
    await withCollector(limit, async (collector) => {
      const url = format === 'native' ? collector.nativeUrl : collector.otlpUrl;
      const exporter = exporters.http({ url, format, retries: 0 });
      const [result] = await exporter.send([payload], createFlushContext({ maxSubrequests: 1000 }));
      accounted(result);
      assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.retryLater], [true, payload.records, 0, []]);
      assert.equal(result.attempts, collector.requests);
      assert.ok(collector.rejected.length >= 7 && collector.rejected.every((r) => r.status === 413), JSON.stringify(collector.rejected.length));
      assert.ok(collector.payloads.every((p) => p.bytes <= limit));
      const arrived = [...collector.spans, ...collector.metrics, ...collector.logs].map(({ format: _, ...r }) => JSON.stringify(r));
      assert.deepEqual(sorted(arrived), sorted(expected.map((r) => JSON.stringify(r))), 'each record exactly once');
      assert.equal(new Set(collector.batchIds).size, collector.payloads.length);
      for (const id of collector.batchIds) assert.match(id, new RegExp(`^${payload.batchId}(-[01])+$`));
    });
  });
}

test('413 for a single record that alone is too large: that record is dropped and counted, the rest arrive', async () => {
  const [payload] = encoded('native', (t) =>
    t.trace('root', () => {
      for (let i = 0; i < 6; i++) t.trace(`small${i}`, () => {});
      t.trace('huge', (s) => {
        for (let i = 0; i < 8; i++) s.setAttribute(`a${i}`, 'h'.repeat(600));
      });
    }),
  );
  await withCollector(2500, async (collector) => {
    const exporter = exporters.http({ url: collector.nativeUrl, retries: 0 });
    let result;
    const lines = await captureConsole('error', async () => {
      [result] = await exporter.send([payload], createFlushContext({ maxSubrequests: 1000 }));
    });
    accounted(result);
    assert.deepEqual([result.ok, result.status, result.cause, result.delivered, result.droppedRecords], [false, 413, 'too-large', 7, 1]);
    assert.match(result.error, /^HTTP 413: body of \d+ bytes exceeds 2500; a single record is still larger than the collector at .* takes: lower maxPayloadBytes/);
    assert.equal(collector.spans.length, 7, 'the root and the six small spans');
    assert.equal(collector.spans.some((s) => s.name === 'huge'), false);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\[edgescope\] http exporter: 1 record\(s\) dropped: HTTP 413/);
  });
});

test('halves the flush has no budget left for are handed back with their own batch ids', async () => {
  const [payload] = encoded('native', spans(4, 300));
  const halves = splitPayload(payload, 'native');
  await withCollector(Math.max(...halves.map((h) => h.body.length)), async (collector) => {
    const exporter = exporters.http({ url: collector.nativeUrl, retries: 0 });
    const [result] = await exporter.send([payload], createFlushContext({ maxSubrequests: 2 }));
    accounted(result);
    assert.deepEqual([result.ok, result.cause, result.delivered, result.attempts], [false, 'budget', 2, 2]);
    assert.deepEqual(result.retryLater.map((p) => [p.batchId, p.records]), [[`${payload.batchId}-1`, 2]]);
    assert.deepEqual(result.retryLater[0].body, halves[1].body);
    assert.deepEqual(collector.batchIds, [`${payload.batchId}-0`]);
  });
});

test('the Direct exporter does not split: a 413 drops the payload, saying to lower maxPayloadBytes', async () => {
  const [payload] = encoded('native', spans(4, 300));
  await withCollector(500, async (collector) => {
    const exporter = exporters.direct({ url: collector.nativeUrl });
    let result;
    const lines = await captureConsole('error', async () => {
      [result] = await exporter.send([payload]);
    });
    accounted(result);
    assert.equal(collector.requests, 1);
    assert.deepEqual([result.status, result.cause, result.droppedRecords, result.retryLater], [413, 'too-large', 4, []]);
    assert.match(result.error, /the Direct exporter sends each payload as one request and never splits it: lower maxPayloadBytes/);
    assert.match(lines.join('\n'), /direct exporter: 4 record\(s\) dropped: HTTP 413/);
  });
});
