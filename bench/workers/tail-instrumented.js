// The in-isolate side of bench/tail-overhead.mjs: the uninstrumented handler (./plain.js's) under
// instrument() with its defaults (a root span and http.server.request.duration per request), so it
// records what the tail Worker records, but inside the watched isolate.
import { exporters, instrument } from 'edgescope';
import { respond } from './responses.js';

export default instrument(
  {
    async fetch(request, env) {
      return respond(env.KIND, new URL(request.url), env);
    },
  },
  (env) => ({ service: 'bench', exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
