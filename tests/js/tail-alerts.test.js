// A watched Worker's uncaught exception, seen by the tail Worker, goes through the same alert
// de-duplication instrument() uses (config `alerts`, createAlerts from edgescope/alerts): the first
// occurrence is delivered, a repeat within the cooldown is suppressed fleet-wide (state in KV here),
// and the `errors` counter counts both.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { exporters } from 'edgescope';
import { createAlerts, webhook } from 'edgescope/alerts';
import { tailWorker } from 'edgescope/tail';
import { useCollector } from '../shared/use-collector.js';

const collector = useCollector();
const threw = JSON.parse(readFileSync(new URL('../fixtures/tail/fetch-threw.json', import.meta.url), 'utf8'));

// A KV namespace in memory: the two calls kv-state.js makes.
// `gate`: a promise every read waits for (a slow shared state).
function memoryKv(gate = Promise.resolve()) {
  const map = new Map();
  return {
    async get(key) {
      await gate;
      return map.get(key) ?? null;
    },
    async put(key, value) {
      map.set(key, value);
    },
  };
}

const received = [];
let receiver;
let receiverUrl;
before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}`;
});
after(() => new Promise((resolve) => receiver.close(resolve)));

async function tail(handler, items) {
  const pending = [];
  const returned = handler.tail(items, {}, { waitUntil: (p) => pending.push(p) });
  await Promise.all([returned, ...pending]);
}

test("a watched Worker's exception alerts once; the repeat within the cooldown is suppressed and still counted", async () => {
  const alerts = createAlerts({ service: 'shop-api', state: { store: 'kv', namespace: memoryKv() }, channels: { hook: webhook({ url: `${receiverUrl}/hook`, retries: 0 }) } });
  const handler = tailWorker({
    exporter: exporters.http({ url: collector.nativeUrl, retries: 0 }),
    errors: { rules: [{ name: 'TypeError', severity: 'CRITICAL', category: 'orders' }] },
    alerts,
  });
  await tail(handler, threw);
  await tail(handler, threw);
  assert.equal(received.length, 1, JSON.stringify(received));
  const [{ alert }] = received;
  assert.equal(alert.severity, 'CRITICAL');
  assert.equal(alert.fingerprint, collector.spans[0].attributes['error.fingerprint']);
  assert.equal(collector.spans.length, 2);
  const counted = collector.metrics.filter((m) => m.name === 'errors').reduce((sum, m) => sum + m.value, 0);
  assert.equal(counted, 2);
  const stats = alerts.stats();
  assert.deepEqual([stats.records, stats.sent.hook, stats.suppressed.hook], [2, 1, 1]);
});

test('a service evicted while a concurrent tail() call still settles its alerts keeps that call\'s errors counter', async () => {
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  const alerts = createAlerts({ service: 'shop-api', state: { store: 'kv', namespace: memoryKv(gate) }, channels: { hook: webhook({ url: `${receiverUrl}/hook`, retries: 0 }) } });
  const handler = tailWorker({
    exporter: exporters.http({ url: collector.nativeUrl, retries: 0 }),
    errors: { rules: [{ name: 'TypeError', severity: 'CRITICAL', category: 'orders' }] },
    maxServices: 1,
    alerts,
  });
  const rpc = JSON.parse(readFileSync(new URL('../fixtures/tail/rpc.json', import.meta.url), 'utf8'));
  const pending = [];
  const ctx = { waitUntil: (p) => pending.push(p) };
  const first = handler.tail(threw, {}, ctx); // shop-api: its settle waits for the alert state
  const warned = [];
  const warn = console.warn;
  console.warn = (line) => warned.push(line);
  let second;
  try {
    second = handler.tail(rpc, {}, ctx); // accounts: evicts shop-api meanwhile
  } finally {
    console.warn = warn;
  }
  await second; // everything the second call does, eviction included, ends before the state answers
  open();
  await Promise.all([first, ...pending]);
  assert.equal(warned.filter((l) => l.includes('maxServices')).length, 1);
  assert.deepEqual(collector.spans.map((s) => s.service).sort(), ['accounts', 'shop-api']);
  const errors = collector.metrics.filter((m) => m.name === 'errors');
  assert.deepEqual(errors.map((m) => [m.service, m.value]), [['shop-api', 1]]);
});
