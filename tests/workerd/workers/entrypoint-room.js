// A Durable Object class exported twice: `Room` wrapped by instrumentDurableObject and
// `PlainRoom`, the very same class unwrapped, so a test can run one scenario against both and
// compare what the caller gets. The default export is a plain (uninstrumented) driver: it plays
// the caller, building the trace context by hand (a traceparent header on fetch, the trailing
// `{ __edgescopeTraceContext: 1, ... }` argument on RPC) as an instrumented caller would.
import { DurableObject, RpcTarget } from 'cloudflare:workers';
import { exporters, instrumentDurableObject, scopeOf } from 'edgescope';

class Tally extends RpcTarget {
  constructor(start) {
    super();
    this.value = start;
  }
  increment(by = 1) {
    this.value += by;
    return this.value;
  }
}

// PlainRoom runs the same code uninstrumented, where there is no scope to find.
function tryScopeOf(key) {
  try {
    return scopeOf(key);
  } catch {
    return null;
  }
}

class RoomImpl extends DurableObject {
  hits = 0; // in memory: counts invocations of one live object

  async fetch(request) {
    if (request.headers.get('Upgrade') === 'websocket') {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]); // hibernation API: messages arrive as webSocketMessage
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    this.hits++;
    tryScopeOf(request)?.span.setAttribute('room.hits', this.hits);
    const url = new URL(request.url);
    return new Response(`${request.method} ${url.pathname} hits=${this.hits} body=${await request.text()}`, { status: 201, headers: { 'x-room': 'yes' } });
  }

  echo(...args) {
    return { count: arguments.length, args };
  }

  async add(a, b) {
    this.hits++;
    // The scope of this invocation, read before the first await (interleaving: see the README).
    const scope = tryScopeOf(this.ctx);
    const work = async () => a + b + (await this.bonus());
    return scope ? scope.trace('add.work', work) : work();
  }

  // Invocations of one object interleave at awaits: the scope read before the first await stays
  // this invocation's, whatever started meanwhile.
  async slowAdd(a, b, ms) {
    const scope = tryScopeOf(this.ctx);
    await scheduler.wait(ms);
    const work = async () => a + b;
    return scope ? scope.trace('add.work', work) : work();
  }

  bonus() {
    return 0; // called from add(): a plain call, not an RPC invocation
  }

  stream(parts) {
    const encoder = new TextEncoder();
    return new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(encoder.encode(part));
        controller.close();
      },
    });
  }

  tally(start) {
    return new Tally(start);
  }

  async reject(message) {
    await null;
    throw new RangeError(message);
  }

  throwNow(message) {
    throw new TypeError(message);
  }

  hitCount() {
    return this.hits;
  }

  async arm(ms) {
    await this.ctx.storage.put('alarms', 0);
    await this.ctx.storage.setAlarm(Date.now() + ms);
  }

  async alarm(info) {
    await this.ctx.storage.put('alarms', (await this.ctx.storage.get('alarms')) + 1);
    await this.ctx.storage.put('alarmInfo', info ? { retryCount: info.retryCount, isRetry: info.isRetry } : null);
  }

  async alarmState() {
    return { runs: await this.ctx.storage.get('alarms'), info: await this.ctx.storage.get('alarmInfo') };
  }

  webSocketMessage(ws, message) {
    tryScopeOf(ws)?.span.setAttribute('room.echoed', true);
    ws.send(`echo:${message}`);
  }

  webSocketClose(ws, code) {
    try {
      ws.close(code, 'bye');
    } catch {
      // already closed by the runtime's automatic reply
    }
  }
}

export const Room = instrumentDurableObject(RoomImpl, (env) => ({
  service: 'room-object',
  exporter: exporters.http({ url: env.COLLECTOR_URL }),
}));
export { RoomImpl as PlainRoom };

// The trailing argument an instrumented caller appends when `bindings.rpcContext` selects the binding.
const contextArgument = (url) =>
  url.searchParams.has('traceparent')
    ? [{ __edgescopeTraceContext: 1, traceparent: url.searchParams.get('traceparent'), tracestate: url.searchParams.get('tracestate') ?? '' }]
    : [];

// What the caller observes of a call: its value, or the error's constructor name and message.
async function outcome(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return { threw: { name: error?.name, message: error?.message, isRangeError: error instanceof RangeError, isTypeError: error instanceof TypeError } };
  }
}

const SCENARIOS = {
  echo: (stub, ctx) => stub.echo(1, 'two', { three: [3] }, ...ctx),
  add: (stub, ctx) => stub.add(2, 3, ...ctx),
  stream: async (stub, ctx) => new Response(await stub.stream(['al', 'pha', '!'], ...ctx)).text(),
  tally: async (stub, ctx) => {
    using tally = await stub.tally(10, ...ctx);
    return [await tally.increment(), await tally.increment(5)];
  },
  pipelined: (stub, ctx) => stub.tally(40, ...ctx).increment(2), // promise pipelining on the result
  reject: (stub, ctx) => stub.reject('out of range', ...ctx),
  throwNow: (stub, ctx) => stub.throwNow('not a thing', ...ctx),
  hitCount: (stub, ctx) => stub.hitCount(...ctx),
  slowAdd: (stub, ctx, url) => stub.slowAdd(1, 2, Number(url.searchParams.get('ms') ?? 0), ...ctx),
  arm: (stub) => stub.arm(20),
  alarmState: (stub) => stub.alarmState(),
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, binding, name, action] = url.pathname.split('/'); // /<ROOM|PLAIN>/<object name>/<scenario|fetch|ws>
    const namespace = env[binding];
    if (!namespace) return new Response(`no binding ${binding}`, { status: 404 });
    const stub = namespace.get(namespace.idFromName(name));
    if (action === 'fetch' || action === 'ws') {
      const headers = new Headers(request.headers);
      return stub.fetch(new Request(`https://room.example/${name}/inner`, { method: request.method, headers, body: request.body }));
    }
    const scenario = SCENARIOS[action];
    if (!scenario) return new Response(`no scenario ${action}`, { status: 404 });
    return Response.json(await outcome(() => scenario(stub, contextArgument(url), url)));
  },
};
