// The edgescope tail Worker: every Worker that names it in `tail_consumers` hands it each finished
// invocation (a TraceItem), and it records the root span, the RED metrics, the platform's CPU time,
// the console logs and the exceptions of that invocation, then sends them to the collector. The
// watched Workers run no edgescope code (README "Tail Workers").
//
// The config is a function of env: the collector URL and its ingest token are per-deployment
// (vars and a secret), and are read once, at the first tail() call.
import { exporters, tailWorker } from 'edgescope/tail';

export default tailWorker((env) => ({
  // Names items whose scriptName is null (every item under wrangler dev / Miniflare); in
  // production each record's service.name is the watched Worker's script name.
  service: 'edgescope-example-watched',
  exporters: [exporters.http({ url: env.COLLECTOR_URL, bearerToken: env.COLLECTOR_TOKEN || undefined })],
}));
