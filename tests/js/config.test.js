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

// The headers an exporter sends, read from the init it hands to fetch, or the error it threw
// when made.
const url = 'https://collector.example/ingest';
async function sentHeaders(make, options) {
  let init = null;
  const fetch = async (_, i) => ((init = i), new Response('{}', { status: 200 }));
  let exporter;
  try {
    exporter = make({ url, ...options, fetch });
  } catch (error) {
    return error;
  }
  const [result] = await exporter.send([{ body: new TextEncoder().encode('{}'), records: 1, signal: 'all', batchId: '0'.repeat(32) }]);
  assert.equal(result.ok, true, JSON.stringify(result));
  return Object.fromEntries(new Headers(init.headers));
}

test('headers given as a Headers, as [name, value] pairs or as an object are all sent', async () => {
  // Whitespace around a value is trimmed, as fetch itself trims it (a secret read with a newline).
  const trimmed = await sentHeaders(exporters.http, { headers: { 'x-api-key': ' k-123\n' }, bearerToken: 'tok\n' });
  assert.deepEqual([trimmed['x-api-key'], trimmed.authorization], ['k-123', 'Bearer tok']);
  for (const make of [exporters.http, exporters.direct]) {
    for (const headers of [new Headers({ 'X-Api-Key': 'k-123' }), [['X-Api-Key', 'k-123']], new Map([['X-Api-Key', 'k-123']]), { 'X-Api-Key': 'k-123' }]) {
      const sent = await sentHeaders(make, { headers, bearerToken: 'tok' });
      assert.ok(!(sent instanceof Error), String(sent));
      assert.equal(sent['x-api-key'], 'k-123', `${make.name} dropped the header given as ${headers.constructor.name}: ${JSON.stringify(sent)}`);
      assert.equal(sent.authorization, 'Bearer tok');
      assert.equal(sent['content-type'], 'application/json');
    }
  }
});

// Refused with the option named in error.field and the message, and the accepted ones listed.
function assertRefused(make, field, pattern) {
  assert.throws(make, (error) => {
    assert.ok(error instanceof EdgescopeConfigError, String(error));
    assert.equal(error.field, field, error.message);
    assert.ok(error.message.includes(`\`${field}\``), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('an option an exporter does not take is refused, naming it and listing the ones it takes', () => {
  const http = /one of url, format, headers, bearerToken, timeoutMs, deadlineMs, compression, fetch, retries/;
  assertRefused(() => exporters.http({ url, compresion: 'gzip' }), 'exporters.http.compresion', http);
  assertRefused(() => exporters.http({ url, header: { 'x-api-key': 'k' } }), 'exporters.http.header', http);
  // Direct never retries: `retries` there is a mistake the message explains.
  assertRefused(() => exporters.direct({ url, retries: 3 }), 'exporters.direct.retries', /one of url, .*fetch \(direct never retries: use exporters\.http\)/);
  assertRefused(() => exporters.console({ wirte: () => {} }), 'exporters.console.wirte', /write \(the only console option\)/);
  assertRefused(() => exporters.http([url]), 'exporters.http()', /an options object like \{ url \}/);
  // Every option the README documents is still taken, and a symbol key (the tests' backoff hook)
  // is no option at all.
  const all = { url, format: 'otlp-json', headers: {}, bearerToken: 't', timeoutMs: 100, deadlineMs: 200, compression: 'gzip', fetch: async () => new Response('{}') };
  assert.equal(exporters.http({ ...all, retries: 1, [Symbol.for('edgescope.test.sleep')]: async () => {} }).name, 'http');
  assert.equal(exporters.direct(all).name, 'direct');
  assert.equal(exporters.console({ write() {} }).name, 'console');
  assert.equal(exporters.console().name, 'console');
});

test('an exporter option of the wrong type is refused when the exporter is made, not at the first flush', () => {
  assertRefused(() => exporters.http({ url, fetch: 'https://x' }), 'exporters.http({ fetch })', /a function/);
  assertRefused(() => exporters.direct({ url, fetch: {} }), 'exporters.direct({ fetch })', /a function/);
  assertRefused(() => exporters.console({ write: 'stdout' }), 'exporters.console({ write })', /a function \(line\) => void/);
});

test('a header fetch would refuse is refused when the exporter is made, naming the header and never showing its value', () => {
  for (const make of [exporters.http, exporters.direct]) {
    const field = `exporters.${make.name}({ headers })`;
    for (const name of ['x api key', 'x-api-key:', '', 'x-ключ']) {
      assertRefused(() => make({ url, headers: { [name]: 'k' } }), field, new RegExp(`RFC 9110 token names.*\\(got ${JSON.stringify(JSON.stringify(name)).slice(1, -1)}\\)$`));
    }
    for (const value of ['sec\nret', 'sec\r\nX-Injected: 1', 'sec\0ret', 'sec€ret']) {
      for (const headers of [{ 'X-Api-Key': value }, [['X-Api-Key', value]]]) {
        assertRefused(() => make({ url, headers }), field, /^(?!.*sec).*headers fetch can send \(RFC 9110 token names, values without CR, LF, NUL or chars above U\+00FF\).* \(got "X-Api-Key"\)$/);
      }
    }
    assertRefused(() => make({ url, bearerToken: 'sekrit\nx' }), `exporters.${make.name}({ bearerToken })`, /^(?!.*sekrit).*must be a string fetch can send in a header \(no CR, LF, NUL or chars above U\+00FF inside\)/);
    assertRefused(() => make({ url, headers: [['x-api-key']] }), field, /\[name, value\] pairs/);
    // A malformed pair or a value that is no string: the shape is named, never the value.
    assertRefused(() => make({ url, headers: [['x-api-key', 'sekrit', 'extra']] }), field, /^(?!.*sekrit).*\(got "\[string, string, string\]"\)$/);
    assertRefused(() => make({ url, headers: { 'x-api-key': 12345678 } }), field, /^(?!.*12345678).*\(got "\[string, number\]"\)$/);
  }
});

test('a header edgescope sets itself is refused rather than overwritten, and one given twice keeps both values', async () => {
  for (const name of ['Idempotency-Key', 'content-encoding']) {
    assertRefused(() => exporters.http({ url, headers: { [name]: 'x' } }), 'exporters.http({ headers })', new RegExp(`not idempotency-key or content-encoding \\(got "${name}"\\)$`));
  }
  // bearerToken is the authorization header: the two together would lose one.
  assertRefused(() => exporters.direct({ url, headers: { Authorization: 'Basic x' }, bearerToken: 't' }), 'exporters.direct({ bearerToken })', /without an authorization header/);
  // Names differing in case are one header: both values are sent, joined as fetch joins them
  // (RFC 9110 section 5.3), and neither is dropped.
  for (const headers of [{ 'X-Team': 'a', 'x-team': 'b' }, [['x-team', 'a'], ['X-Team', 'b']]]) {
    assert.equal((await sentHeaders(exporters.http, { headers }))['x-team'], 'a, b');
  }
});
