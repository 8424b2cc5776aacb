// A Worker that raises errors and alerts on them through 'edgescope/alerts', for
// tests/workerd/alerts.test.js. Several copies run as separate Workers (separate isolates), all
// bound to one EdgescopeState (defined by the first). Every channel points at the test's loopback
// receivers (env.RECEIVER) and the send_email binding SEND_EMAIL.
//   GET /error?n=<i>   throws and catches "database connection reset (order <i>)", alerts on it in
//                      waitUntil, answers 500
//   GET /resolve?fingerprint=<f>  resolves the PagerDuty alert, answers the per-channel results
//   GET /stats         this isolate's createAlerts().stats()
import { alertInvocation, createAlerts, email, pagerDuty, slack, webhook } from 'edgescope/alerts';
import { recordOf } from './alert-records.js';

export { EdgescopeState } from 'edgescope';

let alerts = null;
function alertsFor(env) {
  alerts ??= createAlerts({
    service: 'checkout',
    version: 'v42',
    cooldownMs: Number(env.COOLDOWN_MS),
    traceLink: 'https://ui.example.com/trace/{traceId}',
    state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
    channels: {
      pager: pagerDuty({ routingKey: env.PD_ROUTING_KEY, url: `${env.RECEIVER}/pagerduty`, source: 'checkout.example.com' }),
      chat: slack({ webhookUrl: `${env.RECEIVER}/slack/T000/B000/XXXX` }),
      hook: webhook({ url: `${env.RECEIVER}/webhook`, secret: env.WEBHOOK_SECRET }),
      mail: email({ binding: env.SEND_EMAIL, from: 'alerts@example.com', to: 'oncall@example.com' }),
    },
  });
  return alerts;
}

const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const a = alertsFor(env);
    if (url.pathname === '/stats') return Response.json(a.stats());
    if (url.pathname === '/resolve') return Response.json(await a.resolve(url.searchParams.get('fingerprint')));
    try {
      throw new Error(`database connection reset (order ${url.searchParams.get('n')})`);
    } catch (error) {
      const records = [recordOf(error, { traceId: hex(16), spanId: hex(8) })];
      alertInvocation(a, { ctx }, records, { settle: () => records });
      return new Response('failed', { status: 500 });
    }
  },
};
