// Calls through a Durable Object stub and a service binding (a named WorkerEntrypoint) behave the
// same with edgescope's wrappers as without: every case of workers/rpc-scenarios.js runs once on
// the runtime's own bindings (rpc-caller-plain) and once on the wrapped ones (rpc-caller), against
// the same uninstrumented callee, and the two results must be identical: values, streams, stubs
// and calls on them, promise pipelining, thrown errors (name, message, class, remote flag),
// `using` disposal reaching the callee, calls after a disposal, ids and stubs given as arguments.
// The service binding's cases run a second time through env as instrument() itself wraps it.
// The plain run is also checked against what the callee is known to return, so a case cannot pass
// by both runs failing the same way.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useCollector } from '../shared/use-collector.js';
import { useRpcFleet } from './rpc-fleet.js';
import { CASE_NAMES, RELEASE_CASES } from './rpc-case-names.js';

const collector = useCollector();
const call = useRpcFleet(collector);

const counterIncrement = [6, 8, 8];
test('the cases listed here are every case the scenarios define', async () => {
  assert.deepEqual(await call('plain', '_cases', 'list'), CASE_NAMES);
});

const callees = { do: 'DO stub', service: 'service binding' };

// What the plain run of each case must be (per group where they differ).
const expected = {
  primitive: { value: 5 },
  stringConcat: { value: 'ab' },
  echoArgs: { value: { count: 3, args: [1, 'two', { three: 3 }] } },
  echoNoArgs: { value: { count: 0, args: [] } },
  stubResult: { value: counterIncrement },
  streamResult: { value: { isStream: true, text: 'chunk-0;chunk-1;chunk-2;' } },
  streamArgument: { value: 'hello stream argument' },
  pipelineField: { value: 'piped' },
  pipelineMethod: { value: 5 },
  pipelineNested: { value: 11 },
  nestedPropertyCall: { value: { count: 1, args: ['nested'] } },
  detachedMethod: { value: 30 },
  reflectApply: { value: 2 },
};
// The callee sees `using` release its stub (a Durable Object; see calleeDisposed in the scenarios).
const disposalReachesCallee = { usingDisposal: { value: true }, usingOnPromiseResult: { value: true } };

const errorCases = {
  errorPlain: { name: 'Error', message: 'plain failure', isTypeError: false, isRangeError: false },
  errorType: { name: 'TypeError', message: 'wrong type given', isTypeError: true, isRangeError: false },
  errorRange: { name: 'RangeError', message: 'out of range', isTypeError: false, isRangeError: true },
  errorAfterAwait: { name: 'Error', message: 'rejected after an await', isTypeError: false, isRangeError: false },
};

for (const [group, label] of Object.entries(callees)) {
  describe(`through a ${label}`, () => {
    for (const name of CASE_NAMES[group].filter((n) => !RELEASE_CASES.includes(n))) {
      test(`${name}: the same result with and without the wrapper`, async () => {
        const plain = await call('plain', group, name);
        const wrapped = await call('instrumented', group, name);
        if (expected[name]) assert.deepEqual(plain, expected[name], 'the plain run itself');
        if (group === 'do' && disposalReachesCallee[name]) assert.deepEqual(plain, disposalReachesCallee[name], 'the plain run itself');
        if (errorCases[name]) {
          assert.ok(plain.error, `the plain run rejected: ${JSON.stringify(plain)}`);
          assert.deepEqual({ ...plain.error, isError: undefined, remote: undefined }, { ...errorCases[name], isError: undefined, remote: undefined });
          assert.equal(plain.error.isError, true);
        }
        assert.deepEqual(wrapped, plain);
      });
    }
  });
}

// The same cases through env as instrument() wraps it (rpc-caller's config gives DO the context
// argument, so only the service binding's arguments are untouched there).
describe('through a service binding wrapped by instrument() itself', () => {
  for (const name of CASE_NAMES.service.filter((n) => !RELEASE_CASES.includes(n))) {
    test(`${name}: the same result as the runtime's own binding`, async () => {
      const plain = await call('plain', 'service', name);
      assert.deepEqual(await call('instrumented', 'service', name, { via: 'env' }), plain);
    });
  }
});

// The wrapper observes each call's settlement with its own .then() on the RpcPromise: that must
// not keep a result alive. A result never awaited, and one used only for pipelining, are released
// in the callee when the caller's request ends, as without the wrapper. (Only a Durable Object
// callee shows the release; see calleeDisposed in the scenarios.)
test('results never awaited are released in the Durable Object when the request ends, as without the wrapper', async () => {
  const seen = {};
  for (const which of ['plain', 'instrumented']) {
    const run = `release-${which}`;
    // Within the request the release is the runtime's business (in practice it waits for the end).
    await call(which, 'do', 'unawaitedResult', { run });
    await call(which, 'do', 'pipelinedResultReleased', { run });
    seen[which] = await call(which, 'do', 'releasedAfterRequest', { run });
  }
  assert.deepEqual(seen.plain, { value: [true, true] });
  assert.deepEqual(seen.instrumented, seen.plain);
});

describe('through a Durable Object namespace', () => {
  for (const name of CASE_NAMES.ns) {
    test(`${name}: the same result with and without the wrapper`, async () => {
      const plain = await call('plain', 'ns', name);
      const wrapped = await call('instrumented', 'ns', name);
      if (name === 'stubAsArgument') assert.deepEqual(plain, { value: { count: 1, added: 15 } });
      if (name === 'getByName') assert.deepEqual(plain, { value: 3 });
      if (name === 'stubsInsideArgument') assert.deepEqual(plain, { value: { count: 1, added: 2, listAdded: 4, listApi: 6 } });
      assert.deepEqual(wrapped, plain);
    });
  }
});
