// The README's Durable Object advice ("use `scope.ctx.waitUntil`") under a config that fails
// (no COLLECTOR_URL): the object must still answer as without edgescope.
import { DurableObject } from 'cloudflare:workers';
import { exporters, instrument, instrumentDurableObject, scopeOf } from 'edgescope';

const config = (env) => ({ service: 'do-fail-open', exporter: exporters.http({ url: env.COLLECTOR_URL }) });

class CounterImpl extends DurableObject {
  async increment(by) {
    const scope = scopeOf(this.ctx); // read before the first await (README)
    scope.ctx.waitUntil(Promise.resolve()); // work the README says to hand to scope.ctx.waitUntil
    return scope.trace('count', async () => (this.n = (this.n ?? 0) + by));
  }
}
export const Counter = instrumentDurableObject(CounterImpl, config);

export default instrument(
  {
    async fetch(request, env) {
      const stub = env.COUNTER.get(env.COUNTER.idFromName('one'));
      try {
        return new Response(String(await stub.increment(2)));
      } catch (error) {
        return new Response(`the object threw: ${error.message}`, { status: 500 });
      }
    },
  },
  config,
);
