// Retry-After (RFC 9110 section 10.2.3) as delay-seconds and as an HTTP-date; a wait that would
// end past the export deadline is not taken: the payload is given up at once, counted and logged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, exporters } from 'edgescope';
import { parseRetryAfter } from '../../js/exporters/retry-after.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();

function telemetry(options) {
  const waits = [];
  const exporter = exporters.http({ url: collector.nativeUrl, retries: 2, [Symbol.for('edgescope.test.sleep')]: async (ms) => waits.push(ms), ...options });
  const t = createTelemetry({ service: 'svc', exporter, buffer: false });
  t.trace('op', () => {});
  return { t, waits };
}

test('the three HTTP-date forms of RFC 9110 section 5.6.7 are read, in UTC', () => {
  // The examples of RFC 9110 section 5.6.7, all the same instant.
  const now = Date.UTC(1994, 10, 6, 8, 49, 30);
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now), 7000);
  assert.equal(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now), 7000);
  assert.equal(parseRetryAfter('Sun Nov  6 08:49:37 1994', now), 7000);
  assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:49:00 GMT', now), 0, 'a date in the past means now');
});

test('malformed Retry-After values are ignored, not guessed at', () => {
  for (const bad of ['', '1.5', '-1', '0x10', '1994-11-06T08:49:37Z', 'soon', 'Sun, 06 Nov 1994 08:49:37 PST']) {
    assert.equal(parseRetryAfter(bad), null, JSON.stringify(bad));
  }
  assert.equal(parseRetryAfter(null), null);
  assert.equal(parseRetryAfter(' 3 '), 3000);
});

test('Retry-After as an HTTP-date is waited for', async () => {
  const { t, waits } = telemetry();
  collector.failNext(503, { headers: { 'retry-after': new Date(Date.now() + 4000).toUTCString() } });
  await t.flush();
  assert.equal(waits.length, 1);
  // An HTTP-date has whole seconds: the wait is what is left of the 4th second.
  assert.ok(waits[0] > 2000 && waits[0] <= 4000, `waited ${waits[0]} ms`);
  assert.equal(collector.spans.length, 1);
});

test('a Retry-After longer than the time left gives up at once, counted and logged', async () => {
  for (const header of ['60', new Date(Date.now() + 60_000).toUTCString()]) {
    collector.clear();
    const { t, waits } = telemetry({ deadlineMs: 15000 });
    collector.failNext(429, { headers: { 'retry-after': header } });
    const started = performance.now();
    const lines = await captureConsole('error', () => t.flush());
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(waits, [], header);
    assert.equal(collector.requests, 1);
    assert.match(lines[0], /HTTP 429: scripted 429; Retry-After asks for (59|60)\.\d s, more than the 1\d\.\d s left before the export deadline/);
    assert.deepEqual(t.stats().exporters[0].failedByCause, { 'retry-after': 1 });
    assert.equal(t.stats().failed, 1);
  }
});
