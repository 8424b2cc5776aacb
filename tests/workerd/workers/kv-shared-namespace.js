// One KV namespace shared by the offline buffer (prefix 'edgescope', no separator) and an
// exhaustion registry, whose key is 'edgescope:registry:<name>' (js/resilience/kv-replica.js):
// the registry's key lies under the buffer's prefix but is not the buffer's.
import { exporters, instrument, scopeOf, stores } from 'edgescope';
import { createExhaustionRegistry } from 'edgescope/resilience';

const quota = createExhaustionRegistry('quota', { state: (env) => ({ store: 'kv', namespace: env.STATE_KV }) });

export default instrument(
  {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      if (url.pathname === '/__mark') {
        await quota.use(env, ctx).markExhausted('openai', 3_600_000); // saved in waitUntil
        return new Response('marked');
      }
      if (url.pathname === '/__kv') {
        const { keys } = await env.STATE_KV.list();
        const values = {};
        for (const { name } of keys) values[name] = name.startsWith('edgescope:') ? await env.STATE_KV.get(name, 'text') : null;
        return Response.json({ names: keys.map((k) => k.name), values });
      }
      if (url.pathname === '/__stats') return Response.json(scopeOf(request).telemetry.stats());
      scopeOf(request).log.info('hello');
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'kv-shared-namespace',
    exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
    buffer: { store: stores.kv(env.STATE_KV, { prefix: 'edgescope' }) },
  }),
);
