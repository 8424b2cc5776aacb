// The collector's `slos` and `alerting` configuration: defaults filled in, and every bad field
// refused when the Worker loads with an EdgescopeConfigError naming it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webhook, slack, pagerDuty } from '../../js/alerts/index.js';
import { EdgescopeConfigError } from '../../js/config.js';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { channelsFor } from '../../js/collector/slo/notify.js';

const tokens = [{ name: 'current', token: 'secret-token-0123456789' }];
const availability = { name: 'checkout-availability', service: 'checkout', kind: 'availability', objective: 0.999 };
const latency = { name: 'cart-latency', service: 'checkout', kind: 'latency', objective: 0.99, thresholdMs: 300, route: '/cart', windowDays: 7 };
const hook = webhook({ url: 'https://hooks.example.com/slo' });
const chat = slack({ webhookUrl: 'https://hooks.slack.com/services/T/B/X' });
const pager = pagerDuty({ routingKey: '0123456789abcdef0123456789abcdef' });

test('SLOs come back with their defaults: a 30-day window, no route, a threshold only for latency', () => {
  const settings = validateCollectorConfig({ tokens, slos: [availability, latency] });
  assert.deepEqual(settings.slos, [
    { name: 'checkout-availability', service: 'checkout', kind: 'availability', objective: 0.999, windowDays: 30, route: null, thresholdMs: null },
    { name: 'cart-latency', service: 'checkout', kind: 'latency', objective: 0.99, windowDays: 7, route: '/cart', thresholdMs: 300 },
  ]);
  assert.equal(settings.alerting, null);
  assert.deepEqual(validateCollectorConfig({ tokens }).slos, []);
});

test('a bad SLO definition is refused naming the field', () => {
  const cases = [
    [{ ...availability, objective: 1 }, 'collector.slos[0].objective'],
    [{ ...availability, objective: '0.999' }, 'collector.slos[0].objective'],
    [{ ...availability, kind: 'errors' }, 'collector.slos[0].kind'],
    [{ ...availability, name: 'has space' }, 'collector.slos[0].name'],
    [{ ...availability, service: '' }, 'collector.slos[0].service'],
    [{ ...availability, windowDays: 2 }, 'collector.slos[0].windowDays'],
    [{ ...availability, windowDays: 7.5 }, 'collector.slos[0].windowDays'],
    [{ ...availability, thresholdMs: 100 }, 'collector.slos[0].thresholdMs'],
    [{ ...latency, thresholdMs: undefined }, 'collector.slos[0].thresholdMs'],
    [{ ...latency, thresholdMs: -5 }, 'collector.slos[0].thresholdMs'],
    [{ ...availability, route: 7 }, 'collector.slos[0].route'],
    [{ ...availability, objectve: 0.9 }, 'collector.slos[0].objectve'],
    ['availability', 'collector.slos[0]'],
  ];
  for (const [slo, field] of cases) {
    assert.throws(() => validateCollectorConfig({ tokens, slos: [slo] }), (e) => e instanceof EdgescopeConfigError && e.field === field, `${JSON.stringify(slo)} -> ${field}`);
  }
  assert.throws(() => validateCollectorConfig({ tokens, slos: [availability, availability] }), (e) => e.field === 'collector.slos[1].name');
  assert.throws(() => validateCollectorConfig({ tokens, slos: availability }), (e) => e.field === 'collector.slos');
});

test('alerting: channels from edgescope/alerts, routes page and ticket with the defaults of CRITICAL and WARNING', () => {
  const settings = validateCollectorConfig({ tokens, slos: [availability], alerting: { channels: { oncall: pager, team: chat, audit: hook } } });
  assert.equal(settings.alerting.renotifyMs, 60 * 60_000);
  assert.equal(settings.alerting.deadlineMs, 10_000);
  // Pages go everywhere; tickets skip PagerDuty.
  assert.deepEqual(channelsFor(settings.alerting, {}).routes, { page: ['oncall', 'team', 'audit'], ticket: ['team', 'audit'] });
  const routed = validateCollectorConfig({ tokens, alerting: { channels: { oncall: pager, team: chat }, routes: { ticket: ['team'], page: ['oncall'] }, renotifyMinutes: null } });
  assert.deepEqual(channelsFor(routed.alerting, {}).routes, { page: ['oncall'], ticket: ['team'] });
  assert.equal(routed.alerting.renotifyMs, null);
});

test('channels as a function of env are built and checked at each evaluation', () => {
  const settings = validateCollectorConfig({ tokens, alerting: { channels: (env) => ({ audit: webhook({ url: env.HOOK_URL }) }) } });
  assert.deepEqual(channelsFor(settings.alerting, { HOOK_URL: 'https://hooks.example.com/a' }).routes, { page: ['audit'], ticket: ['audit'] });
  assert.throws(() => channelsFor(settings.alerting, {}), (e) => e instanceof EdgescopeConfigError && e.field === 'webhook({ url })');
  const bad = validateCollectorConfig({ tokens, alerting: { channels: () => ({ x: { kind: 'carrier-pigeon' } }) } });
  assert.throws(() => channelsFor(bad.alerting, {}), (e) => e.field === 'collector.alerting.channels(env).x');
});

test('bad alerting configuration is refused naming the field', () => {
  const cases = [
    [{}, 'collector.alerting.channels'],
    [{ channels: {} }, 'collector.alerting.channels'],
    [{ channels: { team: { kind: 'slack' } } }, 'collector.alerting.channels.team'],
    [{ channels: { 'bad name': hook } }, 'collector.alerting.channels.bad name'],
    [{ channels: { team: chat }, routes: { page: ['pager'] } }, 'collector.alerting.routes.page'],
    [{ channels: { team: chat }, routes: { CRITICAL: ['team'] } }, 'collector.alerting.routes.CRITICAL'],
    [{ channels: { team: chat }, routes: { page: 'team' } }, 'collector.alerting.routes.page'],
    [{ channels: { team: chat }, renotifyMinutes: 1 }, 'collector.alerting.renotifyMinutes'],
    [{ channels: { team: chat }, deadlineMs: 60_000 }, 'collector.alerting.deadlineMs'],
    [{ channels: { team: chat }, maxSubrequests: 0 }, 'collector.alerting.maxSubrequests'],
    [{ channels: { team: chat }, cooldownMs: 1000 }, 'collector.alerting.cooldownMs'],
    [[], 'collector.alerting'],
  ];
  for (const [alerting, field] of cases) {
    assert.throws(() => validateCollectorConfig({ tokens, alerting }), (e) => e instanceof EdgescopeConfigError && e.field === field, `${field}`);
  }
});
