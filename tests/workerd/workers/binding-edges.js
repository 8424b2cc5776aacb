// Edge cases of the binding wrappers: the runtime's own Fetcher methods (scheduled, queue) on a
// wrapped service binding, a bulk KV getWithMetadata as a lookup, and an env kept in module scope
// past its invocation. `runtimeEnv` (cloudflare:workers) is the runtime's own env, for the plain side.
import { DurableObject, env as runtimeEnv } from 'cloudflare:workers';
import { exporters, instrument, scopeOf } from 'edgescope';

export class Room extends DurableObject {
  ping() {
    return 'pong';
  }
}

const outcome = async (call) => {
  try {
    const result = await call();
    return { ok: result?.outcome ?? String(result) };
  } catch (error) {
    return { threw: `${error?.name}: ${error?.message}` };
  }
};

let kept = null;
const handler = {
  async fetch(request, env) {
    const url = new URL(request.url);
    const scope = scopeOf(request);
    if (url.pathname === '/native-methods') {
      const message = () => [{ id: '1', timestamp: new Date(0), body: 'x', attempts: 1 }];
      return Response.json({
        plain: {
          scheduled: await outcome(() => runtimeEnv.SELF.scheduled({ cron: '* * * * *' })),
          queue: await outcome(() => runtimeEnv.SELF.queue('q', message())),
        },
        wrapped: {
          scheduled: await outcome(() => env.SELF.scheduled({ cron: '* * * * *' })),
          queue: await outcome(() => env.SELF.queue('q', message())),
        },
      });
    }
    if (url.pathname === '/bulk') {
      await env.KV.put('a', 'AAAA');
      await env.KV.put('b', 'BB');
      const bulk = await env.KV.getWithMetadata(['a', 'b', 'missing']);
      return Response.json({ values: [...bulk.values()].map((e) => e?.value ?? null), facts: scope.cacheFacts });
    }
    if (url.pathname === '/keep') {
      kept ??= env; // a module-level copy of env: later requests use the first one's
      const pong = await kept.ROOM.get(kept.ROOM.idFromName('x')).ping();
      return Response.json({ pong, traceId: scope.span.spanContext().traceId });
    }
    return new Response('not found', { status: 404 });
  },
  async scheduled() {},
  async queue() {},
};

export default instrument(handler, (env) => ({
  service: 'binding-edges',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL }),
  bindings: { rpcContext: true },
}));
