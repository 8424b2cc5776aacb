import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EdgescopeConfigError, createTelemetry, exporters, instrument } from 'edgescope';

const exporter = exporters.console({ write() {} });

const cases = [
  [{ exporter }, 'service'],
  [{ service: '', exporter }, 'service'],
  [{ service: 'x' }, 'exporter'],
  [{ service: 'x', exporters: [] }, 'exporters'],
  [{ service: 'x', exporters: [{}] }, 'exporters[0]'],
  [{ service: 'x', exporter, sampleRate: 1.5 }, 'sampleRate'],
  [{ service: 'x', exporter, sampleRate: '0.5' }, 'sampleRate'],
  [{ service: 'x', exporter, maxPayloadBytes: 100 }, 'maxPayloadBytes'],
  [{ service: 'x', exporter, maxBatchSize: 0 }, 'maxBatchSize'],
  [{ service: 'x', exporter, maxBatchSize: 2.5 }, 'maxBatchSize'],
  [{ service: 'x', exporter, resource: { 'deployment.environment': {} } }, 'resource.deployment.environment'],
  // NaN and Infinity have no OTLP value (Number(env.BUILD) with BUILD unset is NaN): refused here,
  // not dropped later.
  [{ service: 'x', exporter, resource: { build: NaN, region: 'eu' } }, 'resource.build'],
  [{ service: 'x', exporter, resource: { version: -Infinity } }, 'resource.version'],
  [{ service: 'x', exporter, resource: { 'host.ids': [1, NaN] } }, 'resource.host.ids'],
  [{ service: 'x', exporter, samplerate: 1 }, 'samplerate'],
  [{ service: 'x', exporter, requestMetrics: 'yes' }, 'requestMetrics'],
  // A key an object inherits (Object.prototype's) is no option either: refused, never ignored.
  [{ service: 'x', exporter, redact: { toString: 1 } }, 'redact.toString'],
  [{ service: 'x', exporter, redact: { constructor: true } }, 'redact.constructor'],
];

for (const [config, field] of cases) {
  test(`an invalid config names the bad field: ${field}`, () => {
    assert.throws(
      () => createTelemetry(config),
      (error) => error instanceof EdgescopeConfigError && error.field === field && error.message.includes(`\`${field}\``),
    );
  });
}

test('exporter options are validated with the option named', () => {
  assert.throws(() => exporters.http({ url: 'not a url' }), /`exporters\.http\(\{ url \}\)` must be an absolute http\(s\) URL/);
  assert.throws(() => exporters.http({ url: 'ftp://x' }), /absolute http\(s\) URL/);
  assert.throws(() => exporters.http({ url: 'http://x', format: 'protobuf' }), /format/);
  assert.throws(() => exporters.http({ url: 'http://x', retries: -1 }), /retries/);
  assert.throws(() => exporters.http({ url: 'http://x', headers: { a: 1 } }), /headers/);
  assert.throws(() => exporters.direct({ url: 'http://x', timeoutMs: 0 }), /timeoutMs/);
});

test('instrument() validates an object config at once, before any request', () => {
  assert.throws(() => instrument({ fetch() {} }, { service: 'x', exporter, sampleRate: 7 }), /sampleRate/);
  assert.throws(() => instrument(null, { service: 'x', exporter }), /handler/);
});

test('a valid config is accepted with documented defaults', () => {
  const t = createTelemetry({ service: 'svc', exporter });
  assert.equal(t.config.sampleRate, 1);
  assert.equal(t.config.maxPayloadBytes, 65536);
  assert.equal(t.config.maxBatchSize, undefined);
});
