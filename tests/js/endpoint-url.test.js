// Collector URLs: an OTLP base URL with a query string (how many vendors take an API key) keeps
// its query while the signal path goes on its path; fragments and credentials in the URL are
// refused when the exporter is configured; logs and stats show the URL with its secrets masked.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { createTelemetry, EdgescopeConfigError, exporters } from 'edgescope';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();

async function startRecorder() {
  const urls = [];
  const server = createServer((req, res) => {
    urls.push(req.url);
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return { base: `http://127.0.0.1:${server.address().port}`, urls };
}

function record(t) {
  t.trace('op', (span) => span.logger.info('hello'));
  t.metrics.increment('hits');
}

for (const path of ['/otlp', '/otlp/']) {
  test(`OTLP signal paths go on the URL's path and the query is kept (base path ${path})`, async () => {
    const recorder = await startRecorder();
    const exporter = exporters.http({ url: `${recorder.base}${path}?token=abc&region=eu`, format: 'otlp-json' });
    const t = createTelemetry({ service: 'svc', exporter });
    record(t);
    await t.flush();
    assert.deepEqual(recorder.urls.sort(), [
      '/otlp/v1/logs?token=abc&region=eu',
      '/otlp/v1/metrics?token=abc&region=eu',
      '/otlp/v1/traces?token=abc&region=eu',
    ]);
  });
}

test('an OTLP URL with a query reaches a real OTLP collector', async () => {
  const exporter = exporters.http({ url: `${collector.otlpUrl}/?api-key=k`, format: 'otlp-json' });
  const t = createTelemetry({ service: 'svc', exporter });
  record(t);
  await t.flush();
  assert.equal(collector.rejected.length, 0);
  assert.equal(collector.spans.length + collector.logs.length + collector.metrics.length, 3);
});

test('a native URL with a query is posted to as given', async () => {
  const recorder = await startRecorder();
  const t = createTelemetry({ service: 'svc', exporter: exporters.direct({ url: `${recorder.base}/ingest?token=abc` }) });
  record(t);
  await t.flush();
  assert.deepEqual(recorder.urls, ['/ingest?token=abc']);
});

test('a URL with a fragment is refused at configuration, naming the option', () => {
  for (const kind of ['http', 'direct']) {
    for (const url of ['https://collector.example/otlp#frag', 'https://collector.example/otlp?token=abc#', 'https://collector.example/#/v1']) {
      assert.throws(
        () => exporters[kind]({ url, format: 'otlp-json' }),
        (e) => e instanceof EdgescopeConfigError && e.field === `exporters.${kind}({ url })` && /without a #fragment/.test(e.message) && !/abc/.test(e.message),
        url,
      );
    }
  }
});

test('a URL with credentials is refused at configuration, without echoing them', () => {
  assert.throws(
    () => exporters.http({ url: 'https://user:hunter2@collector.example/ingest' }),
    (e) => e instanceof EdgescopeConfigError && e.field === 'exporters.http({ url })' && /user:password@/.test(e.message) && !/hunter2/.test(e.message),
  );
});

test('logs and stats show the endpoint with query values masked and the path kept', async () => {
  const exporter = exporters.http({ url: `${collector.otlpUrl}/?token=s3cret&flag`, format: 'otlp-json', retries: 0 });
  const t = createTelemetry({ service: 'svc', exporter });
  collector.failAlways(500);
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  const shown = [...lines, JSON.stringify(t.stats())].join('\n');
  assert.doesNotMatch(shown, /s3cret/);
  assert.match(lines[0], /http:\/\/127\.0\.0\.1:\d+\/v1\/(traces|metrics|logs)\?token=\*\*\*&flag: HTTP 500/);
  assert.match(t.stats().exporters[0].endpoint, /^http:\/\/127\.0\.0\.1:\d+\/\?token=\*\*\*&flag$/);
});

test("an OTLP signal's own URL as `url` is refused at configuration, naming the base URL to pass instead", () => {
  const cases = [
    ['https://otlp.example.com/v1/traces', 'https://otlp.example.com/', 'traces'],
    ['https://otlp.example.com/otlp/v1/metrics/', 'https://otlp.example.com/otlp', 'metrics'],
    ['https://otlp.example.com/otlp/v1/logs?token=abc', 'https://otlp.example.com/otlp?token=***', 'logs'],
  ];
  for (const kind of ['http', 'direct']) {
    for (const [url, base, signal] of cases) {
      assert.throws(
        () => exporters[kind]({ url, format: 'otlp-json' }),
        (e) =>
          e instanceof EdgescopeConfigError &&
          e.field === `exporters.${kind}({ url })` &&
          e.message.includes(`must be the OTLP base URL, here ${base}:`) &&
          e.message.includes(`a URL ending in /v1/${signal} can serve only that one signal`) &&
          !/abc/.test(e.message),
        url,
      );
    }
  }
  // Only the signal paths themselves: a base whose path merely contains them is a base.
  for (const url of ['https://otlp.example.com/v1/tracesink', 'https://otlp.example.com/v1/traces/tenant-1']) {
    assert.doesNotThrow(() => exporters.http({ url, format: 'otlp-json' }), url);
  }
  // Native JSON is posted to the URL as given, whatever its path.
  assert.doesNotThrow(() => exporters.http({ url: 'https://collector.example/v1/traces' }));
});

test('when all three OTLP signals fail, the log line and lastError name every signal URL', async () => {
  const exporter = exporters.http({ url: `${collector.otlpUrl}/otlp?token=s3cret`, format: 'otlp-json', retries: 0 });
  const t = createTelemetry({ service: 'svc', exporter });
  collector.failAlways(503);
  record(t);
  const lines = await captureConsole('error', () => t.flush());
  const stats = t.stats();
  const failure = lines.find((l) => l.startsWith('[edgescope] export failed:'));
  for (const shown of [failure, stats.exporters[0].lastError, stats.lastError]) {
    for (const signal of ['traces', 'metrics', 'logs']) {
      assert.match(shown, new RegExp(`http://127\\.0\\.0\\.1:\\d+/otlp/v1/${signal}\\?token=\\*\\*\\*`), `${signal} missing from: ${shown}`);
    }
    assert.doesNotMatch(shown, /s3cret/);
  }
  // One error shared by the three URLs is said once, not once per URL.
  assert.equal(stats.exporters[0].lastError.match(/HTTP 503/g).length, 1, stats.exporters[0].lastError);
  assert.match(failure, /3 payload\(s\) not delivered/);
});

test('signals that fail differently are each named with their own error', async () => {
  const status = { '/v1/traces': 503, '/v1/metrics': 401, '/v1/logs': 200 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status[req.url], { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  const base = `http://127.0.0.1:${server.address().port}`;
  const t = createTelemetry({ service: 'svc', exporter: exporters.http({ url: base, format: 'otlp-json', retries: 0 }) });
  record(t);
  await captureConsole('warn', () => captureConsole('error', () => t.flush()));
  const { lastError } = t.stats().exporters[0];
  assert.match(lastError, new RegExp(`${base}/v1/traces: HTTP 503`), lastError);
  assert.match(lastError, new RegExp(`${base}/v1/metrics: HTTP 401`), lastError);
  assert.doesNotMatch(lastError, /\/v1\/logs/, 'a signal that was delivered is not named');
});
