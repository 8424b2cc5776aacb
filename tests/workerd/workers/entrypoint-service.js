// A WorkerEntrypoint class, reached through service bindings from a second Worker
// (entrypoint-caller.js): the default export is the class wrapped by instrumentEntrypoint,
// `PlainService` the very same class unwrapped, so a scenario can run against both.
import { RpcTarget, WorkerEntrypoint } from 'cloudflare:workers';
import { exporters, instrumentEntrypoint, scopeOf } from 'edgescope';

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

function tryScopeOf(key) {
  try {
    return scopeOf(key);
  } catch {
    return null; // PlainService: no scope
  }
}

class ServiceImpl extends WorkerEntrypoint {
  async fetch(request) {
    tryScopeOf(request)?.span.setAttribute('service.body', (await request.clone().text()).length);
    const url = new URL(request.url);
    return new Response(`${request.method} ${url.pathname} body=${await request.text()}`, { status: 202, headers: { 'x-service': 'yes' } });
  }

  echo(...args) {
    return { count: arguments.length, args };
  }

  async add(a, b) {
    const scope = tryScopeOf(this.ctx); // before the first await
    const work = async () => a + b;
    return scope ? scope.trace('add.work', work) : work();
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

  // Work handed to this.ctx.waitUntil after the method returned: the span lands in the same trace.
  later() {
    const scope = tryScopeOf(this.ctx);
    if (scope) scope.ctx.waitUntil(scope.trace('later.work', () => new Promise((resolve) => setTimeout(resolve, 50))));
    return 'scheduled';
  }
}

export default instrumentEntrypoint(ServiceImpl, (env) => ({
  service: 'entrypoint-service',
  exporter: exporters.http({ url: env.COLLECTOR_URL }),
}));
export { ServiceImpl as PlainService };
