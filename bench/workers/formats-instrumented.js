// The instrumented sides of bench/formats.mjs and bench/cold-start.mjs: the same recording as
// ./instrumented.js (./workload.js: a root span and 5 child spans with 2 attributes each, 3 metric
// updates, 1 log line) and the same short string response, exported to env.COLLECTOR_URL in the
// wire format env.FORMAT with compression env.COMPRESSION and head sampling ratio env.SAMPLE_RATE.
// Every instrumented side of one run bundles this one file; they differ only in those bindings.
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
    sampleRate: Number(env.SAMPLE_RATE ?? 1),
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: env.FORMAT, compression: env.COMPRESSION, retries: 0 }),
  }),
);
