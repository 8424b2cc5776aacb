// The capture collector refuses what is not a valid payload, naming the problem (and takes a valid one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCollector } from 'edgescope/testing';

let collector;
before(async () => {
  collector = await startCollector({ maxBodyBytes: 1024 });
});
after(() => collector.close());

const post = (path, body, type = 'application/json') =>
  fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

// A small OTLP trace request, valid unless `span` or `resource` overrides make it otherwise.
const now = `${BigInt(Date.now()) * 1000000n}`;
const otlpTrace = ({ span = {}, resource = [{ key: 'service.name', value: { stringValue: 's' } }] } = {}) =>
  JSON.stringify({
    resourceSpans: [{
      resource: { attributes: resource },
      scopeSpans: [{
        spans: [{
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          name: 'op',
          kind: 1,
          startTimeUnixNano: now,
          endTimeUnixNano: now,
          ...span,
        }],
      }],
    }],
  });

const cases = [
  ['/v1/traces', otlpTrace(), 200, null],
  ['/ingest', '{', 400, /not valid UTF-8 JSON/],
  ['/ingest', new Uint8Array([0x7b, 0xff, 0x7d]), 400, /not valid UTF-8/],
  ['/ingest', '{"spans":[]}', 400, /\$\.service/],
  ['/ingest', '{"service":"s","spans":[]}', 400, /\$\.spans: expected a non-empty array/],
  ['/ingest', '{"service":"s","spans":[{"traceId":"xyz"}]}', 400, /\$\.spans\[0\]\.traceId/],
  ['/ingest', '{"service":"s","logs":[{"message":"m","level":"loud","context":{}}]}', 400, /level/],
  ['/v1/traces', otlpTrace({ resource: [] }), 400, /\$\.resourceSpans\[0\]\.resource: expected a service\.name attribute/],
  ['/v1/traces', otlpTrace({ span: { traceId: '4BF92F3577B34DA6A3CE929D0E0E4736' } }), 400, /spans\[0\]\.traceId: expected 32 lowercase hex digits/],
  ['/v1/traces', otlpTrace({ span: { startTimeUnixNano: String(Math.floor(Date.now() / 1000)) } }), 400, /spans\[0\]\.startTimeUnixNano: .*instead of nanoseconds/],
  ['/v1/traces', otlpTrace({ span: { kind: 'SPAN_KIND_SERVER' } }), 400, /spans\[0\]\.kind: OTLP JSON encodes enums as integers/],
  ['/v1/traces', otlpTrace({ span: { operationName: 'op' } }), 400, /spans\[0\]\.operationName: unknown field/],
  ['/v1/metrics', '{"resourceSpans":[]}', 400, /\$\.resourceSpans: unknown field: .*ExportMetricsServiceRequest/],
  ['/v1/nope', '{}', 404, /unknown path/],
  ['/ingest', 'x'.repeat(2000), 413, /exceeds 1024/],
  ['/ingest', '{}', 415, /content-type text\/plain/, 'text/plain'],
];

for (const [path, body, status, message, type] of cases) {
  const name = message ? `POST ${path} with a bad payload is refused with ${status}: ${message}` : `POST ${path} with a valid payload is accepted`;
  test(name, async () => {
    const before = collector.spans.length;
    const res = await post(path, body, type);
    assert.equal(res.status, status);
    if (!message) return assert.equal(collector.spans.length, before + 1);
    assert.match((await res.json()).error, message);
    assert.equal(collector.spans.length, before);
  });
}
