// One flush may spend at most maxSubrequests fetches, shared by all its exporters (Workers counts
// subrequests per invocation: 50 on Free). What does not fit is not sent, and is counted and
// logged; the runtime's own "Too many subrequests" ends the flush's sending at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry, EdgescopeConfigError, exporters } from 'edgescope';
import { ExportPipeline } from '../../js/export-pipeline.js';
import { useCollector } from '../shared/use-collector.js';
import { captureConsole } from './helpers.js';

const collector = useCollector();

// buffer: false: these tests count what the budget leaves unsent as lost, flush by flush; the
// offline buffer's replay would spend part of the next flush's budget (tests/workerd/offline-buffer).
function telemetry(config, pipelineOptions) {
  const t = createTelemetry({ service: 'svc', maxBatchSize: 1, buffer: false, ...config });
  if (pipelineOptions) t.pipeline = new ExportPipeline(t.core, t.config.exporters, pipelineOptions);
  return t;
}

function spans(t, n) {
  for (let i = 0; i < n; i++) t.trace(`op${i}`, () => {});
}

test('the exporters of one flush share one subrequest budget', async () => {
  const t = telemetry(
    {
      exporters: [
        exporters.http({ url: collector.nativeUrl, retries: 0 }),
        exporters.http({ url: collector.otlpUrl, format: 'otlp-json', retries: 0 }),
      ],
    },
    { maxSubrequests: 5 },
  );
  spans(t, 6); // 6 one-record payloads per exporter: 12 POSTs wanted
  const lines = await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 5);
  const [native, otlp] = t.stats().exporters;
  assert.equal(native.payloadsSent + otlp.payloadsSent, 5);
  assert.equal((native.failedByCause.budget ?? 0) + (otlp.failedByCause.budget ?? 0), 7);
  assert.match(lines.join('\n'), /subrequest budget of 5 per flush used up \(maxSubrequests\)/);
});

test('each flush gets a fresh budget, and flush() can set its own', async () => {
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl }) }, { maxSubrequests: 2 });
  spans(t, 3);
  await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 2);
  spans(t, 3);
  await captureConsole('error', () => t.pipeline.flush({ maxSubrequests: 3 }));
  assert.equal(collector.requests, 5);
  assert.equal(t.stats().exported, 5);
  assert.equal(t.stats().failed, 1);
});

test('the default budget is 10 subrequests per flush', async () => {
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl }) });
  spans(t, 12);
  await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 10);
  assert.equal(t.stats().failed, 2);
});

test('retries spend the budget too', async () => {
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl, retries: 5, [Symbol.for('edgescope.test.sleep')]: async () => {} }) }, { maxSubrequests: 3 });
  collector.failAlways(503);
  spans(t, 1);
  const lines = await captureConsole('error', () => t.flush());
  assert.equal(collector.requests, 3);
  assert.match(lines[0], /HTTP 503: scripted 503; retry not sent: subrequest budget of 3/);
  assert.deepEqual(t.stats().exporters[0].failedByCause, { budget: 1 });
});

const tooMany = () => new Error('Too many subrequests by single Worker invocation.');

test('"Too many subrequests" from the runtime is not retried', async () => {
  let calls = 0;
  const fetch = async () => {
    calls++;
    throw tooMany();
  };
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl, retries: 3, fetch, [Symbol.for('edgescope.test.sleep')]: async () => {} }) });
  spans(t, 1);
  const lines = await captureConsole('error', () => t.flush());
  assert.equal(calls, 1);
  assert.match(lines[0], /the runtime refused a subrequest: Too many subrequests/);
  assert.deepEqual(t.stats().exporters[0].failedByCause, { 'subrequest-limit': 1 });
});

test('after "Too many subrequests" nothing else in the flush is tried, by any exporter', async () => {
  let calls = 0;
  const fetch = async (url, init) => {
    if (++calls === 2) throw tooMany();
    return globalThis.fetch(url, init);
  };
  const t = telemetry({
    exporters: [
      exporters.direct({ url: collector.nativeUrl, fetch }),
      exporters.direct({ url: collector.otlpUrl, format: 'otlp-json', fetch }),
    ],
  });
  spans(t, 4);
  await captureConsole('error', () => t.flush());
  // Both Direct exporters send in order, concurrently: the first call of each goes out, the
  // second call overall is refused by the "runtime", and no fetch is made after that.
  assert.equal(calls, 2);
  assert.equal(collector.requests, 1);
  const totals = t.stats().exporters.reduce((sum, e) => sum + e.payloadsSent + e.payloadsFailed, 0);
  assert.equal(totals, 8);
});

test('a synchronous throw from fetch is a counted network error', async () => {
  const fetch = () => {
    throw new TypeError('fetch exploded synchronously');
  };
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl, retries: 0, fetch }) });
  spans(t, 1);
  const lines = await captureConsole('error', () => t.flush());
  assert.match(lines[0], /network error: fetch exploded synchronously/);
  assert.equal(t.stats().failed, 1);
});

test('maxSubrequests is validated and the error names it', () => {
  const t = telemetry({ exporter: exporters.http({ url: collector.nativeUrl }) });
  for (const bad of [0, -1, 1.5, 10001, '5', null, Number.NaN]) {
    assert.throws(
      () => new ExportPipeline(t.core, t.config.exporters, { maxSubrequests: bad }),
      (e) => e instanceof EdgescopeConfigError && e.field === 'maxSubrequests' && /an integer from 1 to 10000/.test(e.message),
      String(bad),
    );
  }
  assert.throws(() => t.pipeline.flush({ maxSubrequests: 0 }), EdgescopeConfigError);
});
