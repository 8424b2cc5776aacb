// The calling Worker for entrypoint-service.js, uninstrumented: it builds the trace context by
// hand (a traceparent header on fetch, the trailing `{ __edgescopeTraceContext: 1, ... }` argument
// on RPC), as an instrumented caller does, and reports what it observed as JSON.
const contextArgument = (url) =>
  url.searchParams.has('traceparent')
    ? [{ __edgescopeTraceContext: 1, traceparent: url.searchParams.get('traceparent'), tracestate: url.searchParams.get('tracestate') ?? '' }]
    : [];

async function outcome(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { threw: { name: error?.name, message: error?.message, isRangeError: error instanceof RangeError, isTypeError: error instanceof TypeError } };
  }
}

const SCENARIOS = {
  echo: (service, ctx) => service.echo(1, 'two', { three: [3] }, ...ctx),
  add: (service, ctx) => service.add(2, 3, ...ctx),
  stream: async (service, ctx) => new Response(await service.stream(['al', 'pha', '!'], ...ctx)).text(),
  tally: async (service, ctx) => {
    using tally = await service.tally(10, ...ctx);
    return [await tally.increment(), await tally.increment(5)];
  },
  pipelined: (service, ctx) => service.tally(40, ...ctx).increment(2),
  reject: (service, ctx) => service.reject('out of range', ...ctx),
  throwNow: (service, ctx) => service.throwNow('not a thing', ...ctx),
  later: (service, ctx) => service.later(...ctx),
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, binding, action] = url.pathname.split('/'); // /<SERVICE|PLAIN>/<scenario|fetch>
    const service = env[binding];
    if (!service) return new Response(`no binding ${binding}`, { status: 404 });
    if (action === 'fetch') {
      return service.fetch(new Request('https://service.example/inner', { method: request.method, headers: request.headers, body: request.body }));
    }
    const scenario = SCENARIOS[action];
    if (!scenario) return new Response(`no scenario ${action}`, { status: 404 });
    return Response.json(await outcome(() => scenario(service, contextArgument(url))));
  },
};
