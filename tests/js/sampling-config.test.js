// `sampling` and `slow` config: every bad field is refused up front by name, the old `sampleRate`
// keeps working, and valid rules reach the core (a discarded trace and a kept one through the
// real module).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EdgescopeConfigError, createTelemetry, exporters } from 'edgescope';
import { memoryExporter } from './helpers.js';

const exporter = exporters.console({ write() {} });
const base = { service: 'x', exporter };

const refused = [
  [{ sampleRate: 0.1, sampling: { ratio: 0.1 } }, 'sampleRate', /left out when `sampling` is given/],
  [{ sampling: 0.1 }, 'sampling', /an object/],
  [{ sampling: { rate: 0.1 } }, 'sampling.rate', /one of ratio, keep/],
  [{ sampling: { ratio: 2 } }, 'sampling.ratio', /from 0 to 1/],
  [{ sampling: { ratio: '0.1' } }, 'sampling.ratio', /from 0 to 1/],
  [{ sampling: { keep: [] } }, 'sampling.keep', /an object/],
  [{ sampling: { keep: { error: true } } }, 'sampling.keep.error', /one of errors, statusAtLeast/],
  [{ sampling: { keep: { errors: 'yes' } } }, 'sampling.keep.errors', /a boolean/],
  [{ sampling: { keep: { statusAtLeast: 99 } } }, 'sampling.keep.statusAtLeast', /100 to 599/],
  [{ sampling: { keep: { statusAtLeast: 500.5 } } }, 'sampling.keep.statusAtLeast', /100 to 599/],
  [{ sampling: { keep: { slowerThanMs: -1 } } }, 'sampling.keep.slowerThanMs', /milliseconds/],
  [{ sampling: { keep: { slowerThanMs: Infinity } } }, 'sampling.keep.slowerThanMs', /milliseconds/],
  [{ sampling: { keep: { routes: '/a' } } }, 'sampling.keep.routes', /an array/],
  [{ sampling: { keep: { routes: ['/a', ''] } } }, 'sampling.keep.routes[1]', /exact value or a prefix/],
  [{ sampling: { keep: { routes: ['*'] } } }, 'sampling.keep.routes[0]', /not a lone/],
  [{ sampling: { keep: { spanNames: ['a*b'] } } }, 'sampling.keep.spanNames[0]', /ending in one/],
  [{ sampling: { keep: { spanNames: ['a\nb'] } } }, 'sampling.keep.spanNames[0]', /no line break/],
  [{ sampling: { keep: { spanNames: Array(65).fill('a') } } }, 'sampling.keep.spanNames', /at most 64/],
  [{ slow: { queryMs: 'fast' } }, 'slow.queryMs', /milliseconds/],
  [{ slow: { dbMs: 5 } }, 'slow.dbMs', /one of requestMs, fetchMs, queryMs/],
  [{ slow: null }, 'slow', /an object/],
];

for (const [extra, field, expected] of refused) {
  test(`a bad sampling setting is refused, naming it: ${field}`, () => {
    assert.throws(
      () => createTelemetry({ ...base, ...extra }),
      (e) => e instanceof EdgescopeConfigError && e.field === field && expected.test(e.message),
    );
  });
}

test('sampleRate alone still sets the head sampling ratio', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'x', exporter: mem.exporter, sampleRate: 0 });
  t.trace('never', () => 1);
  await t.flush();
  assert.equal(mem.spans.length, 0);
});

// Traces that the head sampler rejects: remote parents with the sampled flag cleared.
const unsampled = (n) => `00-${n.toString(16).padStart(32, '0')}-00000000000000aa-00`;

test('keep rules reach the core: an unsampled trace with an error is kept and marked, a quiet one is not', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({
    service: 'x',
    exporter: mem.exporter,
    requestMetrics: false,
    sampling: { ratio: 0.1, keep: { errors: true, spanNames: ['payment.*'] } },
  });
  for (const [n, child] of [[1, 'load'], [2, 'payment.charge'], [3, 'fail']]) {
    const { span } = t.startRemoteSpan('GET', { traceparent: unsampled(n) });
    const c = t.startSpan(child, { parent: span });
    if (child === 'fail') c.setStatus('error', 'boom');
    c.end();
    span.end();
  }
  await t.flush();
  const marks = new Map(mem.spans.map((s) => [`${s.traceId.slice(-1)} ${s.operationName}`, s.attributes['edgescope.sampling.kept_by']]));
  assert.deepEqual(Object.fromEntries(marks), {
    '2 payment.charge': 'span',
    '2 GET': 'span',
    '3 fail': 'error',
    '3 GET': 'error',
  });
  const decisions = Object.fromEntries(mem.metrics.filter((m) => m.name === 'edgescope.sampling.traces').map((m) => [m.tags.decision, m.value]));
  assert.deepEqual(decisions, { discarded: 1, span: 1, error: 1 });
});

test('with no keep rule given, sampling.ratio is plain head sampling', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'x', exporter: mem.exporter, sampling: { ratio: 0, keep: { routes: [] } } });
  const { span } = t.startRemoteSpan('GET', { traceparent: unsampled(4) });
  assert.equal(span.isRecording(), false);
  span.setStatus('error', 'boom');
  span.end();
  await t.flush();
  assert.equal(mem.spans.length, 0);
});

// A config without `slow` or keep rules sends nothing to the core (js/sampling-config.js
// applySampling: a new core already has those defaults), so the core's own defaults must be the
// documented ones: queries over 100 ms flagged, requests and fetches never.
test('with no slow config, only a query over 100 ms is flagged slow', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'x', exporter: mem.exporter, requestMetrics: false });
  const now = Date.now();
  const span = (name, kind, attributes, ms) => t.startSpan(name, { kind, attributes, startTime: now - ms }).end(now);
  span('query slow', 'client', { 'db.system': 'sqlite' }, 150);
  span('query fast', 'client', { 'db.system': 'sqlite' }, 50);
  span('fetch slow', 'client', { 'http.request.method': 'GET' }, 60_000);
  span('request slow', 'server', {}, 60_000);
  await t.flush();
  const slow = Object.fromEntries(mem.spans.map((s) => [s.operationName ?? s.name, s.attributes?.['edgescope.slow'] === true]));
  assert.deepEqual(slow, { 'query slow': true, 'query fast': false, 'fetch slow': false, 'request slow': false });
});
