// Delta metric points cover the window between two collections: a point starts at the previous
// drain (or at its series' creation in its first window), not at its first recording.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoreTelemetry, MetricType } from '../../js/core/core-telemetry.js';

function points(core, now) {
  core.drain(now);
  const [payload] = core.encode('native');
  core.release();
  return payload ? JSON.parse(new TextDecoder().decode(payload.body)).metrics : [];
}

test('each delta point starts where the previous collection ended', () => {
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  const hits = (now) => core.seriesId(MetricType.counter, 'hits', '', undefined, now);
  core.record(hits(1000), 1, 1500);
  assert.deepEqual(points(core, 2000).map((p) => [p.startTime, p.timestamp, p.value]), [[1000, 1500, 1]]);
  core.record(hits(2600), 2, 2600);
  assert.deepEqual(points(core, 3000).map((p) => [p.startTime, p.value]), [[2000, 2]]);
  core.record(hits(3100), 3, 3100);
  core.record(hits(3900), 4, 3900);
  assert.deepEqual(points(core, 4000).map((p) => [p.startTime, p.timestamp, p.value]), [[3000, 3900, 7]]);
});

test('a series idle for a whole window is evicted, and its next point starts at its re-creation', () => {
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  const hits = (now) => core.seriesId(MetricType.counter, 'hits', '', undefined, now);
  core.record(hits(1000), 1, 1000);
  points(core, 2000);
  assert.deepEqual(points(core, 3000), []); // idle: evicted here
  assert.equal(core.stats().seriesEvicted, 1);
  core.record(hits(3700), 1, 3800);
  assert.deepEqual(points(core, 4000).map((p) => [p.startTime, p.value]), [[3700, 1]]);
});

test('drain() without a time collects at the current time', () => {
  const core = new CoreTelemetry({ service: 'svc', sampleRate: 1, maxPayloadBytes: 65536 });
  const id = core.seriesId(MetricType.gauge, 'g', '', undefined, 10);
  core.record(id, 1, 20);
  core.drain();
  const collected = Date.now();
  core.record(id, 2, collected);
  const [point] = points(core, collected + 1);
  assert.ok(point.startTime <= collected && point.startTime > collected - 60_000, String(point.startTime));
});
