// A Durable Object wrapped by instrumentDurableObject that uses its KV binding through this.env:
// alone (traced under the RPC invocation), and in two overlapping invocations (untraced, counted).
// The default export is an instrumented Worker that drives it through a traced stub, so the KV
// spans can be placed in one trace: caller → DO server span → KV client span.
import { DurableObject } from 'cloudflare:workers';
import { exporters, instrument, instrumentDurableObject, scopeOf } from 'edgescope';

const config = (env) => ({
  service: 'instance-env',
  exporter: exporters.http({ url: env.COLLECTOR_URL }),
  bindings: { rpcContext: ['STORE'] },
});

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class StoreImpl extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.constructedWithKv = typeof env.KV?.get === 'function'; // readable in the constructor
  }

  async read(key) {
    return this.env.KV.get(key);
  }

  // Waits `before` ms, reads, waits `after` ms: two calls whose reads both fall while both run.
  async slowRead(key, before, after) {
    await wait(before);
    const value = await this.env.KV.get(key);
    await wait(after);
    return value;
  }

  unattributed() {
    return scopeOf(this.ctx).telemetry.stats().api.bindingsUnattributed;
  }

  sameKv() {
    return this.env.KV === this.env.KV; // one wrapper per invocation
  }
}
export const Store = instrumentDurableObject(StoreImpl, config);

export default instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      const stub = env.STORE.getByName('one');
      await env.KV.put('k', 'v');
      if (url.pathname === '/read') return Response.json({ value: await stub.read('k') });
      if (url.pathname === '/overlap') {
        const values = await Promise.all([stub.slowRead('k', 10, 60), stub.slowRead('k', 30, 40)]);
        return Response.json({ values, unattributed: await stub.unattributed() });
      }
      if (url.pathname === '/same') return Response.json({ same: await stub.sameKv() });
      return new Response('not found', { status: 404 });
    },
  },
  config,
);
