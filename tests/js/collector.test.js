// The capture collector refuses what is not a valid payload, naming the problem.
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

const cases = [
  ['/ingest', '{', 400, /not valid UTF-8 JSON/],
  ['/ingest', new Uint8Array([0x7b, 0xff, 0x7d]), 400, /not valid UTF-8/],
  ['/ingest', '{"spans":[]}', 400, /\$\.service/],
  ['/ingest', '{"service":"s","spans":[]}', 400, /\$\.spans: expected a non-empty array/],
  ['/ingest', '{"service":"s","spans":[{"traceId":"xyz"}]}', 400, /\$\.spans\[0\]\.traceId/],
  ['/ingest', '{"service":"s","logs":[{"message":"m","level":"loud","context":{}}]}', 400, /level/],
  ['/v1/traces', '{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[]}]}', 400, /service\.name/],
  ['/v1/nope', '{}', 404, /unknown path/],
  ['/ingest', 'x'.repeat(2000), 413, /exceeds 1024/],
  ['/ingest', '{}', 415, /content-type text\/plain/, 'text/plain'],
];

for (const [path, body, status, message, type] of cases) {
  test(`POST ${path} with a bad payload is refused with ${status}: ${message}`, async () => {
    const before = collector.spans.length;
    const res = await post(path, body, type);
    assert.equal(res.status, status);
    assert.match((await res.json()).error, message);
    assert.equal(collector.spans.length, before);
  });
}
