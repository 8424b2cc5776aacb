// createAlerts() checks everything up front and names the bad field; the default routing; the
// de-duplication op refuses malformed requests before touching storage; instrument config takes
// only a createAlerts() result.
import assert from 'node:assert/strict';
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
