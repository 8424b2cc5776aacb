// The binding calls under instrument(), through the wrapped env and scope.caches. The response
// also says how the wrapped env relates to the runtime's own (cloudflare:workers `env`).
import { env as runtimeEnv } from 'cloudflare:workers';
import { exporters, instrument, scopeOf } from 'edgescope';
import { allCalls } from './bindings-calls.js';

const handler = {
  async fetch(request, env) {
    const scope = scopeOf(request);
    const identity = {
      kvWrapped: env.KV !== runtimeEnv.KV,
      kvStable: env.KV === env.KV,
      kvInstanceof: env.KV instanceof runtimeEnv.KV.constructor,
      getStable: env.KV.get === env.KV.get,
      varSame: env.TEXT === runtimeEnv.TEXT,
      cachesWrapped: scope.caches !== caches,
      cachesInstanceof: scope.caches instanceof caches.constructor,
    };
    return Response.json({ ...(await allCalls(env, scope.caches)), identity });
  },
};

export default instrument(handler, (env) => ({
  service: 'bindings-differential',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
}));
