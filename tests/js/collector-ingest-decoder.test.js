// Seeded property tests of the collector's request decoding (body bounds, gzip, JSON, the strict
// native decoder): random bytes, random gzip, and byte-flipped real payloads under random headers
// never make it throw anything but a 400, 413 or 415 HttpError; nor does a real payload with any
// one value anywhere in it (span events and a log's error included) replaced, removed or added.
// A payload it does accept (a mutation may stay valid) must still turn into D1 statements, and
// what it holds nested in its records is of the types the schema says. Seeded, so a failure replays.
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
  t.trace('GET /a', (span) => {
    span.logger.info('hello', { n: 1 });
    span.addEvent('cache.miss', { key: 'k' });
    span.recordException(new TypeError('boom'));
    span.logger.error(new RangeError('bad range'));
  });
  t.metrics.histogram('latency', 3, { route: '/a' });
  t.metrics.histogram('size', 3, { route: '/a' }, { aggregation: 'explicit' });
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

// Every path to a value in `doc`, as the keys from the root.
function paths(value, at = []) {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths(value[k], [...at, k]))];
}
const HOSTILE = [null, 0, -1, 1.5, 2 ** 32, 'x', '', true, {}, [], [null], { name: 7 }, [{ name: 'e', timestamp: 'x', attributes: 5 }]];

// The decoded nested values the schema describes (SpanEvent, LogError, a histogram's arrays) are
// of their types: what a mutation put there was refused, not passed through to storage.
function assertNested(payload, where) {
  for (const s of payload.spans) {
    assert.ok(Array.isArray(s.events), where);
    for (const e of s.events) {
      assert.ok(e && typeof e.name === 'string' && typeof e.time === 'number', `${where}: ${JSON.stringify(e)}`);
      assert.ok(e.attributes && typeof e.attributes === 'object' && !Array.isArray(e.attributes), `${where}: ${JSON.stringify(e)}`);
      if ('droppedAttributesCount' in e) assert.ok(Number.isInteger(e.droppedAttributesCount) && e.droppedAttributesCount >= 0, where);
    }
  }
  for (const l of payload.logs) {
    if (l.error === null) continue;
    for (const v of Object.values(l.error)) assert.equal(typeof v, 'string', `${where}: ${JSON.stringify(l.error)}`);
  }
  for (const m of payload.metrics) {
    for (const list of [m.bounds, m.bucketCounts]) if (list !== undefined) assert.ok(list.every((v) => typeof v === 'number'), where);
  }
}

test('any one value of a real payload replaced, removed or added is decoded to schema types or refused with a 400 naming a path', async (t) => {
  const seed = Number(process.env.COLLECTOR_PROPERTY_SEED ?? 20261208);
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const doc = JSON.parse(new TextDecoder().decode(await realPayloadBytes()));
  const all = paths(doc).filter((p) => p.length > 0);
  assert.ok(all.some((p) => p.includes('events')) && all.some((p) => p.includes('error')), 'the payload has span events and a log error');
  const outcomes = { decoded: 0, refused: 0, refusedInEvents: 0, refusedInError: 0 };
  for (let i = 0; i < 2000; i++) {
    const copy = structuredClone(doc);
    // Half the cases aim inside span events and log errors, the values this test exists for.
    const nested = all.filter((p) => p.includes('events') || p.includes('error'));
    const path = random() < 0.5 ? pick(nested) : pick(all);
    const parent = path.slice(0, -1).reduce((v, k) => v[k], copy);
    const key = path.at(-1);
    const how = random();
    if (how < 0.2 && !Array.isArray(parent)) delete parent[key];
    else if (how < 0.3 && Array.isArray(parent)) parent.push(structuredClone(pick(HOSTILE)));
    else parent[key] = structuredClone(pick(HOSTILE));
    const where = `case ${i} (seed ${seed}): ${path.join('.')}`;
    const request = new Request('https://collector.test/api/observe/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(copy) });
    try {
      const payload = await decodeIngestRequest(request, { maxBodyBytes: 65536, maxDecodedBytes: 65536 });
      assertNested(payload, where);
      assert.ok(payloadStatements(payload).length >= 1, where);
      outcomes.decoded++;
    } catch (e) {
      assert.ok(e instanceof HttpError, `${where}: threw ${e?.stack ?? e}`);
      assert.equal(e.status, 400, where);
      assert.match(e.path, /^\$/, where);
      outcomes.refused++;
      if (/\.events/.test(e.path)) outcomes.refusedInEvents++;
      if (/\.error/.test(e.path)) outcomes.refusedInError++;
    }
  }
  t.diagnostic(`seed ${seed}: ${JSON.stringify(outcomes)}`);
  for (const [k, n] of Object.entries(outcomes)) assert.ok(n > 0, `no case ended as ${k}: ${JSON.stringify(outcomes)}`);
});
