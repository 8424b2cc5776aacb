// Span status follows the OpenTelemetry trace API ("Set Status"): Ok is final, setting Unset is
// ignored, and a description is kept only with Error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { memoryExporter } from './helpers.js';

test('Ok is final; Unset is ignored; the last Error description wins', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  t.trace('ok-then-error', (span) => span.setStatus('ok').setStatus('error', 'late').setStatus('unset'));
  t.trace('error-then-unset', (span) => span.setStatus('error', 'first').setStatus('unset').setStatus('error', 'second'));
  t.trace('error-then-ok', (span) => span.setStatus('error', 'boom').setStatus('ok'));
  await t.flush();
  assert.deepEqual(
    mem.spans.map((s) => [s.operationName, s.status, s.statusMessage]),
    [
      ['ok-then-error', 'ok', undefined],
      ['error-then-unset', 'error', 'second'],
      ['error-then-ok', 'ok', undefined],
    ],
  );
});

test('a span that threw after being marked Ok stays Ok', async () => {
  const mem = memoryExporter();
  const t = createTelemetry({ service: 'svc', exporter: mem.exporter });
  assert.throws(() =>
    t.trace('op', (span) => {
      span.setStatus('ok');
      throw new Error('after ok');
    }),
  );
  await t.flush();
  assert.equal(mem.spans[0].status, 'ok');
  assert.equal(mem.spans[0].events[0].name, 'exception'); // the exception is still recorded
});
