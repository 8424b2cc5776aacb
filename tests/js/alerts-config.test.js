// createAlerts() checks everything up front and names the bad field; the default routing; the
// de-duplication op refuses malformed requests before touching storage; instrument config takes
// only a createAlerts() result.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { createAlerts, email, isAlerts, pagerDuty, slack, webhook } from '../../js/entry/alerts-node.js';
import { alertTable } from '../../js/storage/alert-table.js';
import { missingFeatureError, STATE_FEATURES } from '../../js/storage/state-features.js';
import { validateConfig } from '../../js/config.js';

const KEY = '0123456789abcdef0123456789abcdef';
const namespace = { idFromName: (name) => name, get: () => ({ request: async () => ({ at: 0, items: [] }) }) };
const state = { store: 'durable-object', namespace };
const channels = () => ({
  pager: pagerDuty({ routingKey: KEY }),
  chat: slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/X' }),
  hook: webhook({ url: 'https://hooks.example.com/a' }),
  mail: email({ binding: { send() {} }, from: 'a@example.com', to: 'b@example.com' }),
});
const valid = (over = {}) => ({ service: 'checkout', state, channels: channels(), ...over });

test('by default CRITICAL goes to every channel, WARNING to Slack and webhooks, INFO to none', () => {
  const { routes, cooldownMs } = createAlerts(valid()).config;
  assert.deepEqual(routes, { CRITICAL: ['pager', 'chat', 'hook', 'mail'], WARNING: ['chat', 'hook'], INFO: [] });
  assert.equal(cooldownMs, 3_600_000);
});

test('routes given are used for the severities they name, the others keep the default', () => {
  const { routes } = createAlerts(valid({ routes: { WARNING: ['chat'], INFO: ['hook'] } })).config;
  assert.deepEqual(routes, { CRITICAL: ['pager', 'chat', 'hook', 'mail'], WARNING: ['chat'], INFO: ['hook'] });
});

test('every bad option is refused with an error naming the field', () => {
  const cases = [
    [{ service: '' }, /`alerts.service`/],
    [{ channels: {} }, /`alerts.channels`/],
    [{ channels: { 'has space': slack({ webhookUrl: 'https://x.example/h' }) } }, /`alerts.channels.has space`/],
    [{ channels: { chat: { kind: 'slack' } } }, /`alerts.channels.chat`/],
    [{ routes: { FATAL: [] } }, /`alerts.routes.FATAL`/],
    [{ routes: { CRITICAL: ['pager', 'sms'] } }, /`alerts.routes.CRITICAL\[1\]`/],
    [{ cooldownMs: 10 }, /`alerts.cooldownMs`/],
    [{ traceLink: 'https://ui.example.com/trace' }, /`alerts.traceLink`/],
    [{ traceLink: 'ftp://ui/{traceId}' }, /`alerts.traceLink`/],
    [{ state: { store: 'redis', namespace } }, /`alerts.state.store`/],
    [{ state: { store: 'kv', namespace } }, /`alerts.state.namespace`/],
    [{ state: { store: 'kv', namespace: { get() {}, put() {} }, name: 'x' } }, /`alerts.state.name`/],
    [{ state: { store: 'durable-object' } }, /`alerts.state.namespace`/],
    [{ deadlineMs: 60_000 }, /`alerts.deadlineMs`/],
    [{ version: 42 }, /`alerts.version`/],
    [{ cooldown: 5 }, /`alerts.cooldown`/],
  ];
  for (const [over, pattern] of cases) assert.throws(() => createAlerts(valid(over)), pattern, JSON.stringify(Object.keys(over)));
});

test('channel factories refuse bad options, naming the factory and the field', () => {
  assert.throws(() => slack({ webhookUrl: 'hooks.slack.com/x' }), /slack\(\{ webhookUrl \}\)/);
  assert.throws(() => slack({ webhookUrl: 'https://user:pw@hooks.slack.com/x' }), /slack\(\{ webhookUrl \}\)/);
  assert.throws(() => pagerDuty({ routingKey: 'short' }), /pagerDuty\(\{ routingKey \}\)/);
  assert.throws(() => pagerDuty({ routingKey: KEY, severity: 'x' }), /pagerDuty\(\{ severity \}\)/);
  assert.throws(() => webhook({ url: 'https://x.example/h', secret: 'short' }), /webhook\(\{ secret \}\)/);
  assert.throws(() => webhook({ url: 'https://x.example/h', headers: { 'bad header': 'v' } }), /webhook\(\{ headers.bad header \}\)/);
  assert.throws(() => slack({ webhookUrl: 'https://x.example/h', retries: 99 }), /slack\(\{ retries \}\)/);
});

test('the instrument config takes a createAlerts() result under `alerts` and nothing else', () => {
  const exporter = { send() {}, format: 'native' };
  const alerts = createAlerts(valid());
  assert.ok(isAlerts(alerts));
  assert.equal(validateConfig({ service: 's', exporter, alerts }).alerts, alerts);
  assert.equal(validateConfig({ service: 's', exporter }).alerts, null);
  assert.throws(() => validateConfig({ service: 's', exporter, alerts: { channels: {} } }), /`alerts` must be the result of createAlerts/);
});

test('importing edgescope/alerts registers the `alerts` feature of EdgescopeState', () => {
  assert.equal(STATE_FEATURES.alerts, alertTable);
  assert.equal(missingFeatureError('alerts'), null);
});

test('the de-duplication op refuses a malformed request before touching storage, naming the field', () => {
  const parse = (args) => alertTable.ops.note.parse(args);
  const item = { fingerprint: 'f', count: 1, windowMs: 0, channels: ['chat'], escalated: null };
  assert.deepEqual(parse({ cooldownMs: 1000, items: [item] }).items[0], item);
  const cases = [
    [{ cooldownMs: 0, items: [item] }, /args.cooldownMs/],
    [{ cooldownMs: 1000, items: [] }, /args.items/],
    [{ cooldownMs: 1000, items: [item, item] }, /twice/],
    [{ cooldownMs: 1000, items: [{ ...item, fingerprint: 'x'.repeat(300) }] }, /args.items\[0\].fingerprint/],
    [{ cooldownMs: 1000, items: [{ ...item, count: 0 }] }, /args.items\[0\].count/],
    [{ cooldownMs: 1000, items: [{ ...item, channels: [''] }] }, /args.items\[0\].channels\[0\]/],
    [{ cooldownMs: 1000, items: [{ ...item, escalated: { atLeast: 3, channels: ['pager'] } }] }, /needs a windowMs/],
    [{ cooldownMs: 1000, items: [{ ...item, extra: 1 }] }, /unknown field "extra"/],
    [{ cooldownMs: 1000, items: Array.from({ length: 101 }, (_, i) => ({ ...item, fingerprint: `f${i}` })) }, /args.items/],
  ];
  for (const [args, pattern] of cases) assert.throws(() => parse(args), pattern);
  const release = (args) => alertTable.ops.release.parse(args);
  const send = { fingerprint: 'f', channel: 'chat', at: 5, count: 2 };
  assert.deepEqual(release({ items: [send] }), { items: [send], resolved: [] });
  assert.deepEqual(release({ resolved: ['f', 'f'] }), { items: [], resolved: ['f'] });
  for (const [args, pattern] of [
    [{}, /names no send \(items\) and no fingerprint \(resolved\)/],
    [{ resolved: [''] }, /args.resolved\[0\]/],
    [{ resolved: 'f' }, /args.resolved must be an array/],
    [{ resolved: ['x'.repeat(300)] }, /args.resolved\[0\]/],
    [{ items: [{ ...send, at: 0 }] }, /args.items\[0\].at/],
    [{ resolved: ['f'], extra: 1 }, /unknown field "extra"/],
  ]) assert.throws(() => release(args), pattern);
});

test('the cooldown rule: the first occurrence sends, the rest add to the suppressed count, which the next send after the cooldown carries and resets', async () => {
  const { decideSend, bucketOf, inWindow } = await import('../../js/storage/alert-rules.js');
  let row = null;
  const decisions = [];
  for (const [t, count] of [[0, 1], [10, 3], [999, 2], [1000, 1], [1500, 1]]) {
    const d = decideSend(row, count, 1000, 10_000 + t);
    decisions.push([d.send, d.suppressed]);
    row = d.row;
  }
  assert.deepEqual(decisions, [[true, 0], [false, 3], [false, 5], [true, 5], [false, 1]]);
  // 60 s windows in 3 s buckets: a bucket counts while it started inside the window.
  assert.equal(bucketOf(61_234, 60_000), 60_000);
  assert.equal(inWindow(60_000, 119_999, 60_000), true);
  assert.equal(inWindow(60_000, 120_000, 60_000), false);
});

// Two isolates' alerts sharing one KV namespace (an in-memory stand-in with KV's get/put), posting
// PagerDuty events to a loopback receiver.
function memoryKv() {
  const data = new Map();
  return {
    async get(key) {
      return data.has(key) ? data.get(key) : null;
    },
    async put(key, value) {
      data.set(key, value);
    },
  };
}

const dbRecord = () => ({
  fingerprint: '0123456789abcdef',
  severity: 'CRITICAL',
  category: 'database',
  type: 'D1_ERROR',
  message: 'D1_ERROR: no such table: orders',
  normalizedMessage: 'D1_ERROR: no such table: orders',
  stack: null,
  status: null,
  route: '/orders',
  spanName: 'GET /orders',
  traceId: null,
  spanId: null,
  source: 'exception',
  repeated: null,
  time: Date.now(),
});

test('an error that recurs after alerts.resolve() pages again inside the cooldown (a new incident), once, carrying what was held back before the resolve', async () => {
  const events = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const kv = memoryKv();
    const isolate = () =>
      createAlerts({
        service: 'checkout',
        state: { store: 'kv', namespace: kv },
        channels: { oncall: pagerDuty({ routingKey: KEY, url: `http://127.0.0.1:${server.address().port}/v2/enqueue` }) },
      });
    const [a, b] = [isolate(), isolate()];
    const actions = () => events.map((e) => e.event_action);
    await a.run([dbRecord()]);
    await b.run([dbRecord()]);
    assert.deepEqual(actions(), ['trigger'], 'before the resolve: once for the fleet, the second held back');
    assert.equal(b.stats().suppressed.oncall, 1);
    // The on-call fixes it and resolves the incident; resolving twice changes nothing more.
    assert.equal((await a.resolve('0123456789abcdef')).oncall.ok, true);
    assert.equal((await a.resolve('0123456789abcdef')).oncall.ok, true);
    assert.deepEqual(actions(), ['trigger', 'resolve', 'resolve']);
    // The error is back, well inside the hour's cooldown, in the other isolate.
    await b.run([dbRecord()]);
    assert.deepEqual(actions(), ['trigger', 'resolve', 'resolve', 'trigger'], `the recurrence sent nothing; stats ${JSON.stringify(b.stats())}`);
    const retrigger = events.at(-1);
    assert.equal(retrigger.dedup_key, events[0].dedup_key, 'the same dedup_key: PagerDuty opens a new incident for it, the last one being resolved');
    assert.equal(retrigger.payload.custom_details.suppressed_since_last_alert, 1, 'the occurrence held back before the resolve');
    // The new incident has its own cooldown: the next occurrences are held back again.
    await a.run([dbRecord()]);
    await b.run([dbRecord()]);
    assert.equal(actions().length, 4);
    assert.deepEqual([a.stats().sent.oncall, b.stats().sent.oncall], [1, 1]);
    assert.equal(a.stats().suppressed.oncall + b.stats().suppressed.oncall, 3);
    assert.equal(a.stats().stateFailures + b.stats().stateFailures, 0);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('alerts.resolve() releases the cooldown of every channel, not only PagerDuty, and a store that fails the release is counted', async () => {
  const kv = memoryKv();
  const delivered = [];
  const chat = slack({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/X' });
  const alerts = createAlerts({ service: 'checkout', state: { store: 'kv', namespace: kv }, channels: { chat: { ...chat, deliver: async (alert) => (delivered.push(alert), { ok: true, status: 200 }) } } });
  await alerts.run([dbRecord()]);
  await alerts.run([dbRecord()]);
  assert.equal(delivered.length, 1);
  assert.deepEqual(await alerts.resolve('0123456789abcdef'), {}, 'no PagerDuty channel to post a resolve to');
  await alerts.run([dbRecord()]);
  assert.equal(delivered.length, 2, 'the recurrence after the resolve alerts on Slack too');
  assert.equal(delivered[1].suppressed, 1);
  // KV refusing the write (429 past one write per second per key): counted and logged, not thrown.
  const refusing = { get: kv.get, put: async () => { throw new Error('KV PUT failed: 429 Too Many Requests'); } };
  const failing = createAlerts({ service: 'checkout', state: { store: 'kv', namespace: refusing }, channels: { chat: { ...chat, deliver: async () => ({ ok: true, status: 200 }) } } });
  const logged = [];
  const warn = console.warn;
  const error = console.error;
  console.warn = console.error = (...args) => logged.push(args.join(' '));
  try {
    assert.deepEqual(await failing.resolve('0123456789abcdef'), {});
  } finally {
    console.warn = warn;
    console.error = error;
  }
  assert.equal(failing.stats().stateFailures, 1);
  assert.ok(logged.some((l) => l.includes('could not be released') && l.includes('429')), logged.join('\n'));
});
