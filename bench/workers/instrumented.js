// The instrumented side of bench/workerd-overhead.mjs: a root span and 5 child spans with 2
// attributes each, 3 metric updates, 1 log line, exported every request to a loopback collector.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      for (let i = 0; i < 5; i++) {
        t.trace('step', (span) => {
          span.setAttribute('step.index', i);
          span.setAttribute('step.kind', 'compute');
        });
      }
      t.metrics.increment('bench.requests', 1, { path: url.pathname });
      t.metrics.gauge('bench.inflight', 1);
      t.metrics.histogram('bench.size', 42, undefined, { unit: 'By' });
      t.log.info('handled', { path: url.pathname });
      return new Response(`hello ${url.pathname}`, { headers: { 'content-type': 'text/plain' } });
    },
  },
  (env) => ({ service: 'bench', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
