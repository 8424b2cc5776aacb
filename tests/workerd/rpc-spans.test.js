// What edgescope records for calls through a Durable Object stub and a service binding, and what
// the (uninstrumented) callee receives: one CLIENT span per fetch or RPC method call, a child of
// the invocation's root span, named and attributed as documented (HTTP client conventions for
// fetch; rpc.system 'cloudflare_workers_rpc', rpc.service, rpc.method for RPC; the binding's name
// and type); the fetch carries a traceparent whose span id is that client span's; and an RPC
// method gets one trailing trace-context argument only when bindings.rpcContext selects the binding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newTraceparent } from '../shared/differential-client.js';
import { useCollector } from '../shared/use-collector.js';
import { useRpcFleet } from './rpc-fleet.js';

const collector = useCollector();
const fleetCall = useRpcFleet(collector);

// Each instrumented request runs in a trace of its own (its traceparent), so spans a previous
// test's request exports late are never mistaken for this one's.
let currentTrace = null;
function call(which, group, name, query, headers = {}) {
  const { traceId, traceparent } = newTraceparent();
  if (which === 'instrumented') currentTrace = traceId;
  return fleetCall(which, group, name, query, { traceparent, ...headers });
}

const bindings = {
  do: { name: 'DO', type: 'durable_object' },
  service: { name: 'API', type: 'service' },
};

// The spans of the last instrumented request: its root (SERVER) span and its CLIENT spans.
async function spansOf(expectedClients) {
  const mine = () => collector.spans.filter((s) => s.traceId === currentTrace);
  await collector.waitFor(() => mine().some((s) => s.kind === 'server') && mine().filter((s) => s.kind === 'client').length >= expectedClients);
  const root = mine().find((s) => s.kind === 'server');
  const clients = mine().filter((s) => s.kind === 'client');
  return { root, clients };
}

const traceparentOf = (span) => `00-${span.traceId}-${span.spanId}-01`;

for (const [group, binding] of Object.entries(bindings)) {
  describe(`through the ${binding.type} binding ${binding.name}`, () => {
    test('an RPC method call is one CLIENT span under the root span with the RPC attributes', async () => {
      assert.deepEqual(await call('instrumented', group, 'primitive'), { value: 5 });
      const { root, clients } = await spansOf(1);
      assert.equal(clients.length, 1);
      const [span] = clients;
      assert.equal(span.name, `${binding.name}/add`);
      assert.equal(span.traceId, root.traceId);
      assert.equal(span.parentSpanId, root.spanId);
      assert.equal(span.status, 'unset');
      assert.deepEqual(span.attributes, {
        'rpc.system': 'cloudflare_workers_rpc',
        'rpc.service': binding.name,
        'rpc.method': 'add',
        'cloudflare.binding.type': binding.type,
        'cloudflare.binding.name': binding.name,
      });
    });

    test('a method that throws in the callee gives an error span with the exception, and the caller the same error', async () => {
      const result = await call('instrumented', group, 'errorType');
      assert.equal(result.error.name, 'TypeError');
      assert.equal(result.error.message, 'wrong type given');
      const { clients } = await spansOf(1);
      const [span] = clients;
      assert.equal(span.name, `${binding.name}/fail`);
      assert.equal(span.status, 'error');
      assert.equal(span.statusMessage, 'wrong type given');
      assert.ok(span.events.some((e) => e.name === 'exception' && e.attributes['exception.type'] === 'TypeError'), JSON.stringify(span.events));
    });

    test('fetch is an HTTP CLIENT span and the callee receives a traceparent naming it', async () => {
      const { value } = await call('instrumented', `observe-${group}`, 'fetchHeaders');
      const { root, clients } = await spansOf(1);
      const [span] = clients;
      assert.equal(span.name, 'GET');
      assert.equal(span.parentSpanId, root.spanId);
      assert.equal(span.attributes['http.request.method'], 'GET');
      assert.equal(span.attributes['http.response.status_code'], 200);
      assert.equal(span.attributes['url.full'], 'https://callee.example/seen');
      assert.equal(span.attributes['cloudflare.binding.type'], binding.type);
      assert.equal(span.attributes['cloudflare.binding.name'], binding.name);
      assert.equal(value.traceparent, traceparentOf(span));
      // tracestate is the trace's (W3C Trace Context: it travels with the traceparent, and this
      // trace has none), never one the caller put on the request for another traceparent.
      assert.equal(value.tracestate, null);
    });

    test('the trace\'s tracestate travels with fetch and with the RPC trace-context argument', async () => {
      const incoming = { tracestate: 'vendor=abc,other=1' };
      const fetched = await call('instrumented', `observe-${group}`, 'fetchHeaders', {}, incoming);
      assert.equal(fetched.value.tracestate, incoming.tracestate);
      const echoed = await call('instrumented', `observe-${group}`, 'echoNoArgs', { context: 'true' }, incoming);
      assert.equal(echoed.value.count, 1);
      assert.equal(echoed.value.args[0].tracestate, incoming.tracestate);
    });

    test('fetch answered 404 ends the span with an error status and the status code', async () => {
      const result = await call('instrumented', group, 'fetch404');
      assert.equal(result.value.status, 404);
      const { clients } = await spansOf(1);
      assert.equal(clients[0].attributes['http.response.status_code'], 404);
      assert.equal(clients[0].status, 'error');
    });

    test('without rpcContext the callee receives exactly the arguments given', async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'echoArgs'), { value: { count: 2, args: [1, 'two'] } });
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'echoNoArgs'), { value: { count: 0, args: [] } });
      assert.deepEqual(await call('plain', `observe-${group}`, 'echoArgs'), { value: { count: 2, args: [1, 'two'] } });
    });

    for (const context of ['true', binding.name]) {
      test(`with rpcContext ${context === 'true' ? 'true' : `['${context}']`} the callee receives one trailing argument with the client span's context`, async () => {
        const { value } = await call('instrumented', `observe-${group}`, 'echoArgs', { context });
        const { clients } = await spansOf(1);
        const [span] = clients;
        assert.equal(span.name, `${binding.name}/echoArgs`);
        assert.equal(value.count, 3);
        assert.deepEqual(value.args.slice(0, 2), [1, 'two']);
        assert.deepEqual(value.args[2], { __edgescopeTraceContext: 1, traceparent: traceparentOf(span), tracestate: '' });
      });
    }

    test('a call on a nested property is one span named by its path, and gets no context argument', async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'nestedEcho', { context: 'true' }), { value: { count: 1, args: ['nested'] } });
      const { clients } = await spansOf(1);
      assert.deepEqual(clients.map((s) => [s.name, s.attributes['rpc.method']]), [[`${binding.name}/tools.echoArgs`, 'tools.echoArgs']]);
    });

    test('rpcContext naming only the other binding leaves this one\'s arguments unchanged', async () => {
      const other = group === 'do' ? 'API' : 'DO';
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'echoNoArgs', { context: other }), { value: { count: 0, args: [] } });
    });

    test('a pipelined call is one span for the method called on the stub; it ends when the call settles', async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'pipelined'), { value: 5 });
      const { clients } = await spansOf(1);
      assert.deepEqual(clients.map((s) => s.name), [`${binding.name}/makeCounter`]);
      assert.equal(clients[0].attributes['edgescope.span.unended'], undefined);
    });

    test('reading an RPC property is not a call: no span', async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'property'), { value: group === 'do' ? 'store-v1' : 'api-v1' });
      const { clients } = await spansOf(0);
      assert.deepEqual(clients, []);
    });

    test('a stream result ends its span when the call settles, and the stream is read to the end', async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'streamed'), { value: 'chunk-0;chunk-1;' });
      const { clients } = await spansOf(1);
      assert.equal(clients[0].name, `${binding.name}/stream`);
      assert.equal(clients[0].attributes['edgescope.span.unended'], undefined);
    });
  });
}

test('instrument() wraps env\'s Durable Object and service bindings itself, with config bindings.rpcContext', async () => {
  const viaEnv = { via: 'env' };
  // This Worker's config: bindings: { rpcContext: ['DO'] }.
  const toDo = await call('instrumented', 'observe-do', 'echoArgs', viaEnv);
  const doSpans = await spansOf(1);
  assert.deepEqual(doSpans.clients.map((s) => s.name), ['DO/echoArgs']);
  assert.equal(toDo.value.count, 3);
  assert.equal(toDo.value.args[2].traceparent, traceparentOf(doSpans.clients[0]));
  const toApi = await call('instrumented', 'observe-service', 'echoArgs', viaEnv);
  const apiSpans = await spansOf(1);
  assert.deepEqual(apiSpans.clients.map((s) => s.name), ['API/echoArgs']);
  assert.deepEqual(toApi.value, { count: 2, args: [1, 'two'] });
});

test('ids and stubs from the namespace are not calls: only the method call makes a span', async () => {
  assert.equal((await call('instrumented', 'ns', 'getByName')).value, 3);
  const { clients } = await spansOf(1);
  assert.deepEqual(clients.map((s) => s.name), ['DO/add']);
});

// Into an instrumented callee (instrumentDurableObject / instrumentEntrypoint): one trace across
// both Workers, the callee's server span a child of the caller's client span.
describe('into an instrumented callee', () => {
  const traced = { do: 'TRACED_DO', service: 'TRACED_API' };
  const serverSpanOf = async (name, traceId) => {
    await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server' && s.name === name && s.traceId === traceId));
    return collector.spans.find((s) => s.kind === 'server' && s.name === name && s.traceId === traceId);
  };

  for (const [group, bindingName] of Object.entries(traced)) {
    const className = group === 'do' ? 'Store' : 'Api';

    test(`${bindingName}: an RPC call with rpcContext continues the trace, and the callee's method gets only its own arguments`, async () => {
      const result = await call('instrumented', `observe-${group}`, 'echoArgs', { callee: 'traced', context: bindingName });
      assert.deepEqual(result, { value: { count: 2, args: [1, 'two'] } });
      const { clients } = await spansOf(1);
      const [client] = clients;
      assert.equal(client.name, `${bindingName}/echoArgs`);
      const server = await serverSpanOf(`${className}/echoArgs`, currentTrace);
      assert.equal(server.parentSpanId, client.spanId);
    });

    test(`${bindingName}: fetch continues the trace through the traceparent header`, async () => {
      const result = await call('instrumented', `observe-${group}`, 'fetchHeaders', { callee: 'traced' });
      const { clients } = await spansOf(1);
      const [client] = clients;
      assert.equal(result.value.traceparent, traceparentOf(client));
      // The callee's fetch span: in this trace, under the client span (waitFor fails otherwise).
      await collector.waitFor((c) => c.spans.some((s) => s.kind === 'server' && s.traceId === currentTrace && s.parentSpanId === client.spanId));
    });

    test(`${bindingName}: without rpcContext the callee's server span starts a trace of its own`, async () => {
      assert.deepEqual(await call('instrumented', `observe-${group}`, 'echoNoArgs', { callee: 'traced' }), { value: { count: 0, args: [] } });
      const { root, clients } = await spansOf(1);
      const isCallee = (s) => s.kind === 'server' && s.name === `${className}/echoArgs` && s.parentSpanId === null;
      await collector.waitFor((c) => c.spans.some(isCallee));
      assert.ok(collector.spans.filter(isCallee).every((s) => s.traceId !== currentTrace));
      assert.deepEqual(
        collector.spans.filter((s) => s.traceId === currentTrace).map((s) => s.spanId).sort(),
        [root.spanId, clients[0].spanId].sort(),
        'nothing of the callee in the caller\'s trace',
      );
    });
  }
});
