// The instrumented sides of bench/bindings-overhead.mjs: ./bindings-work.js under instrument(),
// with env.BINDINGS 'off' (config `bindings: false`: env and caches passed through untouched) or
// 'on' (every binding traced: a client span and a recorded lookup per call). Besides the root
// span, one log line per request, which the bench's collector counts to know every export arrived.
import { exporters, instrument, scopeOf } from 'edgescope';
import { bindingWork, seed } from './bindings-work.js';

export default instrument(
  {
    async fetch(request, env) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      const storage = t.caches ?? caches;
      if (url.pathname === '/seed') return seed(env, storage);
      const response = await bindingWork(env, storage, url);
      t.log.info('handled', { path: url.pathname });
      return response;
    },
  },
  (env) => ({
    service: 'bench-bindings',
    requestMetrics: false,
    bindings: env.BINDINGS === 'off' ? false : {},
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0 }),
  }),
);
