// The instrumented side of bench/workerd-overhead.mjs: a root span and 5 child spans with 2
// attributes each, 3 metric updates, 1 log line, exported every request to a loopback collector,
// then the response of kind env.KIND (./responses.js). The baseline side bundles this same file
// against another commit's edgescope, so keep to the API that commit has.
import { recordWork } from './workload.js';
import { exporters, instrument, scopeOf } from 'edgescope';
import { respond } from './responses.js';

export default instrument(
  {
    async fetch(request, env) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      recordWork(t, url);
      return respond(env.KIND, url, env);
    },
  },
  (env) => ({ service: 'bench', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
