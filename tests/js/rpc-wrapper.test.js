// The Durable Object / service binding wrapper's own rules, on plain objects standing in for the
// runtime's (workerd's real bindings are in tests/workerd/rpc-*.test.js): what passes through
// untouched, that a call returns the very object the binding returned, that errors are the same
// objects, that wrapping twice traces once, that wrappers given as arguments reach the binding as
// the originals, and which bindings bindings.rpcContext selects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTelemetry } from 'edgescope';
import { wrapRpcBinding } from '../../js/bindings/rpc.js';
import { memoryExporter } from './helpers.js';

function setup() {
  const mem = memoryExporter();
  const telemetry = createTelemetry({ service: 'svc', exporter: mem.exporter });
  const root = telemetry.startSpan('root', { kind: 'server' });
  const clientSpans = async () => {
    root.end();
    await telemetry.flush();
    return mem.spans.filter((s) => s.kind === 'client');
  };
  return { scope: { rootSpan: root }, clientSpans };
}

// A service binding's shape: methods that do not depend on `this`, each call recorded.
function fakeService() {
  const calls = [];
  const pending = { then: (resolve) => resolve('settled'), marker: 'original promise' };
  return {
    calls,
    pending,
    binding: {
      echo: (...args) => {
        calls.push(args);
        return pending;
      },
      boom: () => {
        throw new RangeError('sync failure');
      },
      reject: () => Promise.reject(new TypeError('async failure')),
    },
  };
}

test('what is not a Durable Object namespace or service binding passes through untouched', () => {
  const { scope } = setup();
  for (const value of [undefined, null, 'text', 3]) assert.equal(wrapRpcBinding(value, 'service', 'S', scope, {}), value);
  const kv = { get() {} };
  assert.equal(wrapRpcBinding(kv, 'kv', 'KV', scope, {}), kv);
});

test('a method call returns the object the binding returned, and is one client span', async () => {
  const { scope, clientSpans } = setup();
  const fake = fakeService();
  const api = wrapRpcBinding(fake.binding, 'service', 'API', scope, {});
  assert.equal(api.echo(1, 2), fake.pending);
  assert.deepEqual(fake.calls, [[1, 2]]);
  await null;
  const spans = await clientSpans();
  assert.deepEqual(spans.map((s) => s.operationName), ['API/echo']);
  assert.equal(spans[0].attributes['rpc.method'], 'echo');
});

test('errors thrown or rejected are the same objects the binding produced, and mark the span', async () => {
  const { scope, clientSpans } = setup();
  const api = wrapRpcBinding(fakeService().binding, 'service', 'API', scope, {});
  assert.throws(() => api.boom(), (error) => error instanceof RangeError && error.message === 'sync failure');
  await assert.rejects(api.reject(), (error) => error instanceof TypeError && error.message === 'async failure');
  const spans = await clientSpans();
  assert.deepEqual(spans.map((s) => [s.operationName, s.status, s.statusMessage]), [
    ['API/boom', 'error', 'sync failure'],
    ['API/reject', 'error', 'async failure'],
  ]);
});

test('wrapping a wrapper wraps the original: one span per call, the last options apply', async () => {
  const { scope, clientSpans } = setup();
  const fake = fakeService();
  const once = wrapRpcBinding(fake.binding, 'service', 'API', scope, { rpcContext: false });
  const twice = wrapRpcBinding(once, 'service', 'API', scope, { rpcContext: true });
  twice.echo('x');
  assert.equal(fake.calls[0].length, 2);
  await null;
  assert.equal((await clientSpans()).length, 1);
});

test('a wrapped stub or namespace given as an argument reaches the binding as the original', () => {
  const { scope } = setup();
  const fake = fakeService();
  const other = fakeService().binding;
  const namespace = { get: () => other, idFromName: (name) => ({ name }) };
  const api = wrapRpcBinding(fake.binding, 'service', 'API', scope, {});
  const ns = wrapRpcBinding(namespace, 'durable_object', 'DO', scope, {});
  const stub = ns.get(ns.idFromName('a'));
  assert.notEqual(stub, other);
  api.echo(stub, ns, 'plain');
  assert.equal(fake.calls[0][0], other);
  assert.equal(fake.calls[0][1], namespace);
  assert.equal(fake.calls[0][2], 'plain');
});

test('namespace ids pass through as the very objects the namespace made', () => {
  const { scope } = setup();
  const id = { id: 1 };
  const namespace = { idFromName: () => id, newUniqueId: () => id, idFromString: () => id, get: () => ({}) };
  const ns = wrapRpcBinding(namespace, 'durable_object', 'DO', scope, {});
  assert.equal(ns.idFromName('a'), id);
  assert.equal(ns.newUniqueId(), id);
  assert.equal(ns.idFromString('00'), id);
});

test('bindings.rpcContext: true or a list naming the binding appends one trace-context argument', () => {
  const { scope } = setup();
  const cases = [
    [undefined, 1],
    [false, 1],
    [true, 2],
    [['API'], 2],
    [['OTHER'], 1],
    ['API', 1], // only true or an array selects (the config validator rejects other forms)
  ];
  for (const [rpcContext, count] of cases) {
    const fake = fakeService();
    wrapRpcBinding(fake.binding, 'service', 'API', scope, { rpcContext }).echo('arg');
    assert.equal(fake.calls[0].length, count, `rpcContext ${JSON.stringify(rpcContext)}`);
    if (count === 2) {
      const [, context] = fake.calls[0];
      assert.equal(context.__edgescopeTraceContext, 1);
      assert.match(context.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      assert.equal(typeof context.tracestate, 'string');
    }
  }
});

test('without a root span to trace under (telemetry unavailable), calls go through untraced', () => {
  const fake = fakeService();
  const api = wrapRpcBinding(fake.binding, 'service', 'API', { rootSpan: null }, {});
  assert.equal(api.echo(1), fake.pending);
  assert.deepEqual(fake.calls, [[1]]);
});

test('Symbol.dispose and other symbol-keyed members are the binding\'s own, called on the binding', () => {
  const { scope } = setup();
  let disposedWith = null;
  const binding = {
    echo: () => 1,
    [Symbol.dispose]() {
      disposedWith = this;
    },
  };
  const api = wrapRpcBinding(binding, 'service', 'API', scope, {});
  api[Symbol.dispose]();
  assert.equal(disposedWith, binding);
});

test('wrappers inside plain objects and arrays reach the binding as originals; other values stay the same objects', () => {
  const { scope } = setup();
  const fake = fakeService();
  const other = fakeService().binding;
  const api = wrapRpcBinding(fake.binding, 'service', 'API', scope, {});
  const wrappedOther = wrapRpcBinding(other, 'service', 'OTHER', scope, {});
  let getterCalls = 0;
  const untouched = { data: [1, 2, 3], nested: { deep: true } };
  const options = {
    target: wrappedOther,
    list: [1, wrappedOther],
    get lazy() {
      getterCalls++;
      return 'lazy';
    },
  };
  api.echo(untouched, options);
  const [passedUntouched, passedOptions] = fake.calls[0];
  assert.equal(passedUntouched, untouched);
  assert.notEqual(passedOptions, options);
  assert.equal(passedOptions.target, other);
  assert.deepEqual(passedOptions.list, [1, other]);
  assert.equal(options.target, wrappedOther, "the caller's object is not changed");
  assert.equal(getterCalls, 0, 'accessors are not called by the wrapper');
  assert.equal(passedOptions.lazy, 'lazy');
});

test('an argument object given twice, or reached again through a cycle, stays one object once unwrapped', () => {
  const { scope } = setup();
  const fake = fakeService();
  const other = fakeService().binding;
  const api = wrapRpcBinding(fake.binding, 'service', 'API', scope, {});
  const wrappedOther = wrapRpcBinding(other, 'service', 'OTHER', scope, {});
  const shared = { target: wrappedOther };
  const cyclic = { target: wrappedOther };
  cyclic.self = cyclic;
  api.echo(shared, shared, cyclic);
  const [first, second, passedCyclic] = fake.calls[0];
  assert.equal(first, second, 'structured cloning keeps one object: so must the unwrapping');
  assert.equal(first.target, other);
  assert.equal(passedCyclic.target, other);
  assert.equal(passedCyclic.self, passedCyclic, 'the cycle points at the copy, which holds no wrapper');
});

test("a stub's own native methods (on its prototype chain) are called on the stub, untraced, without a context argument", async () => {
  const { scope, clientSpans } = setup();
  class Fetcher {
    scheduled(...args) {
      if (!(this instanceof Fetcher)) throw new TypeError('Illegal invocation');
      return args.length;
    }
  }
  const wrapped = wrapRpcBinding(new Fetcher(), 'service', 'SVC', scope, { rpcContext: true });
  assert.equal(wrapped.scheduled({ cron: '* * * * *' }), 1);
  assert.deepEqual(await clientSpans(), []);
});
