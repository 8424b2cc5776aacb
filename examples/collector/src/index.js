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
// needs no setup. That applies only to a request that both
// - has a loopback URL (wrangler dev's http://127.0.0.1:PORT/), and
// - came from a loopback client: CF-Connecting-IP, which Cloudflare sets on every request from
//   the internet to the client's address (developers.cloudflare.com/fundamentals/reference/http-headers/)
//   and wrangler dev (Miniflare) sets to the local client's, is 127.x.x.x or ::1.
// The URL alone is not enough: another Worker calling this one through a service binding chooses
// the URL (http://localhost/api/logs is as good as any) and sends no CF-Connecting-IP of its own,
// and a Worker forwarding its visitors' requests carries their public address. Either way the
// request is not a local run's, so with the var set by mistake in production its reads still need
// READ_TOKEN. What remains: a Worker of the same account that sets CF-Connecting-IP to a loopback
// address itself — code deployed by the account, which can hold READ_TOKEN anyway. Never set
// EDGESCOPE_LOCAL_READ outside `npm start`.
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

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 and its IPv4-mapped form (RFC 4291 §2.5.3, §2.5.5.2).
const LOOPBACK_IP = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

function isLocalRun(request, env) {
  if (env?.EDGESCOPE_LOCAL_READ !== '1') return false;
  const client = request.headers.get('cf-connecting-ip');
  return client !== null && LOOPBACK_IP.test(client.trim()) && LOOPBACK_HOSTS.has(new URL(request.url).hostname);
}

export default {
  // Any other handler the collector has (the cron trigger's `scheduled`) is the collector's own.
  ...collector,
  fetch(request, env, ctx) {
    return (isLocalRun(request, env) ? localCollector : collector).fetch(request, env, ctx);
  },
};
