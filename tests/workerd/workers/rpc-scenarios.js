// What a caller does with a Durable Object namespace and a service binding (a named
// WorkerEntrypoint), case by case, reported as JSON. rpc-caller-plain.js runs these on the
// runtime's own bindings, rpc-caller.js on edgescope's wrappers; the test compares the two.
// `run` makes labels unique per request (the callee's disposal log is per isolate).

const errorFacts = (error) => ({
  name: error?.name,
  message: error?.message,
  isError: error instanceof Error,
  isTypeError: error instanceof TypeError,
  isRangeError: error instanceof RangeError,
  remote: error?.remote ?? null,
});

async function settled(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error: errorFacts(error) };
  }
}

async function responseFacts(response) {
  const body = await response.json();
  return {
    status: response.status,
    callee: response.headers.get('x-callee'),
    isResponse: response instanceof Response,
    // traceparent/tracestate are what the wrapper adds: rpc-spans.test.js checks them.
    body: { ...body, traceparent: undefined, tracestate: undefined },
  };
}

function bytesStream(parts) {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    type: 'bytes',
    pull(controller) {
      if (i === parts.length) return controller.close();
      controller.enqueue(encoder.encode(parts[i++]));
    },
  });
}

// Whether the callee saw the counter `label` disposed, asked up to `rounds` times (bounded by round
// trips, not by time). A Durable Object sees the release of a disposed stub before a later call on
// the same stub. A WorkerEntrypoint's RpcTarget (workerd 1.20260730 under Miniflare) is not seen
// disposed within the caller's request at all, with or without the wrapper: there the case only
// compares the two runs.
async function calleeDisposed(target, label, rounds = 100) {
  for (let i = 0; i < rounds; i++) if ((await target.disposals()).includes(label)) return true;
  return false;
}

// Cases shared by the Durable Object stub and the service binding.
export function targetCases(target, run) {
  return {
    fetchGet: async () => responseFacts(await target.fetch('https://callee.example/path?q=1', { headers: { 'x-custom': 'a' } })),
    fetchPostRequest: async () => {
      const request = new Request('https://callee.example/post', { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
      const facts = await responseFacts(await target.fetch(request));
      // The caller's Request is not given headers it did not set.
      return { ...facts, callerHeaders: [...request.headers] };
    },
    fetchRelativeUrl: async () => responseFacts(await target.fetch('/relative')),
    fetch404: async () => responseFacts(await target.fetch('https://callee.example/missing')),
    primitive: () => target.add(2, 3),
    stringConcat: () => target.add('a', 'b'),
    object: async () => {
      const value = await target.describe('thing');
      return {
        ...value,
        nested: { list: value.nested.list, isDate: value.nested.when instanceof Date, when: value.nested.when.toISOString() },
        bytes: { isUint8Array: value.bytes instanceof Uint8Array, values: [...value.bytes] },
      };
    },
    echoArgs: () => target.echoArgs(1, 'two', { three: 3 }),
    echoNoArgs: () => target.echoArgs(),
    propertyGetter: () => target.version,
    stubResult: async () => {
      const counter = await target.makeCounter(`stub-${run}`, 5);
      const out = [await counter.increment(), await counter.increment(2), await counter.current];
      counter[Symbol.dispose]();
      return out;
    },
    streamResult: async () => {
      const stream = await target.stream(3);
      return { isStream: stream instanceof ReadableStream, text: await new Response(stream).text() };
    },
    streamArgument: () => target.consume(bytesStream(['hello ', 'stream ', 'argument'])),
    pipelineField: () => target.describe('piped').name,
    pipelineMethod: () => target.makeCounter(`pipe-${run}`, 1).increment(4),
    pipelineNested: () => target.holder(`holder-${run}`).counter.increment(1),
    nestedPropertyCall: () => target.tools.echoArgs('nested'),
    detachedMethod: () => {
      const add = target.add;
      return add(10, 20);
    },
    reflectApply: () => Reflect.apply(target.add, target, [1, 1]),
    errorPlain: () => target.fail('plain'),
    errorType: () => target.fail('type'),
    errorRange: () => target.fail('range'),
    errorCustom: () => target.fail('custom'),
    errorAfterAwait: () => target.rejectLater(),
    errorMissingMethod: () => target.noSuchMethod(1),
    // Refused by the runtime before anything is sent (a Symbol cannot be serialized).
    unserializableArgument: () => target.echoArgs(Symbol('local')),
    usingDisposal: async () => {
      const label = `using-${run}`;
      {
        using counter = await target.makeCounter(label, 1);
        await counter.increment();
      }
      return calleeDisposed(target, label);
    },
    usingOnPromiseResult: async () => {
      const label = `using-pipe-${run}`;
      {
        using holder = await target.holder(label);
        await holder.counter.increment();
      }
      return calleeDisposed(target, label);
    },
    // A call whose result is never awaited: whether the callee sees its stub released.
    unawaitedResult: async () => {
      const label = `unawaited-${run}`;
      target.makeCounter(label, 1);
      return calleeDisposed(target, label);
    },
    // Pipelining only, the intermediate result never awaited.
    pipelinedResultReleased: async () => {
      const label = `piped-release-${run}`;
      await target.makeCounter(label, 1).increment();
      return calleeDisposed(target, label);
    },
    // Asked in a later request with the same run: the callee's disposal log for those labels.
    // The release reaches the callee after that request has ended: asked up to 100 round trips.
    releasedAfterRequest: async () => [await calleeDisposed(target, `unawaited-${run}`), await calleeDisposed(target, `piped-release-${run}`)],
    callAfterDispose: async () => {
      const counter = await target.makeCounter(`after-${run}`, 1);
      counter[Symbol.dispose]();
      return settled(() => counter.increment());
    },
    // Object.prototype's members are the stub's own, not RPC methods.
    objectMethods: () => ({
      text: String(target),
      tag: Object.prototype.toString.call(target),
      toString: target.toString(),
      hasOwn: target.hasOwnProperty('add'),
      isObject: target instanceof Object,
    }),
    thenNotThenable: () => ({ then: typeof target.then, hasFetch: typeof target.fetch, hasConnect: typeof target.connect }),
  };
}

export function namespaceCases(ns, api, run) {
  const stub = () => ns.get(ns.idFromName(`ns-${run}`));
  return {
    idsPassThrough: () => {
      const id = ns.idFromName('fixed');
      const again = ns.idFromString(id.toString());
      const s = ns.get(id);
      return {
        id: id.toString(),
        equals: id.equals(again),
        stubId: s.id.toString(),
        stubName: s.name ?? null,
        uniqueLength: ns.newUniqueId().toString().length,
        kind: Object.prototype.toString.call(s),
      };
    },
    getByName: () => ns.getByName(`by-name-${run}`).add(1, 2),
    getWithOptions: () => ns.get(ns.idFromName(`opts-${run}`), { locationHint: 'enam' }).add(3, 4),
    jurisdiction: () => settled(async () => ns.jurisdiction('eu').get(ns.jurisdiction('eu').idFromName('j')).add(5, 6)),
    // Stubs inside an options object and an array given to another binding.
    stubsInsideArgument: async () => {
      const result = await api.echoArgs({ stub: stub(), list: [stub(), api] });
      const [{ stub: passed, list }] = result.args;
      return { count: result.count, added: await passed.add(1, 1), listAdded: await list[0].add(2, 2), listApi: await list[1].add(3, 3) };
    },
    // A stub given as an argument to another binding: it must still be a real stub there.
    stubAsArgument: async () => {
      const result = await api.echoArgs(stub());
      const [passed] = result.args;
      return { count: result.count, added: await passed.add(7, 8) };
    },
  };
}

// What the callee received, unfiltered, for rpc-spans.test.js (the trace context differs by
// design between the plain and the wrapped run, so these are not part of the differential).
export function observeCases(target) {
  return {
    fetchHeaders: async () => {
      const body = await (await target.fetch('https://callee.example/seen', { headers: { tracestate: 'vendor=caller' } })).json();
      return { traceparent: body.traceparent, tracestate: body.tracestate };
    },
    echoArgs: () => target.echoArgs(1, 'two'),
    echoNoArgs: () => target.echoArgs(),
    nestedEcho: () => target.tools.echoArgs('nested'),
    pipelined: () => target.makeCounter('observed', 1).increment(4),
    property: () => target.version,
    streamed: async () => new Response(await target.stream(2)).text(),
  };
}

export async function runCase(group, name, env, run) {
  if (group === '_cases') return Response.json(caseNames());
  const stubFor = (kind) => (kind === 'do' ? env.ns.get(env.ns.idFromName(`case-${run}`)) : env.api);
  const cases =
    group === 'ns'
      ? namespaceCases(env.ns, env.api, run)
      : group.startsWith('observe-')
        ? observeCases(stubFor(group.slice('observe-'.length)))
        : targetCases(stubFor(group), run);
  const fn = cases[name];
  if (!fn) return Response.json({ unknownCase: `${group}/${name}` }, { status: 400 });
  return Response.json(await settled(fn));
}

// The cases each group defines, for the test to check its list (tests/workerd/rpc-case-names.js)
// against: node cannot import this module (it uses `using`, which esbuild lowers for workerd).
export function caseNames() {
  return {
    do: Object.keys(targetCases({}, 0)),
    service: Object.keys(targetCases({}, 0)),
    ns: Object.keys(namespaceCases({}, {}, 0)),
  };
}
