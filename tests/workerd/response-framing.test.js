// The client gets the response the handler returned: status, headers, body, and an explicit
// Content-Length (kept on the wire through a FixedLengthStream).
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useWorker } from './helpers.js';

const collector = useCollector();
const worker = useWorker(collector, 'basic');

function get(path) {
  return new Promise((resolve, reject) => {
    http
      .get(`${worker.url}${path}`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

test('an explicit Content-Length stays on the wire and the export still waits for delivery', async () => {
  const res = await get('/sized');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '5');
  assert.equal(res.headers['transfer-encoding'], undefined);
  assert.equal(res.body, '12345');
  await collector.waitFor((c) => c.spans.length === 1);
  assert.equal(collector.spans[0].attributes['edgescope.response.outcome'], 'complete');
});

test('status, headers and body pass through unchanged', async () => {
  const res = await get('/plain');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/plain');
  assert.equal(res.body, 'hello from /plain');
});
