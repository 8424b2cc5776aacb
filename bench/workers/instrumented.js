// The instrumented side of bench/workerd-overhead.mjs: a root span and 5 child spans with 2
// attributes each, 3 metric updates, 1 log line, exported every request to a loopback collector,
// then the response of kind env.KIND (./responses.js). The baseline side bundles this same file
// against another commit's edgescope, so keep to the API that commit has.
import { exporters, instrument, scopeOf } from 'edgescope';
import { respond } from './responses.js';

export default instrument(
  {
    async fetch(request, env) {
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
      return respond(env.KIND, url, env);
    },
  },
  (env) => ({ service: 'bench', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
