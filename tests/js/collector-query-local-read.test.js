// The example collector's local-read bypass (examples/collector/src/index.js): with
// EDGESCOPE_LOCAL_READ=1 (what `npm start` sets) the query API answers without a token only to a
// loopback client at a loopback URL, as wrangler dev delivers a browser's request. A request
// through a service binding (any URL the calling Worker picks, no CF-Connecting-IP) or a
// forwarded visitor's request (their public CF-Connecting-IP) still needs the read token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import worker from '../../examples/collector/src/index.js';

// D1 as /api/logs uses it (prepare -> bind -> all; batch() is how the collector tells a D1 binding), holding no logs.
const emptyD1 = { prepare: () => ({ bind: () => ({ all: async () => ({ results: [] }) }) }), batch: async () => [] };
const env = (vars = {}) => ({ DB: emptyD1, ...vars });
const logs = (url, headers = {}, vars = { EDGESCOPE_LOCAL_READ: '1' }) => worker.fetch(new Request(url, { headers }), env(vars), { waitUntil() {} });

test('a local run: a loopback client at a loopback URL reads without a token', async () => {
  for (const [url, ip] of [
    ['http://127.0.0.1:8788/api/logs', '127.0.0.1'],
    ['http://localhost:8788/api/logs', '::1'],
    ['http://[::1]:8788/api/logs', '::ffff:127.0.0.1'],
  ]) {
    const res = await logs(url, { 'cf-connecting-ip': ip });
    assert.equal(res.status, 200, `${url} from ${ip}`);
    assert.deepEqual(await res.json(), { logs: [], nextCursor: null });
  }
});

test('a service-binding call to a loopback URL (no CF-Connecting-IP) needs the read token', async () => {
  const res = await logs('http://localhost/api/logs');
  assert.equal(res.status, 401);
});

test("a forwarded visitor's request (public CF-Connecting-IP) at a loopback URL needs the read token", async () => {
  for (const ip of ['203.0.113.9', '2001:db8::1', '127.0.0.1, 203.0.113.9']) assert.equal((await logs('http://127.0.0.1:8788/api/logs', { 'cf-connecting-ip': ip })).status, 401, ip);
});

test('without EDGESCOPE_LOCAL_READ, or at a hostname, even a loopback client needs the read token', async () => {
  assert.equal((await logs('http://127.0.0.1:8788/api/logs', { 'cf-connecting-ip': '127.0.0.1' }, {})).status, 401);
  assert.equal((await logs('https://collector.example.com/api/logs', { 'cf-connecting-ip': '127.0.0.1' })).status, 401);
});
