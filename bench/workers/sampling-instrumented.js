// The instrumented sides of bench/sampling-overhead.mjs: the workload of ./workload.js (root span
// + 5 child spans with 2 attributes each, 3 metric updates, 1 log line) and the same short string
// response as ./plain.js, with the sampling config env.SAMPLING (JSON: { ratio, keep? }), exported
// in native JSON to env.COLLECTOR_URL.
import { recordWork } from './workload.js';
import { exporters, instrument, scopeOf } from 'edgescope';
import { respond } from './responses.js';

export default instrument(
  {
    async fetch(request, env) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      recordWork(t, url);
      return respond('string', url, env);
    },
  },
  (env) => ({
    service: 'bench',
    requestMetrics: false,
    sampling: JSON.parse(env.SAMPLING),
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0 }),
  }),
);
