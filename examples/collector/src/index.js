// The edgescope collector as a deployable Worker: ingest into D1 (binding DB), the query API and
// the dashboard at `/`.
//
// Tokens are wrangler secrets. Senders: `wrangler secret put INGEST_TOKEN`. Readers (the query API
// and the dashboard's data): `wrangler secret put READ_TOKEN`; without it reads are refused. To
// rotate either, put the new value in INGEST_TOKEN_NEXT / READ_TOKEN_NEXT, move the clients to
// it, then swap and `wrangler secret delete` the old one: a token whose secret is absent is not
// accepted.
//
// `npm start` (scripts/start.mjs) runs this same Worker under `wrangler dev` on local D1. It passes
// a fresh INGEST_TOKEN for the run (a local secret file in a temporary directory, removed when it
// stops) and the var EDGESCOPE_LOCAL_READ=1, which opens reads without a token, so the dashboard
// needs no setup. That applies only to requests whose URL is a loopback address (wrangler dev's
// http://127.0.0.1:PORT/); a deployed Worker is reached by its hostname, so even with the var set
// by mistake its reads still need READ_TOKEN.
import { createCollector } from 'edgescope/collector';

const config = {
  tokens: [
    { name: 'current', secret: 'INGEST_TOKEN' },
    { name: 'next', secret: 'INGEST_TOKEN_NEXT' },
  ],
  readTokens: [
    { name: 'reader', secret: 'READ_TOKEN' },
    { name: 'reader-next', secret: 'READ_TOKEN_NEXT' },
  ],
  database: 'DB',
  // The example app's SLOs (README "SLOs and burn-rate alerts"): availability over every request,
  // and latency on its items route. Burn-rate alerts go nowhere until `alerting.channels` is set.
  slos: [
    { name: 'example-app-availability', service: 'example-app', kind: 'availability', objective: 0.99 },
    { name: 'example-app-items-latency', service: 'example-app', kind: 'latency', route: '/api/items', thresholdMs: 100, objective: 0.99 },
  ],
};

// Both validated when the module loads, so a bad configuration fails at once, not on a request.
const collector = createCollector(config);
const localCollector = createCollector({ ...config, publicRead: true });

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLocalRun(request, env) {
  return env?.EDGESCOPE_LOCAL_READ === '1' && LOOPBACK.has(new URL(request.url).hostname);
}

export default {
  // Any other handler the collector has (the cron trigger's `scheduled`) is the collector's own.
  ...collector,
  fetch(request, env, ctx) {
    return (isLocalRun(request, env) ? localCollector : collector).fetch(request, env, ctx);
  },
};
