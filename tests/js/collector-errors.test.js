// Errors by fingerprint from a decoded payload (js/collector/storage/errors.js): one occurrence
// per fingerprint per trace, described by the exception event, counted per fingerprint and per
// minute with the latest occurrence's trace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorOccurrences, errorRows, errorStatements, higherSeverity } from '../../js/collector/storage/errors.js';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const trace = (n) => String(n).padStart(32, '0');
const span = (over) => ({
  traceId: trace(1),
  spanId: '1'.repeat(16),
  parentSpanId: null,
  name: 'GET /cart',
  service: undefined,
  startTime: T0,
  endTime: T0 + 10,
  status: 'error',
  statusMessage: 'boom',
  attributes: {},
  events: [],
  ...over,
});
const failed = (fingerprint, traceN, time, extra = {}) =>
  span({
    traceId: trace(traceN),
    endTime: time,
    attributes: { 'error.fingerprint': fingerprint, 'error.severity': 'WARNING', 'error.category': 'app', 'http.route': '/cart', ...extra },
    events: [{ name: 'exception', time: time - 1, attributes: { 'exception.type': 'TypeError', 'exception.message': `x is undefined (${traceN})`, 'error.fingerprint': fingerprint } }],
  });

test('a span with error.fingerprint is one occurrence described by its exception event', () => {
  const [o, ...rest] = errorOccurrences({ service: 'shop', spans: [failed('fp1', 1, T0 + 5000)], logs: [] });
  assert.equal(rest.length, 0);
  assert.deepEqual(o, { service: 'shop', fingerprint: 'fp1', severity: 'WARNING', category: 'app', type: 'TypeError', message: 'x is undefined (1)', route: '/cart', time: T0 + 4999, traceId: trace(1) });
});

test('spans without a fingerprint, and logs without one, add nothing', () => {
  const payload = { service: 'shop', spans: [span({})], logs: [{ level: 'error', message: 'plain', attributes: {}, time: T0, service: 'shop' }] };
  assert.deepEqual(errorOccurrences(payload), []);
  assert.deepEqual(errorStatements(payload), []);
});

test('a child and its root recording one error, and the error log of that trace, are one occurrence', () => {
  const child = failed('fp1', 7, T0 + 100, { 'http.route': undefined });
  delete child.attributes['http.route'];
  const root = span({ traceId: trace(7), spanId: '2'.repeat(16), endTime: T0 + 200, attributes: { 'error.fingerprint': 'fp1', 'error.severity': 'CRITICAL', 'http.route': '/cart' } });
  const log = { level: 'error', message: 'failed', attributes: { 'error.fingerprint': 'fp1' }, error: { name: 'TypeError', message: 'x' }, traceId: trace(7), time: T0 + 150, service: 'shop' };
  const all = errorOccurrences({ service: 'shop', spans: [child, root], logs: [log] });
  assert.equal(all.length, 1);
  // The first record describes; the others fill gaps (route from the root) and escalate severity.
  assert.deepEqual({ ...all[0] }, { service: 'shop', fingerprint: 'fp1', severity: 'CRITICAL', category: 'app', type: 'TypeError', message: 'x is undefined (7)', route: '/cart', time: T0 + 99, traceId: trace(7) });
});

test('logs carrying a fingerprint outside any trace count one each, dated `now` when they have no time', () => {
  const log = (time) => ({ level: 'error', message: 'disk full', attributes: { 'error.fingerprint': 'fpL', 'error.severity': 'INFO' }, error: null, traceId: null, time, service: 'jobs' });
  const now = T0 + 3 * 60_000 + 5;
  const all = errorOccurrences({ service: 'jobs', spans: [], logs: [log(T0), log(undefined)] }, now);
  assert.deepEqual(all.map((o) => [o.time, o.message, o.type]), [[T0, 'disk full', null], [now, 'disk full', null]]);
  const { errors, minutes } = errorRows(all);
  assert.deepEqual(errors.map((r) => [r.count, r.firstSeen, r.lastSeen]), [[2, T0, now]]);
  assert.deepEqual(minutes.map((m) => [m.bucket, m.count]), [[T0, 1], [T0 + 3 * 60_000, 1]]);
});

test('occurrences sum per fingerprint and per minute; the latest one gives the trace and description', () => {
  const spans = [failed('fp1', 1, T0 + 70_000), failed('fp1', 2, T0 + 10_000), failed('fp1', 3, T0 + 65_000), failed('fp2', 4, T0 + 5)];
  const { errors, minutes } = errorRows(errorOccurrences({ service: 'shop', spans, logs: [] }));
  const fp1 = errors.find((r) => r.fingerprint === 'fp1');
  assert.equal(fp1.count, 3);
  assert.equal(fp1.firstSeen, T0 + 9_999);
  assert.equal(fp1.lastSeen, T0 + 69_999);
  assert.equal(fp1.lastTraceId, trace(1));
  assert.equal(fp1.message, 'x is undefined (1)');
  assert.deepEqual(
    minutes.map((m) => [m.fingerprint, m.bucket - T0, m.count]).sort(),
    [['fp1', 0, 1], ['fp1', 60_000, 2], ['fp2', 0, 1]].sort(),
  );
  // One upsert per fingerprint and one per (fingerprint, minute), with the counts as parameters.
  const statements = errorStatements({ service: 'shop', spans, logs: [] });
  assert.equal(statements.length, 2 + 3);
  assert.ok(statements.slice(0, 2).every((s) => /^INSERT INTO errors .* ON CONFLICT \(service, fingerprint\) DO UPDATE/.test(s.sql)));
});

test('severity order: CRITICAL over WARNING over INFO over unknown labels', () => {
  assert.equal(higherSeverity('INFO', 'CRITICAL'), 'CRITICAL');
  assert.equal(higherSeverity('WARNING', 'INFO'), 'WARNING');
  assert.equal(higherSeverity(null, 'INFO'), 'INFO');
  assert.equal(higherSeverity('custom', 'INFO'), 'INFO');
  assert.equal(higherSeverity('WARNING', null), 'WARNING');
});
