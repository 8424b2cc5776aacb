// The SLO burn-rate arithmetic against hand-computed cases (Google SRE Workbook, "Alerting on
// SLOs", multiwindow multi-burn-rate): a synthetic request stream, minute by minute, summed over
// each window exactly as the evaluation sums minute rollups, then judged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assess, BURN_WINDOWS, burnRate, decide, errorBudgetRemaining, compliance, DAY, MINUTE } from '../../js/collector/slo/burn-rate.js';

const OBJECTIVE = 0.999;
const MINUTES_30D = 30 * 24 * 60;

// minutes: newest last, [{ total, bad }] per minute, the last one just before `now`.
function windowCounts(minutes, windowDays = 30) {
  const sum = (n) => {
    const slice = minutes.slice(Math.max(0, minutes.length - n));
    const total = slice.reduce((a, m) => a + m.total, 0);
    const bad = slice.reduce((a, m) => a + m.bad, 0);
    return { good: total - bad, total };
  };
  const out = {};
  for (const [name, ms] of Object.entries(BURN_WINDOWS)) out[name] = sum(ms / MINUTE);
  out.compliance = sum((windowDays * DAY) / MINUTE);
  return out;
}

const steady = (n, total, bad = 0) => Array.from({ length: n }, () => ({ total, bad }));
const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

test('burning 2% of a 30-day budget in one hour is a burn rate of 14.4 and pages on the 1h/5m rule', () => {
  // 1,000 requests a minute for 30 days: the budget at 99.9% is 43,200 bad requests. 2% of it is
  // 864 bad requests, spread over the last hour: 14.4 a minute (1.44% of the hour's 60,000).
  const minutes = [...steady(MINUTES_30D - 60, 1000), ...steady(60, 1000, 14.4)];
  const r = assess(windowCounts(minutes), OBJECTIVE);
  close(r.burnRates['1h'], 14.4, '1h burn');
  close(r.burnRates['5m'], 14.4, '5m burn');
  close(r.burnRates['6h'], 2.4, '6h burn: 864 bad of 360,000'); // below the 6h/30m rule's 6
  close(r.burnRates['3d'], 0.2, '3d burn: 864 bad of 4,320,000'); // below the ticket's 1
  assert.deepEqual(r.page, { severity: 'page', long: '1h', short: '5m', burnRate: 14.4 });
  assert.equal(r.ticket, null);
  assert.equal(r.status, 'page');
  close(r.errorBudgetRemaining, 0.98, 'budget left: 1 - 864/43,200');
  close(r.compliance, 1 - 864 / 43_200_000, 'compliance');
  assert.equal(r.total, 43_200_000);
});

test('144 bad of 10,000 at 99.9% is exactly the page threshold; 143 is not', () => {
  // 1 - 0.999 is not exactly 0.001 in floating point; the threshold still holds at equality.
  const at = (bad) => decide({ '5m': burnRate({ good: 10000 - bad, total: 10000 }, OBJECTIVE), '30m': 0, '1h': burnRate({ good: 10000 - bad, total: 10000 }, OBJECTIVE), '6h': 0, '3d': 0 });
  assert.equal(at(144).status, 'page');
  assert.equal(at(143).status, 'ok');
});

test('a slow burn (1.5x for three days) opens a ticket, not a page', () => {
  // 0.15% errors: burn rate 1.5 in every window; 3d and 6h >= 1 (ticket), 6h < 6 and 1h < 14.4.
  const minutes = [...steady(MINUTES_30D - 3 * 1440, 1000), ...steady(3 * 1440, 1000, 1.5)];
  const r = assess(windowCounts(minutes), OBJECTIVE);
  for (const w of Object.keys(BURN_WINDOWS)) close(r.burnRates[w], 1.5, `${w} burn`);
  assert.equal(r.page, null);
  assert.deepEqual(r.ticket, { severity: 'ticket', long: '3d', short: '6h', burnRate: 1 });
  assert.equal(r.status, 'ticket');
  // 6,480 bad of a 43,200 budget: 15% spent.
  close(r.errorBudgetRemaining, 0.85, 'budget left');
});

test('six hours at 6x pages on the 6h/30m rule although the 1h burn is below 14.4', () => {
  const minutes = [...steady(MINUTES_30D - 360, 1000), ...steady(360, 1000, 6)];
  const r = assess(windowCounts(minutes), OBJECTIVE);
  close(r.burnRates['1h'], 6, '1h burn');
  assert.deepEqual(r.page, { severity: 'page', long: '6h', short: '30m', burnRate: 6 });
});

test('a burst that has stopped, or one too short to matter, does not page', () => {
  // The fast burn above, then five clean minutes: the 5m window says it is over.
  const recovered = [...steady(MINUTES_30D - 65, 1000), ...steady(60, 1000, 14.4), ...steady(5, 1000)];
  const r = assess(windowCounts(recovered), OBJECTIVE);
  assert.ok(r.burnRates['1h'] >= 14.4 * (55 / 60) - 1e-9);
  assert.equal(r.burnRates['5m'], 0);
  assert.equal(r.status, 'ok');
  // 100 errors in five minutes: 5m burn 20, 1h burn 100/60,000/0.001 = 1.67. No page.
  const burst = [...steady(MINUTES_30D - 5, 1000), ...steady(5, 1000, 20)];
  const b = assess(windowCounts(burst), OBJECTIVE);
  close(b.burnRates['5m'], 20, '5m burn');
  close(b.burnRates['1h'], 100 / 60 / 1000 / (1 - OBJECTIVE), '1h burn');
  assert.equal(b.status, 'ok');
});

test('no traffic: no alert, compliance null (nothing to judge), the whole budget left', () => {
  const r = assess(windowCounts(steady(MINUTES_30D, 0)), OBJECTIVE);
  assert.deepEqual(r.burnRates, { '5m': 0, '30m': 0, '1h': 0, '6h': 0, '3d': 0 });
  assert.equal(r.status, 'ok');
  assert.equal(r.compliance, null);
  assert.equal(r.errorBudgetRemaining, 1);
  assert.equal(compliance({ good: 0, total: 0 }), null);
});

test('an overspent budget reports a negative remainder', () => {
  // 86,400 bad of a 43,200 budget: spent twice over.
  close(errorBudgetRemaining({ good: 43_200_000 - 86_400, total: 43_200_000 }, OBJECTIVE), -1, 'remaining');
});
