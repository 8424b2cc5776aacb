// The collector's `retention` configuration: periods per table, defaults for the rest, and a bad
// entry refused at load naming the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
