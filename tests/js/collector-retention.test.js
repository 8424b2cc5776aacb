// The collector's `retention` configuration: periods per table, defaults for the rest, and a bad
// entry refused at load naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, typeErrors } from './typecheck.js';
import { EdgescopeConfigError } from '../../js/config.js';
import { validateCollectorConfig } from '../../js/collector/config.js';
import { DEFAULT_RETENTION } from '../../js/collector/storage/retention.js';

const tokens = [{ name: 'a', token: 'secret-token-0123' }];
const DAY = 86_400_000;

test('without `retention` every table gets its default period', () => {
  const { retention } = validateCollectorConfig({ tokens });
  assert.deepEqual({ ...retention }, {
    spans: 7 * DAY,
    logs: 7 * DAY,
    metricPoints: 2 * DAY,
    rollupsMinute: 8 * DAY,
    rollupsHour: 90 * DAY,
    errorMinutes: 31 * DAY,
    errors: 90 * DAY,
    alerts: 90 * DAY,
  });
  assert.equal(retention, DEFAULT_RETENTION);
});

test('periods in minutes, hours or days replace the defaults of the tables they name', () => {
  const { retention } = validateCollectorConfig({ tokens, retention: { spans: '36h', metricPoints: '90m', rollupsHour: '400d' } });
  assert.equal(retention.spans, 36 * 3_600_000);
  assert.equal(retention.metricPoints, 90 * 60_000);
  assert.equal(retention.rollupsHour, 400 * DAY);
  assert.equal(retention.logs, 7 * DAY);
});

for (const [what, retention, path] of [
  ['an unknown table', { traces: '7d' }, 'collector.retention.traces'],
  ['a number instead of a period', { spans: 7 }, 'collector.retention.spans'],
  ['a zero period', { logs: '0d' }, 'collector.retention.logs'],
  ['an unknown unit', { logs: '2w' }, 'collector.retention.logs'],
  ['a fraction', { logs: '1.5d' }, 'collector.retention.logs'],
  ['an array', ['7d'], 'collector.retention'],
  ['null', null, 'collector.retention'],
]) {
  test(`retention with ${what} is refused naming ${path}`, () => {
    assert.throws(() => validateCollectorConfig({ tokens, retention }), (e) => e instanceof EdgescopeConfigError && e.message.includes(path));
  });
}

test('the retention configuration type-checks with periods and refuses a bare number or an unknown table', () => {
  const compiles = (source) => typeErrors(`import { createCollector } from '${ROOT}js/collector/index.js';\n${source}`) === null;
  assert.equal(compiles(`export default createCollector({ tokens: [{ name: 'a', token: 'x' }], retention: { spans: '3d', metricPoints: '36h', alerts: '90d' } });`), true);
  assert.equal(compiles(`createCollector({ tokens: [{ name: 'a', token: 'x' }], retention: { spans: 3 } });`), false);
  assert.equal(compiles(`createCollector({ tokens: [{ name: 'a', token: 'x' }], retention: { traces: '3d' } });`), false);
});

// The error a configuration gets, or null.
function refusal(config) {
  try {
    validateCollectorConfig({ tokens, ...config });
    return null;
  } catch (e) {
    assert.ok(e instanceof EdgescopeConfigError, String(e));
    return e.message;
  }
}

test('minute rollups kept less than 25 hours are refused: 24-hour windows and SLO burn windows read them', () => {
  assert.match(refusal({ retention: { rollupsMinute: '24h' } }), /collector\.retention\.rollupsMinute.*at least '25h'/);
  assert.equal(refusal({ retention: { rollupsMinute: '25h' } }), null);
});

test('hour rollups kept less than the longest SLO window plus a day are refused, naming the field and the days needed', () => {
  const slos = [
    { name: 'a', service: 'shop', kind: 'availability', objective: 0.99, windowDays: 7 },
    { name: 'b', service: 'shop', kind: 'availability', objective: 0.999, windowDays: 28 },
  ];
  assert.match(refusal({ slos, retention: { rollupsHour: '28d' } }), /collector\.retention\.rollupsHour.*at least '29d'/);
  assert.equal(refusal({ slos, retention: { rollupsHour: '29d' } }), null);
  // Without SLOs the 3-day burn window is the longest hour-rollup reader the collector has.
  assert.match(refusal({ retention: { rollupsHour: '3d' } }), /collector\.retention\.rollupsHour.*at least '4d'/);
});

test('the rollup budget takes positive integers for its known keys and refuses anything else naming it', () => {
  const { rollup } = validateCollectorConfig({ tokens, rollup: { maxPointsPerRun: 250_000, maxRunMs: 10_000 } });
  assert.equal(rollup.maxPointsPerRun, 250_000);
  assert.equal(rollup.maxRunMs, 10_000);
  assert.equal(rollup.pointsPerStep, 5000, 'defaults for the rest');
  assert.match(refusal({ rollup: { maxPointsPerRun: 0 } }), /collector\.rollup\.maxPointsPerRun.*a positive integer/);
  assert.match(refusal({ rollup: { maxPoints: 10 } }), /collector\.rollup\.maxPoints.*known keys: pointsPerStep/);
  assert.match(refusal({ rollup: { maxQueriesPerRun: 5 } }), /collector\.rollup\.maxQueriesPerRun.*at least 10/);
  assert.match(refusal({ rollup: 'fast' }), /collector\.rollup\b/);
});
