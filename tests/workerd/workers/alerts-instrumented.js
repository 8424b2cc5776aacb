// A plain Worker wrapped by instrument(), for tests/workerd/alerts-instrumented.test.js: the error
// records alerts read are the ones instrument() classified with the default rules, nothing built
// by hand. Several copies run as separate Workers (separate isolates) bound to one EdgescopeState;
// a copy without the EDGESCOPE_STATE binding has no `alerts` at all.
//   GET /orders?n=<i>  throws "D1_ERROR: no such table: orders_<i>" out of the handler (database, CRITICAL)
//   GET /quote?n=<i>   throws a TimeoutError "upstream quote timed out after <i> ms" (timeout,
//                      WARNING; the default rule's `repeated` makes it CRITICAL from 5 in 10 minutes)
//   GET /stats         this isolate's createAlerts().stats(), null without alerts
// Bindings: COLLECTOR_URL, SERVICE, RECEIVER, COOLDOWN_MS, PD_ROUTING_KEY, WEBHOOK_SECRET,
// EDGESCOPE_STATE (optional).
import { exporters, instrument, scopeOf } from 'edgescope';
import { createAlerts, pagerDuty, slack, webhook } from 'edgescope/alerts';

export { EdgescopeState } from 'edgescope';

// One per isolate, made where instrument() resolves its config (once per isolate), so /stats
// reads the decisions of the same object finalize hands the records to.
let alerts;

function alertsOf(env) {
  if (!env.EDGESCOPE_STATE) return undefined;
  alerts ??= createAlerts({
    service: env.SERVICE,
    cooldownMs: Number(env.COOLDOWN_MS),
    state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
    channels: {
      pager: pagerDuty({ routingKey: env.PD_ROUTING_KEY, url: `${env.RECEIVER}/pagerduty`, source: 'checkout.example.com' }),
      chat: slack({ webhookUrl: `${env.RECEIVER}/slack/T000/B000/XXXX` }),
      hook: webhook({ url: `${env.RECEIVER}/webhook`, secret: env.WEBHOOK_SECRET }),
    },
  });
  return alerts;
}

// One throw site each: the fingerprint reads the top stack frame, so every request's error is the
// same error, differing only in the number in its message.
async function loadOrders(n) {
  throw new Error(`D1_ERROR: no such table: orders_${n}`);
}

async function fetchQuote(n) {
  throw Object.assign(new Error(`upstream quote timed out after ${n} ms`), { name: 'TimeoutError' });
}

export default instrument(
  {
    async fetch(request) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      const n = Number(url.searchParams.get('n') ?? 0);
      if (url.pathname === '/orders') {
        t.setRoute('/orders');
        await loadOrders(n);
      }
      if (url.pathname === '/quote') {
        t.setRoute('/quote');
        await fetchQuote(n);
      }
      t.setRoute('/stats');
      return Response.json(alerts?.stats() ?? null);
    },
  },
  (env) => ({
    service: env.SERVICE,
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0, timeoutMs: 2000 }),
    alerts: alertsOf(env),
  }),
);
