// A seeded property test of the collector's request decoding (body bounds, gzip, JSON, the strict
// native decoder): random bytes, random gzip, and byte-flipped real payloads under random headers
// never make it throw anything but a 400, 413 or 415 HttpError. A payload it does accept (a
// mutation may stay valid) must still turn into D1 statements. Seeded, so a failure replays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createTelemetry } from 'edgescope';
import { decodeIngestRequest } from '../../js/collector/ingest/decode.js';
import { HttpError } from '../../js/collector/http/http-error.js';
import { payloadStatements } from '../../js/collector/ingest/store.js';
import { keepingExporter } from './helpers.js';

// mulberry32: a small, well-known seeded generator (not for secrets).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function realPayloadBytes() {
  const bodies = [];
  const t = createTelemetry({ service: 'prop', requestMetrics: false, exporters: [keepingExporter('native', (p) => bodies.push(p.body))] });
  t.trace('GET /a', (span) => span.logger.info('hello', { n: 1 }));
  t.metrics.histogram('latency', 3, { route: '/a' });
  await t.flush();
  return new Uint8Array(bodies[0]);
}

const LIMITS = { maxBodyBytes: 4096, maxDecodedBytes: 16384 };
// Weighted towards what passes the header checks, so most cases reach the body and the decoder.
const TYPES = ['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', '', 'application/x-protobuf'];
const ENCODINGS = ['', '', 'gzip', 'gzip', 'identity', 'br'];

test('random and mutated bodies only ever get a 400, 413 or 415, never a throw', async (t) => {
  const seed = Number(process.env.COLLECTOR_PROPERTY_SEED ?? 20261207);
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const real = await realPayloadBytes();
  const outcomes = { decoded: 0, 400: 0, 413: 0, 415: 0 };
  for (let i = 0; i < 1500; i++) {
    let body;
    const shape = random();
    if (shape < 0.3) {
      body = Uint8Array.from({ length: Math.floor(random() * 6000) }, () => Math.floor(random() * 256));
    } else if (shape < 0.8) {
      body = real.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) body[Math.floor(random() * body.length)] = Math.floor(random() * 256);
      if (random() < 0.2) body = body.subarray(0, Math.floor(random() * body.length));
    } else {
      body = real;
    }
    let encoding = pick(ENCODINGS);
    if (encoding === 'gzip' && random() < 0.7) body = new Uint8Array(gzipSync(body));
    const headers = { 'content-type': pick(TYPES) };
    if (encoding) headers['content-encoding'] = encoding;
    if (random() < 0.5) headers['content-length'] = String(body.byteLength);
    const request = new Request('https://collector.test/api/observe/ingest', { method: 'POST', headers, body });
    try {
      const payload = await decodeIngestRequest(request, LIMITS);
      assert.ok(payloadStatements(payload).length >= 1);
      outcomes.decoded++;
    } catch (e) {
      assert.ok(e instanceof HttpError, `case ${i} (seed ${seed}): threw ${e?.stack ?? e}`);
      assert.ok([400, 413, 415].includes(e.status), `case ${i} (seed ${seed}): status ${e.status}`);
      outcomes[e.status]++;
    }
  }
  t.diagnostic(`seed ${seed}: ${JSON.stringify(outcomes)}`);
  // The generator reaches every outcome, so the property is not vacuous.
  for (const [k, n] of Object.entries(outcomes)) assert.ok(n > 0, `no case ended as ${k}: ${JSON.stringify(outcomes)}`);
});
