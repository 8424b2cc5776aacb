// Error classification through the real wasm module, table-driven from the fixture the doctest
// suite reads too (tests/fixtures/error-classification.json): the same cases, the same groups,
// the same pinned fingerprint on both builds. Then the config's validation of `errors.rules`, and
// what a Telemetry puts on spans, logs and the `errors` counter.
import '../../js/entry/node.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { ErrorClassifier } from '../../js/core/monitoring-core.js';
import { validateErrors } from '../../js/monitoring/error-config.js';
import { settleErrors } from '../../js/monitoring/error-records.js';
import { EdgescopeConfigError } from '../../js/config.js';
import { memoryExporter } from './helpers.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/error-classification.json', import.meta.url), 'utf8'));

const toInput = (i) => ({ ...i, spanName: i.span, level: i.log });

function checkCase(got, t) {
  assert.equal(got.severity, t.severity, t.name);
  assert.equal(got.category, t.category, t.name);
  assert.deepEqual(got.repeated, t.repeated ?? null, t.name);
  assert.match(got.fingerprint, /^[0-9a-f]{16}$/);
}

test('the default rules classify every fixture case and group fingerprints as the fixture says', () => {
  const classifier = new ErrorClassifier({ packed: '', defaults: true });
  const byGroup = new Map();
  for (const t of fixture.cases) {
    const got = classifier.classify(toInput(t.input));
    checkCase(got, t);
    if (byGroup.has(t.group)) assert.equal(got.fingerprint, byGroup.get(t.group), `${t.name}: same group, same fingerprint`);
    else {
      assert.ok(![...byGroup.values()].includes(got.fingerprint), `${t.name}: another group's fingerprint`);
      byGroup.set(t.group, got.fingerprint);
    }
  }
  assert.ok(byGroup.size > 10);
});

test('the wasm build computes the pinned fingerprint (the same as the native build)', () => {
  const got = new ErrorClassifier({ packed: '', defaults: false }).classify(fixture.pinned.input);
  assert.equal(got.fingerprint, fixture.pinned.fingerprint);
});

test('the normalized message comes back with the classification', () => {
  const classifier = new ErrorClassifier({ packed: '', defaults: true });
  for (const t of fixture.normalize) {
    assert.equal(classifier.classify({ type: 'Error', message: t.message }).normalizedMessage, t.normalized);
  }
});

test('custom rules are packed as the core reads them and come before the defaults', () => {
  const { packed } = validateErrors({ rules: fixture.custom.rules });
  assert.equal(packed, fixture.custom.packed);
  for (const t of fixture.custom.cases) {
    const got = new ErrorClassifier({ packed, defaults: t.defaults }).classify(toInput(t.input));
    checkCase(got, t);
  }
});

test('invalid rules are refused up front, naming the field', () => {
  for (const t of fixture.invalid) {
    assert.throws(
      () => createTelemetry({ service: 'svc', exporter: memoryExporter().exporter, errors: { rules: t.rules } }),
      (error) => error instanceof EdgescopeConfigError && error.field === t.field && error.message.includes(`\`${t.field}\``),
      JSON.stringify(t.rules),
    );
  }
  assert.throws(() => validateErrors({ defaults: 'yes' }), /errors\.defaults/);
  assert.throws(() => validateErrors({ count: 'no' }), /errors\.count/);
  assert.throws(() => validateErrors({ rule: [] }), /errors\.rule/);
  assert.throws(() => validateErrors({ rules: [{ name: 'a\tb', severity: 'INFO', category: 'x' }] }), /errors\.rules\[0\]\.name/);
});

test('errors: { count: false } classifies as before but leaves the errors counter to another Worker', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter, errors: { count: false } });
  const span = t.startSpan('db.query');
  span.setAttribute('db.system', 'cloudflare.d1');
  span.recordException(new Error('no such table: users_7'));
  span.end();
  t.logger.fatal('out of memory in worker 3');
  await t.flush();
  assert.equal(mem.spans[0].attributes['error.category'], 'database');
  assert.equal(mem.logs[0].context['error.severity'], 'CRITICAL');
  assert.deepEqual(mem.metrics.filter((m) => m.name === 'errors'), []);
});

test('the core refuses malformed packed rules too, naming the rule', () => {
  assert.throws(() => new ErrorClassifier({ packed: 's1\tcx\th499-400' }), /rule 000: bad status range/);
});

test('a Telemetry classifies recorded exceptions and error logs onto spans, logs and the errors counter', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const span = t.startSpan('db.query');
  span.setAttribute('db.system', 'cloudflare.d1');
  span.recordException(new Error('no such table: users_7'));
  span.end();
  t.logger.fatal('out of memory in worker 3');
  t.logger.error('plain line, no error attached');
  t.logger.error(new SyntaxError('Unexpected token < in JSON at position 0'));
  await t.flush();
  const [s] = mem.spans;
  assert.equal(s.attributes['error.severity'], 'CRITICAL');
  assert.equal(s.attributes['error.category'], 'database');
  assert.match(s.attributes['error.fingerprint'], /^[0-9a-f]{16}$/);
  const event = s.events.find((e) => e.name === 'exception');
  assert.equal(event.attributes['error.fingerprint'], s.attributes['error.fingerprint']);
  assert.equal(event.attributes['error.category'], 'database');
  const [fatal, plain, syntax] = mem.logs;
  // Native JSON: a log's attributes are its `context`.
  assert.equal(fatal.context['error.category'], 'fatal');
  assert.equal(fatal.context['error.severity'], 'CRITICAL');
  assert.equal(plain.context?.['error.severity'], undefined);
  assert.equal(syntax.context['error.category'], 'syntax');
  const counts = mem.metrics.filter((m) => m.name === 'errors');
  assert.ok(counts.every((m) => m.type === 'counter' && m.value === 1));
  const categories = counts.map((m) => m.tags['error.category']).sort();
  assert.deepEqual(categories, ['database', 'fatal', 'syntax']);
});

test('settleErrors escalates a repeated error once the fleet count reaches the rule, and counts each record once', () => {
  const recorded = [];
  const scope = {
    telemetry: { metrics: { increment: (name, value, tags) => recorded.push({ name, value, tags }) } },
    errorRecords: [
      { fingerprint: 'a', severity: 'WARNING', category: 'timeout', type: 'TimeoutError', source: 'exception', route: '/x', repeated: { count: 5, windowMs: 600000, severity: 'CRITICAL' } },
      { fingerprint: 'b', severity: 'WARNING', category: 'timeout', type: 'TimeoutError', source: 'exception', route: null, repeated: { count: 5, windowMs: 600000, severity: 'CRITICAL' } },
    ],
  };
  const settled = settleErrors(scope, new Map([['a', 5], ['b', 4]]));
  assert.deepEqual(settled.map((r) => r.severity), ['CRITICAL', 'WARNING']);
  assert.deepEqual(recorded.map((r) => r.tags['error.severity']), ['CRITICAL', 'WARNING']);
  assert.equal(recorded[0].tags['http.route'], '/x');
  assert.equal('http.route' in recorded[1].tags, false);
  assert.deepEqual(settleErrors(scope, null), [], 'a record is settled (and counted) once');
  scope.errorRecords.push({ ...scope.errorRecords[1], fingerprint: 'c' });
  assert.deepEqual(settleErrors(scope, null).map((r) => r.fingerprint), ['c'], 'later records settle later');
});

test('an invocation collects one settled record per error, in the shape alerting reads', async () => {
  const { instrument, scopeOf } = await import('edgescope');
  const mem = memoryExporter();
  let scope;
  const worker = instrument(
    {
      async fetch(request) {
        scope = scopeOf(request);
        scope.setRoute('/orders/:id');
        const failure = new TypeError("Cannot read properties of undefined (reading 'total')");
        await scope.trace('load', (span) => span.recordException(failure));
        scope.span.recordException(failure); // the same object again: one occurrence
        scope.log.error('lookup failed', { error: new RangeError('offset 99 out of range') });
        return new Response('gone', { status: 404 });
      },
    },
    () => ({ service: 'svc', exporter: mem.exporter, requestMetrics: false }),
  );
  const promises = [];
  const res = await worker.fetch(new Request('https://example.com/orders/7'), {}, { waitUntil: (p) => promises.push(p) });
  await res.text();
  await Promise.all(promises);
  const records = scope.errorRecords;
  assert.deepEqual(records.map((r) => [r.source, r.type, r.severity, r.category]), [
    ['exception', 'TypeError', 'INFO', 'other'],
    ['log', 'RangeError', 'INFO', 'other'],
    ['response', '', 'WARNING', 'client_error'],
  ]);
  const root = mem.spans.find((s) => s.kind === 'server');
  for (const r of records) {
    assert.deepEqual(Object.keys(r).sort(), ['category', 'fingerprint', 'message', 'normalizedMessage', 'repeated', 'route', 'severity', 'source', 'spanId', 'spanName', 'stack', 'status', 'time', 'traceId', 'type'].sort());
    assert.equal(r.route, '/orders/:id');
    assert.equal(r.traceId, root.traceId);
    assert.equal(typeof r.time, 'number');
    assert.equal(r.repeated, null);
  }
  const [exception, log, response] = records;
  assert.match(exception.stack, /TypeError/);
  assert.equal(log.normalizedMessage, 'offset <num> out of range');
  assert.equal(response.status, 404);
  assert.equal(response.message, 'HTTP 404');
  assert.equal(response.spanId, root.spanId);
  assert.equal(response.spanName, 'GET /orders/:id');
  // Settled before export: one errors count per record.
  const counts = mem.metrics.filter((m) => m.name === 'errors');
  assert.deepEqual(counts.map((m) => m.tags['error.type']).sort(), ['404', 'RangeError', 'TypeError']);
  assert.ok(counts.every((m) => m.value === 1 && m.tags['http.route'] === '/orders/:id'));
});

test('an isolate that builds a Telemetry per request keeps classifying (one core classifier per rule set)', async () => {
  for (let i = 0; i < 80; i++) {
    const mem = memoryExporter();
    const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
    const span = t.startSpan('work');
    span.recordException(new SyntaxError(`Unexpected token in request ${i}`));
    span.end();
    await t.flush();
    assert.equal(mem.spans[0].attributes['error.category'], 'syntax', `telemetry ${i}`);
  }
});

test('one thrown value recorded on a child and its parent is one occurrence; the same object in another trace is another', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const shared = new Error('D1_ERROR: database is locked');
  for (let trace = 0; trace < 2; trace++) {
    const root = t.startSpan('root');
    const child = root.startSpan('child');
    child.recordException(shared);
    child.end();
    root.recordException(shared);
    root.end();
  }
  await t.flush();
  const counts = mem.metrics.filter((m) => m.name === 'errors');
  assert.equal(counts.reduce((n, m) => n + m.value, 0), 2, 'once per trace');
});

test('a thrown string recorded by a trace() span and again by the handler is one occurrence of the invocation', async () => {
  const { instrument, scopeOf } = await import('edgescope');
  const mem = memoryExporter();
  let scope;
  const worker = instrument(
    {
      async fetch(request) {
        scope = scopeOf(request);
        try {
          await scope.trace('load', () => {
            throw 'quota exceeded'; // eslint-disable-line no-throw-literal
          });
        } catch (thrown) {
          scope.span.recordException(thrown);
        }
        return new Response('ok');
      },
    },
    () => ({ service: 'svc', exporter: mem.exporter, requestMetrics: false }),
  );
  const promises = [];
  const res = await worker.fetch(new Request('https://example.com/'), {}, { waitUntil: (p) => promises.push(p) });
  await res.text();
  await Promise.all(promises);
  assert.equal(scope.errorRecords.length, 1);
  const counts = mem.metrics.filter((m) => m.name === 'errors');
  assert.equal(counts.reduce((n, m) => n + m.value, 0), 1);
});
