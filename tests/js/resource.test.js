// Every record names its writer: service.instance.id per core instance, the SDK, the platform,
// and the version from the version metadata binding, in both wire formats.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { bothFormats } from './helpers.js';
import { validateOtlpJson } from 'edgescope/testing';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

function capture(config = {}) {
  const { t, bodies } = bothFormats({ service: 'checkout', ...config });
  return {
    t,
    get docs() {
      return bodies.map(({ format, signal, text }) => ({ format, signal, doc: JSON.parse(text) }));
    },
  };
}

const otlpResource = (doc) => {
  const list = (doc.resourceSpans ?? doc.resourceMetrics ?? doc.resourceLogs)[0].resource.attributes;
  return Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]));
};

test('both formats carry the same resource: instance id, SDK, platform, version and user attributes', async () => {
  const captured = capture({
    versionMetadata: { id: 'a1b2c3', tag: 'v42', timestamp: '2026-12-01T00:00:00Z' },
    resource: { 'deployment.environment.name': 'production' },
  });
  const { t } = captured;
  t.trace('op', () => {});
  t.logger.info('hello');
  t.metrics.increment('n');
  await t.flush();
  const docs = captured.docs;
  const native = docs.find((d) => d.format === 'native').doc.resource;
  assert.match(native['service.instance.id'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(
    { ...native, 'service.instance.id': 'x' },
    {
      'service.name': 'checkout',
      'service.instance.id': 'x',
      'telemetry.sdk.name': 'edgescope',
      'telemetry.sdk.language': 'webjs',
      'telemetry.sdk.version': pkg.version,
      'cloud.provider': 'cloudflare',
      'cloud.platform': 'cloudflare.workers',
      'faas.name': 'checkout',
      'faas.version': 'a1b2c3',
      'service.version': 'v42',
      'deployment.environment.name': 'production',
    },
  );
  const otlp = docs.filter((d) => d.format === 'otlp-json');
  assert.equal(otlp.length, 3);
  for (const { signal, doc } of otlp) {
    validateOtlpJson(signal, doc);
    assert.deepEqual(otlpResource(doc), native, signal);
  }
});

test('each core instance (each isolate) is its own writer: a distinct service.instance.id', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const captured = capture();
    captured.t.metrics.increment('n');
    await captured.t.flush();
    ids.push(captured.docs.find((d) => d.format === 'native').doc.resource['service.instance.id']);
  }
  assert.equal(new Set(ids).size, 3);
});

test('array resource attributes stay arrays in both formats; a mixed array is a config error', async () => {
  const captured = capture({ resource: { 'host.ip': ['10.0.0.1', '10.0.0.2'], 'process.pid.list': [1, 2] } });
  captured.t.trace('op', () => {});
  await captured.t.flush();
  const native = captured.docs.find((d) => d.format === 'native').doc.resource;
  assert.deepEqual(native['host.ip'], ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(native['process.pid.list'], [1, 2]);
  const { signal, doc } = captured.docs.find((d) => d.format === 'otlp-json');
  validateOtlpJson(signal, doc);
  const hostIp = doc.resourceSpans[0].resource.attributes.find((a) => a.key === 'host.ip').value;
  assert.deepEqual(hostIp, { arrayValue: { values: [{ stringValue: '10.0.0.1' }, { stringValue: '10.0.0.2' }] } });
  assert.throws(() => capture({ resource: { bad: ['a', 1] } }), /resource\.bad.*an array of one of them/);
});
