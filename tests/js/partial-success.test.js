// An OTLP collector may accept a request but reject some of its records (OpenTelemetry Protocol
// specification, "Partial Success"): the rejected records are counted as dropped and logged with
// the collector's message, never retried, and the rest count as delivered. A response body that is
// not the documented shape is ignored, never a crash.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { readPartialSuccess } from '../../js/exporters/partial-success.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

const collector = useCollector();

test('the partialSuccess of an ExportXServiceResponse is read for the payload\'s own signal', () => {
  const body = (partialSuccess) => JSON.stringify({ partialSuccess });
  assert.deepEqual(readPartialSuccess(body({ rejectedSpans: '3', errorMessage: 'too old' }), 'traces', 10), { spans: 3, dataPoints: 0, logRecords: 0, message: 'too old' });
  assert.deepEqual(readPartialSuccess(body({ rejectedDataPoints: 2 }), 'metrics', 10), { spans: 0, dataPoints: 2, logRecords: 0, message: '' });
  assert.deepEqual(readPartialSuccess(body({ rejectedLogRecords: '1', errorMessage: 'x' }), 'logs', 10), { spans: 0, dataPoints: 0, logRecords: 1, message: 'x' });
  // proto3 JSON parsers accept the original field names too.
  assert.deepEqual(readPartialSuccess('{"partial_success":{"rejected_spans":"4","error_message":"snake"}}', 'traces', 10), { spans: 4, dataPoints: 0, logRecords: 0, message: 'snake' });
  // A warning: nothing rejected, but a message (the spec allows it).
  assert.deepEqual(readPartialSuccess(body({ errorMessage: 'deprecated attribute' }), 'traces', 10), { spans: 0, dataPoints: 0, logRecords: 0, message: 'deprecated attribute' });
  // A count for another signal does not apply to this payload.
  assert.equal(readPartialSuccess(body({ rejectedDataPoints: '5' }), 'traces', 10), null);
  // A server cannot reject more than it was sent; an int64 beyond 2^53 is still read.
  assert.equal(readPartialSuccess(body({ rejectedSpans: '99999999999999999999' }), 'traces', 7).spans, 7);
  assert.equal(readPartialSuccess(body({ rejectedSpans: 1e300 }), 'traces', 7).spans, 7);
  // A full success.
  assert.equal(readPartialSuccess('{}', 'traces', 10), null);
  assert.equal(readPartialSuccess(body({}), 'traces', 10), null);
  assert.equal(readPartialSuccess(body({ rejectedSpans: '0', errorMessage: '' }), 'traces', 10), null);
});

test('a body that is not a partial success is ignored as if absent', () => {
  const garbage = [
    '', 'not json', '{"partialSuccess":', '[1,2]', 'null', '"text"', '{"partialSuccess":null}', '{"partialSuccess":[1]}',
    '{"partialSuccess":{"rejectedSpans":"-3"}}', '{"partialSuccess":{"rejectedSpans":"1.5"}}', '{"partialSuccess":{"rejectedSpans":-2}}',
    '{"partialSuccess":{"rejectedSpans":2.5}}', '{"partialSuccess":{"rejectedSpans":"12abc"}}', '{"partialSuccess":{"rejectedSpans":true}}',
    '{"partialSuccess":{"rejectedSpans":{"n":1}}}', '{"partialSuccess":{"errorMessage":42}}',
  ];
  for (const text of garbage) assert.equal(readPartialSuccess(text, 'traces', 10), null, text);
  assert.equal(readPartialSuccess('{"partialSuccess":{"rejectedSpans":"2"}}', 'mixed', 10), null, 'native has no partial success');
  assert.equal(readPartialSuccess(undefined, 'traces', 10), null);
  const long = readPartialSuccess(JSON.stringify({ partialSuccess: { rejectedSpans: 1, errorMessage: `a\n\tb ${'m'.repeat(5000)}` } }), 'traces', 10);
  assert.equal(long.message.length, 200);
  assert.match(long.message, /^a b m+$/);
});

// Real OTLP payloads of each signal from the core.
function encoded(build) {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  build(t);
  t.core.drain(Date.now());
  try {
    return t.core.encode('otlp-json');
  } finally {
    t.core.release();
  }
}

const fiveOfEach = (t) =>
  t.trace('root', (span) => {
    for (let i = 0; i < 4; i++) t.trace(`child${i}`, () => {});
    for (let i = 0; i < 5; i++) span.logger.info(`line ${i}`);
    for (let i = 0; i < 5; i++) t.metrics.increment('hits', 1, { route: `/r${i}` });
  });

const FIELD = { traces: 'spans', metrics: 'dataPoints', logs: 'logRecords' };
const STORED = { traces: 'spans', metrics: 'metrics', logs: 'logs' };

for (const signal of ['traces', 'metrics', 'logs']) {
  test(`a partial success on ${signal}: rejected records are dropped and logged, the rest delivered, nothing retried`, async () => {
    const payload = encoded(fiveOfEach).find((p) => p.signal === signal);
    assert.equal(payload.records, 5);
    const exporter = exporters.http({ url: collector.otlpUrl, format: 'otlp-json', retries: 3 });
    collector.partialSuccess({ rejected: 2, message: 'timestamps too old' });
    let result;
    const lines = await captureConsole('error', async () => {
      [result] = await exporter.send([payload]);
    });
    assert.equal(collector.requests, 1, 'never retried');
    assert.deepEqual(
      { ok: result.ok, status: result.status, attempts: result.attempts, delivered: result.delivered, dropped: result.droppedRecords, later: result.retryLater },
      { ok: true, status: 200, attempts: 1, delivered: 3, dropped: 2, later: [] },
    );
    assert.deepEqual(result.rejected, { spans: 0, dataPoints: 0, logRecords: 0, [FIELD[signal]]: 2, message: 'timestamps too old' });
    assert.equal(collector[STORED[signal]].length, 3);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^\[edgescope\] http exporter: the collector at http:\/\/127\.0\.0\.1:\d+\/v1\/\w+ rejected 2 record\(s\) of 1 accepted payload\(s\) \(OTLP partial success\): timestamps too old$/);
  });
}

test('a partial success that rejects nothing but says something is a warning; everything counts as delivered', async () => {
  const payload = encoded(fiveOfEach).find((p) => p.signal === 'traces');
  const exporter = exporters.http({ url: collector.otlpUrl, format: 'otlp-json' });
  collector.partialSuccess({ rejected: 0, message: 'attribute http.method is deprecated' });
  let result;
  const warnings = await captureConsole('warn', async () => {
    [result] = await exporter.send([payload]);
  });
  assert.deepEqual([result.ok, result.delivered, result.droppedRecords], [true, 5, 0]);
  assert.equal(result.rejected.message, 'attribute http.method is deprecated');
  assert.ok(warnings.some((l) => /accepted 1 payload\(s\) with a warning \(OTLP partial success\): attribute http\.method is deprecated/.test(l)), warnings.join('\n'));
});

test('a native payload is never read for a partial success (that contract is OTLP\'s)', async () => {
  const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: quietConsoleExporter() });
  t.trace('op', () => {});
  t.core.drain(Date.now());
  const [payload] = t.core.encode('native');
  t.core.release();
  collector.partialSuccess({ rejected: 1, message: 'ignored' });
  const [result] = await exporters.http({ url: collector.nativeUrl }).send([payload]);
  assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.rejected], [true, 1, 0, undefined]);
});

// A collector answering every request 200 with `body` and `type`.
async function startServer(respond) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => respond(res));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${server.address().port}`;
}

test('garbage, a non-JSON content type, or an endless 2xx body: the payload counts as delivered, no crash', async () => {
  const answers = [
    ['application/json', '{"partialSuccess":{"rejectedSpans":"lots"}}'],
    ['application/json', '{"partialSuccess":'],
    ['application/x-protobuf', '{"partialSuccess":{"rejectedSpans":"3"}}'],
    ['text/plain', 'OK'],
  ];
  for (const [type, body] of answers) {
    const url = await startServer((res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const payload = encoded(fiveOfEach).find((p) => p.signal === 'traces');
    const [result] = await exporters.http({ url, format: 'otlp-json' }).send([payload]);
    assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.rejected], [true, 5, 0, undefined], `${type} ${body}`);
  }

  let closedEarly;
  const closed = new Promise((resolve) => {
    closedEarly = resolve;
  });
  const url = await startServer((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"partialSuccess":{"rejectedSpans":"1","errorMessage":"${'e'.repeat(1000)}`);
    const timer = setInterval(() => res.write('e'.repeat(64 * 1024)), 5);
    res.on('close', () => {
      clearInterval(timer);
      closedEarly(!res.writableFinished);
    });
  });
  const payload = encoded(fiveOfEach).find((p) => p.signal === 'traces');
  const started = performance.now();
  const [result] = await exporters.http({ url, format: 'otlp-json' }).send([payload]);
  assert.ok(performance.now() - started < 2000, 'the body was read only up to its bound');
  assert.equal(await closed, true, 'the connection was closed before the body ended');
  assert.deepEqual([result.ok, result.delivered], [true, 5]);
});
