// tracedCall(): the binding call's value and errors reach the caller as the very same objects,
// the span ends however the call settles, and a failure of the telemetry side never changes
// what the caller gets. Spans here are recording stand-ins; the real ones are exercised in
// tests/workerd/binding-spans.test.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tracedCall } from '../../js/bindings/call-span.js';

function recordingScope({ startThrows = false, endThrows = false } = {}) {
  const spans = [];
  return {
    spans,
    rootSpan: {
      startSpan(name, options) {
        if (startThrows) throw new Error('core trapped');
        const span = {
          name,
          options,
          ended: 0,
          exceptions: [],
          status: 'unset',
          recordException: (e) => span.exceptions.push(e),
          setStatus: (code) => (span.status = code),
          setAttribute() {},
          end() {
            span.ended++;
            if (endThrows) throw new Error('end failed');
          },
        };
        spans.push(span);
        return span;
      },
    },
  };
}

test('a resolved value is the same object, and the span ends once', async () => {
  const scope = recordingScope();
  const value = { rows: [] };
  assert.equal(await tracedCall(scope, 'get KV', 'client', {}, () => Promise.resolve(value)), value);
  assert.equal(scope.spans[0].ended, 1);
  assert.equal(scope.spans[0].options.kind, 'client');
});

test('a rejection and a synchronous throw reach the caller as the same object, recorded on the span', async () => {
  const scope = recordingScope();
  const rejected = new TypeError('bad key');
  await assert.rejects(tracedCall(scope, 'get KV', 'client', {}, () => Promise.reject(rejected)), (e) => e === rejected);
  const thrown = new RangeError('sync');
  assert.throws(() => tracedCall(scope, 'writeDataPoint AE', 'client', {}, () => { throw thrown; }), (e) => e === thrown);
  assert.deepEqual(scope.spans.map((s) => [s.exceptions[0], s.status, s.ended]), [[rejected, 'error', 1], [thrown, 'error', 1]]);
});

test('a synchronous value (writeDataPoint) is returned as it is', () => {
  const scope = recordingScope();
  assert.equal(tracedCall(scope, 'writeDataPoint AE', 'client', {}, () => undefined), undefined);
  assert.equal(scope.spans[0].ended, 1);
});

test('a span that cannot start leaves the call untraced but unchanged', async () => {
  const value = {};
  assert.equal(await tracedCall(recordingScope({ startThrows: true }), 'get KV', 'client', {}, () => Promise.resolve(value)), value);
});

test('failures while recording the result or ending the span never reach the caller', async () => {
  const value = {};
  const scope = recordingScope({ endThrows: true });
  const settled = () => {
    throw new Error('bookkeeping failed');
  };
  assert.equal(await tracedCall(scope, 'get KV', 'client', {}, () => Promise.resolve(value), settled), value);
  assert.equal(scope.spans[0].ended, 1, 'the span was still ended');
});

test('a call through a wrapped env kept past its invocation is not traced into that invocation', async () => {
  const scope = { ...recordingScope(), closed: true };
  const value = {};
  assert.equal(await tracedCall(scope, 'get KV', 'client', {}, () => Promise.resolve(value)), value);
  assert.equal(scope.spans.length, 0);
});
