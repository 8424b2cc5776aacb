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
