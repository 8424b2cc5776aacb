// format 'otlp-proto' in the HTTP and Direct exporters, against real loopback servers: each signal
// is POSTed as binary protobuf (content-type application/x-protobuf, OTLP/HTTP "Binary Protobuf
// Encoding") to /v1/traces, /v1/metrics and /v1/logs, gzipped on request, under its batch id as
// Idempotency-Key; a 413 splits it at the wire level into halves that protobufjs (an independent
// decoder, over the official .proto files) reads back, holding every record once; a protobuf
// partial success is counted; a malformed protobuf response never breaks the flush.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createTelemetry, EdgescopeConfigError, exporters } from 'edgescope';
import { startCollector } from 'edgescope/testing';
import { createFlushContext } from '../../js/exporters/flush-context.js';
import { readPartialSuccessProto } from '../../js/exporters/partial-success.js';
import { SplitError, splitPayload } from '../../js/exporters/split-payload.js';
import { otlpSchema } from '../../js/wire/otlp/otlp-schema.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole, quietConsoleExporter } from './helpers.js';

const collector = useCollector();
const NO_WAIT = { [Symbol.for('edgescope.test.sleep')]: async () => {} };
const RECORDS_OF = { traces: 'spans', metrics: 'metrics', logs: 'logs' };

// A root span with 4 children, 5 log lines, 5 counter points and a histogram point.
function record(t) {
  t.trace('root', (span) => {
    for (let i = 0; i < 4; i++) t.trace(`child${i}`, (s) => s.setAttribute('http.route', '/items/:id'));
    for (let i = 0; i < 5; i++) span.logger.info(`line ${i}`, { i });
    for (let i = 0; i < 5; i++) t.metrics.increment('hits', 1, { route: `/r${i}` });
    t.metrics.histogram('latency', 12, { route: '/' }, { unit: 'ms' });
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

// protobufjs's own reading of a request body, as plain objects (bytes as base64, longs as strings).
function decodeRequest(signal, body) {
  const type = otlpSchema().types[signal];
  return type.toObject(type.decode(body), { longs: String, bytes: String, defaults: false });
}

// The records of a decoded request (spans, log records, metric data points), each with the
// resource and scope it sits under.
function recordsOf(signal, doc) {
  const [resources, scopes, items] = { traces: ['resource_spans', 'scope_spans', 'spans'], metrics: ['resource_metrics', 'scope_metrics', 'metrics'], logs: ['resource_logs', 'scope_logs', 'log_records'] }[signal];
  const out = [];
  for (const r of doc[resources] ?? []) {
    for (const s of r[scopes] ?? []) {
      for (const item of s[items] ?? []) {
        const context = { resource: r.resource, scope: s.scope };
        if (signal !== 'metrics') out.push({ ...context, record: item });
        else {
          const kind = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'].find((k) => item[k]);
          for (const point of item[kind].data_points) out.push({ ...context, metric: { ...item, [kind]: { ...item[kind], data_points: undefined } }, record: point });
        }
      }
    }
  }
  return out;
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

// A server answering every request 200 with `type` and `body`.
async function startServer(type, body) {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${server.address().port}`;
}

test("exporters accept format 'otlp-proto'; a wrong format names it among the choices", () => {
  for (const kind of ['http', 'direct']) {
    assert.equal(exporters[kind]({ url: 'https://otlp.example.com', format: 'otlp-proto' }).format, 'otlp-proto');
    assert.throws(() => exporters[kind]({ url: 'https://x.example', format: 'protobuf' }), (e) => e instanceof EdgescopeConfigError && /'native', 'otlp-json' or 'otlp-proto'/.test(e.message));
    // A signal URL is refused as it is for OTLP JSON: /v1/<signal> is appended.
    assert.throws(
      () => exporters[kind]({ url: 'https://otlp.example.com/v1/traces', format: 'otlp-proto' }),
      (e) => e instanceof EdgescopeConfigError && /with format 'otlp-proto' edgescope appends \/v1\/traces/.test(e.message),
    );
  }
  const custom = { name: 'mine', format: 'otlp-proto', send: async (p) => p.map((x) => ({ ok: true, records: x.records })) };
  assert.doesNotThrow(() => createTelemetry({ service: 'svc', exporter: custom }));
  assert.throws(
    () => createTelemetry({ service: 'svc', exporter: { ...custom, format: 'proto' } }),
    (e) => e instanceof EdgescopeConfigError && /format 'native', 'otlp-json' or 'otlp-proto'/.test(e.message),
  );
});

for (const kind of ['http', 'direct']) {
  for (const compression of ['none', 'gzip']) {
    test(`exporters.${kind} (compression '${compression}') posts each signal as application/x-protobuf to its /v1 path, and it arrives intact`, async () => {
      const { fetchImpl, requests } = recordingFetch();
      const t = createTelemetry({ service: 'svc', requestMetrics: false, exporter: exporters[kind]({ url: collector.otlpUrl, format: 'otlp-proto', compression, fetch: fetchImpl }) });
      record(t);
      await t.flush();
      assert.equal(collector.rejected.length, 0, JSON.stringify(collector.rejected));
      assert.deepEqual([collector.spans.length, collector.logs.length, collector.metrics.length], [5, 5, 6], collector.summary());
      assert.equal(t.stats().exported, 16);
      assert.deepEqual(requests.map((r) => new URL(r.url).pathname).sort(), ['/v1/logs', '/v1/metrics', '/v1/traces']);
      for (const r of requests) {
        assert.equal(r.headers['content-type'], 'application/x-protobuf');
        assert.equal(r.headers['content-encoding'], compression === 'gzip' ? 'gzip' : undefined);
        const body = compression === 'gzip' ? gunzipSync(r.body) : r.body;
        const signal = new URL(r.url).pathname.slice(4);
        assert.equal(recordsOf(signal, decodeRequest(signal, body)).length, collector[RECORDS_OF[signal]].length);
      }
      for (const p of collector.payloads) {
        assert.equal(p.format, 'otlp-proto');
        assert.equal(p.contentEncoding, compression === 'gzip' ? 'gzip' : 'identity');
      }
    });
  }
}

test('the base URL keeps its path and query; /v1/<signal> is appended to the path', async () => {
  const { fetchImpl, requests } = recordingFetch();
  const url = `${collector.otlpUrl}/otlp?token=secret`;
  const [payload] = payloads('otlp-proto', (t) => t.trace('op', () => {}));
  await captureConsole('error', () => exporters.http({ url, format: 'otlp-proto', fetch: fetchImpl }).send([payload]));
  assert.deepEqual(requests.map((r) => r.url), [`${collector.otlpUrl}/otlp/v1/traces?token=secret`]);
});

test('every attempt carries the payload batch id as Idempotency-Key, and retries re-send the same bytes', async () => {
  const { fetchImpl, requests } = recordingFetch();
  const payload = payloads('otlp-proto').find((p) => p.signal === 'logs');
  collector.failNext(503, { times: 2 });
  const [result] = await exporters.http({ url: collector.otlpUrl, format: 'otlp-proto', compression: 'gzip', retries: 2, fetch: fetchImpl, ...NO_WAIT }).send([payload]);
  assert.deepEqual([result.ok, result.attempts, result.delivered], [true, 3, 5]);
  assert.equal(requests.length, 3);
  for (const r of requests) {
    assert.equal(r.headers['idempotency-key'], payload.batchId);
    assert.ok(Buffer.from(r.body).equals(Buffer.from(requests[0].body)));
  }
  assert.ok(gunzipSync(requests[0].body).equals(Buffer.from(payload.body)));
  assert.deepEqual(collector.batchIds, [payload.batchId]);
});

test('an otlp-proto payload splits at the wire level into halves protobufjs reads, each record once, resource and scope kept', () => {
  for (const payload of payloads('otlp-proto')) {
    const whole = recordsOf(payload.signal, decodeRequest(payload.signal, payload.body));
    assert.equal(whole.length, payload.records);
    const halves = splitPayload(payload, 'otlp-proto');
    assert.deepEqual(halves.map((h) => h.records), [Math.ceil(payload.records / 2), Math.floor(payload.records / 2)]);
    assert.deepEqual(halves.map((h) => h.batchId), [`${payload.batchId}-0`, `${payload.batchId}-1`]);
    const parts = halves.map((h) => recordsOf(payload.signal, decodeRequest(h.signal, h.body)));
    parts.forEach((part, i) => assert.equal(part.length, halves[i].records));
    // Every record keeps its resource (service.name ...), scope and, for a data point, its metric
    // descriptor; together the halves are the whole, in order.
    assert.deepEqual(JSON.parse(JSON.stringify([...parts[0], ...parts[1]])), JSON.parse(JSON.stringify(whole)));
  }
});

test('what cannot be split as otlp-proto is a SplitError naming the problem', () => {
  const payload = payloads('otlp-proto').find((p) => p.signal === 'traces');
  const cases = [
    [{ ...payload, body: payload.body.subarray(0, payload.body.length - 3) }, /not valid protobuf: .*runs past the end/],
    [{ ...payload, records: payload.records + 1 }, /says 6 record\(s\) but its otlp-proto body holds 5/],
    [{ ...payload, body: new Uint8Array([0x0b, 0x01]) }, /wire type 3/],
    [{ ...payload, body: new Uint8Array([0x08, 0x01]) }, /resource_spans \(field 1\) at byte 0 has wire type 0/],
    [{ ...payload, signal: 'mixed' }, /signal "mixed" cannot be split/],
    [payloads('otlp-proto', (t) => t.trace('one', () => {}))[0], /a payload of 1 record\(s\) cannot be split/],
  ];
  for (const [p, message] of cases) assert.throws(() => splitPayload(p, 'otlp-proto'), (e) => e instanceof SplitError && message.test(e.message), String(message));
});

// The largest body of a payload split down to single records.
function largestSingle(payload) {
  if (payload.records < 2) return payload.body.length;
  return Math.max(...splitPayload(payload, 'otlp-proto').map(largestSingle));
}

for (const signal of ['traces', 'metrics', 'logs']) {
  test(`413 on otlp-proto ${signal}: halves (gzipped) are sent until they fit, decode with protobufjs, and hold every record once`, async () => {
    const payload = payloads('otlp-proto', (t) => {
      record(t);
      t.trace('wide', (s) => {
        for (let i = 0; i < 16; i++) t.trace(`w${i}`, (c) => c.setAttribute('pad', 'p'.repeat(120)));
        for (let i = 0; i < 16; i++) s.logger.warn(`${'l'.repeat(120)} ${i}`);
      });
      for (let i = 0; i < 16; i++) t.metrics.increment('wide', 1, { route: `/${'w'.repeat(100)}${i}` });
    }).find((p) => p.signal === signal);
    const whole = recordsOf(signal, decodeRequest(signal, payload.body));
    // Small enough to need several rounds of halving, large enough for each record alone (a
    // histogram point with its bounds is a large part of a compact protobuf payload).
    const limit = Math.max(Math.ceil(payload.body.length / 5), largestSingle(payload));
    const small = await startCollector({ maxBodyBytes: limit });
    try {
      const { fetchImpl, requests } = recordingFetch();
      const exporter = exporters.http({ url: small.otlpUrl, format: 'otlp-proto', compression: 'gzip', retries: 0, fetch: fetchImpl });
      // The collector's limit is on the decompressed body, as the payload cap is.
      const [result] = await exporter.send([payload], createFlushContext({ maxSubrequests: 1000 }));
      assert.deepEqual([result.ok, result.delivered, result.droppedRecords, result.retryLater], [true, payload.records, 0, []]);
      assert.ok(small.rejected.length >= 4 && small.rejected.every((r) => r.status === 413));
      const accepted = requests.filter((r) => small.batchIds.includes(r.headers['idempotency-key']));
      assert.equal(accepted.length, small.payloads.length);
      const arrived = accepted.flatMap((r) => recordsOf(signal, decodeRequest(signal, gunzipSync(r.body))));
      const key = (x) => JSON.stringify(x);
      assert.deepEqual(arrived.map(key).sort(), whole.map(key).sort(), 'every record once, each with its resource and scope');
      for (const id of small.batchIds) assert.match(id, new RegExp(`^${payload.batchId}(-[01])+$`));
      assert.equal(small[RECORDS_OF[signal]].length, payload.records);
    } finally {
      await small.close();
    }
  });
}

test('413 for a single otlp-proto record still too large: it is dropped and counted, the rest arrive', async () => {
  const [payload] = payloads('otlp-proto', (t) =>
    t.trace('root', () => {
      for (let i = 0; i < 6; i++) t.trace(`small${i}`, () => {});
      t.trace('huge', (s) => {
        for (let i = 0; i < 8; i++) s.setAttribute(`a${i}`, 'h'.repeat(600));
      });
    }),
  );
  const small = await startCollector({ maxBodyBytes: 2500 });
  try {
    let result;
    const lines = await captureConsole('error', async () => {
      [result] = await exporters.http({ url: small.otlpUrl, format: 'otlp-proto', retries: 0 }).send([payload], createFlushContext({ maxSubrequests: 1000 }));
    });
    assert.deepEqual([result.ok, result.cause, result.delivered, result.droppedRecords], [false, 'too-large', 7, 1]);
    assert.equal(small.spans.some((s) => s.name === 'huge'), false);
    assert.equal(small.spans.length, 7);
    assert.match(lines.join('\n'), /1 record\(s\) dropped: HTTP 413/);
  } finally {
    await small.close();
  }
});

for (const signal of ['traces', 'metrics', 'logs']) {
  test(`a protobuf partial success on ${signal} is counted: rejected records dropped and logged, the rest delivered`, async () => {
    const payload = payloads('otlp-proto').find((p) => p.signal === signal);
    collector.partialSuccess({ rejected: 2, message: 'too old' });
    let result;
    const lines = await captureConsole('error', async () => {
      [result] = await exporters.http({ url: collector.otlpUrl, format: 'otlp-proto', retries: 3 }).send([payload]);
    });
    assert.equal(collector.requests, 1, 'never retried');
    const field = { traces: 'spans', metrics: 'dataPoints', logs: 'logRecords' }[signal];
    assert.deepEqual([result.ok, result.delivered, result.droppedRecords], [true, payload.records - 2, 2]);
    assert.deepEqual(result.rejected, { spans: 0, dataPoints: 0, logRecords: 0, [field]: 2, message: 'too old' });
    assert.match(lines.join('\n'), /rejected 2 record\(s\) of 1 accepted payload\(s\) \(OTLP partial success\): too old/);
  });
}

test('the protobuf Export*ServiceResponse is read strictly: counts, messages, unknown fields skipped, int64 clamped', () => {
  const { root } = otlpSchema();
  const response = (name, partial) => {
    const type = root.lookupType(`opentelemetry.proto.collector.${name}`);
    return type.encode(type.fromObject(partial === undefined ? {} : { partial_success: partial })).finish();
  };
  assert.equal(readPartialSuccessProto(response('trace.v1.ExportTraceServiceResponse'), 'traces', 9), null);
  assert.deepEqual(readPartialSuccessProto(response('trace.v1.ExportTraceServiceResponse', { rejected_spans: 3, error_message: 'x' }), 'traces', 9), { spans: 3, dataPoints: 0, logRecords: 0, message: 'x' });
  assert.deepEqual(readPartialSuccessProto(response('metrics.v1.ExportMetricsServiceResponse', { rejected_data_points: '99999999999999999' }), 'metrics', 7), { spans: 0, dataPoints: 7, logRecords: 0, message: '' });
  assert.deepEqual(readPartialSuccessProto(response('logs.v1.ExportLogsServiceResponse', { error_message: 'deprecated' }), 'logs', 7), { spans: 0, dataPoints: 0, logRecords: 0, message: 'deprecated' });
  // A negative int64 (ten-byte varint) is not a rejection.
  assert.equal(readPartialSuccessProto(response('logs.v1.ExportLogsServiceResponse', { rejected_log_records: -4 }), 'logs', 7), null);
  // Unknown fields (a newer collector) are skipped, at both levels: field 19 of the response,
  // field 7 of the partial success.
  const withUnknown = new Uint8Array([0x9a, 0x01, 0x01, 0x00, 0x0a, 0x04, 0x08, 0x02, 0x38, 0x07]);
  assert.deepEqual(readPartialSuccessProto(withUnknown, 'traces', 9), { spans: 2, dataPoints: 0, logRecords: 0, message: '' });
});

test('a malformed protobuf response is a warning naming the problem; the payload counts as delivered, never a throw', async () => {
  const payload = payloads('otlp-proto').find((p) => p.signal === 'traces');
  const cases = [
    [new Uint8Array([0x0a, 0x05, 0x08]), /runs past the end/],
    [new Uint8Array([0x0a, 0x02, 0x0a, 0x00]), /rejected_spans \(field 1\) has wire type 2, expected 0/],
    [new Uint8Array([0x0a, 0x03, 0x12, 0x01, 0xff]), /error_message is not valid UTF-8/],
    [new Uint8Array([0x0a, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /varint longer than 10 bytes|runs past/],
    [new Uint8Array([0x0b]), /wire type 3/],
    [new Uint8Array(20 * 1024), /longer than 16384 bytes/],
  ];
  for (const [body, message] of cases) {
    const url = await startServer('application/x-protobuf', body);
    let result;
    const warnings = await captureConsole('warn', async () => {
      [result] = await exporters.http({ url, format: 'otlp-proto' }).send([payload]);
    });
    assert.deepEqual([result.ok, result.delivered, result.droppedRecords], [true, 5, 0], String(message));
    assert.match(result.rejected.message, /^unreadable protobuf partial success \(/);
    assert.match(result.rejected.message, message);
    assert.ok(warnings.some((l) => /accepted 1 payload\(s\) with a warning \(OTLP partial success\): unreadable protobuf partial success/.test(l)), warnings.join('\n'));
  }
  // A JSON answer to a protobuf request is still read; any other type is not read at all.
  const json = await startServer('application/json', '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"json"}}');
  assert.equal((await exporters.http({ url: json, format: 'otlp-proto' }).send([payload]))[0].droppedRecords, 1);
  const text = await startServer('text/plain', 'OK');
  assert.deepEqual((await exporters.http({ url: text, format: 'otlp-proto' }).send([payload]))[0].rejected, undefined);
});

test('random protobuf response bodies never throw and never count more than was sent', () => {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256));
    const read = readPartialSuccessProto(bytes, 'traces', 5);
    if (read !== null) {
      assert.ok(read.spans >= 0 && read.spans <= 5 && read.dataPoints === 0 && read.logRecords === 0);
      assert.ok(read.message.length <= 200);
    }
  }
});
