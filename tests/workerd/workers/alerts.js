// A Worker that raises errors and alerts on them through 'edgescope/alerts', for
// tests/workerd/alerts.test.js. Several copies run as separate Workers (separate isolates), all
// bound to one EdgescopeState (defined by the first). Every channel points at the test's loopback
// receivers (env.RECEIVER) and the send_email binding SEND_EMAIL.
//   GET /error?n=<i>   throws and catches "database connection reset (order <i>)", alerts on it in
//                      waitUntil, answers 500
//   GET /timeout?n=<i> a WARNING "upstream timed out after <i> ms" whose `repeated` rule makes it
//                      CRITICAL at 5 occurrences in a minute, fleet-wide
//   ?set=broken        alerts through channels that fail (Slack answers 404, the webhook is unreachable)
//   ?set=outage        alerts whose Durable Object is unreachable (requests rejected, as when overloaded)
//   ?set=kv            alerts de-duplicated in KV (binding ALERTS_KV) instead of the Durable Object
//   ?set=resolve, ?set=race   the main channels and Durable Object, each under a service of its
//                      own (so an object of its own), for the resolve tests
//   GET /resolve?fingerprint=<f>  resolves the PagerDuty alert, answers the per-channel results
//   GET /stats         this isolate's createAlerts().stats()
import { alertInvocation, createAlerts, email, pagerDuty, slack, webhook } from 'edgescope/alerts';
import { recordOf, settleLikeClassifier } from './alert-records.js';

export { EdgescopeState } from 'edgescope';

const sets = new Map();
// An object that rejects every request, as an overloaded Durable Object does.
const unreachable = {
  idFromName: (name) => name,
  get: () => ({ request: () => Promise.reject(new Error('Durable Object is overloaded. Requests queued for too long.')) }),
};
function alertsFor(env, set) {
  const states = {
    main: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
    outage: { store: 'durable-object', namespace: unreachable },
    kv: { store: 'kv', namespace: env.ALERTS_KV },
    resolve: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
    race: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
  };
  if (!sets.has(set)) sets.set(set, set === 'broken' ? brokenAlerts(env) : mainAlerts(env, states[set], set));
  return sets.get(set);
}

function brokenAlerts(env) {
  return createAlerts({
    service: 'broken',
    state: { store: 'durable-object', namespace: env.EDGESCOPE_STATE },
    channels: {
      chat: slack({ webhookUrl: `${env.RECEIVER}/gone`, retries: 0 }),
      hook: webhook({ url: env.UNREACHABLE, retries: 0, timeoutMs: 2000 }),
    },
  });
}

function mainAlerts(env, state, set) {
  return createAlerts({
    service: set === 'main' ? 'checkout' : set,
    version: 'v42',
    cooldownMs: Number(env.COOLDOWN_MS),
    traceLink: 'https://ui.example.com/trace/{traceId}',
    state,
    channels: {
      pager: pagerDuty({ routingKey: env.PD_ROUTING_KEY, url: `${env.RECEIVER}/pagerduty`, source: 'checkout.example.com' }),
      chat: slack({ webhookUrl: `${env.RECEIVER}/slack/T000/B000/XXXX` }),
      hook: webhook({ url: `${env.RECEIVER}/webhook`, secret: env.WEBHOOK_SECRET }),
      mail: email({ binding: env.SEND_EMAIL, from: 'alerts@example.com', to: 'oncall@example.com' }),
    },
  });
}

const hex = (bytes) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const a = alertsFor(env, url.searchParams.get('set') ?? 'main');
    if (url.pathname === '/stats') return Response.json(a.stats());
    if (url.pathname === '/resolve') return Response.json(await a.resolve(url.searchParams.get('fingerprint')));
    const n = url.searchParams.get('n');
    const timeout = url.pathname === '/timeout';
    try {
      if (timeout) throw Object.assign(new Error(`upstream timed out after ${n} ms`), { name: 'TimeoutError' });
      throw new Error(`database connection reset (order ${n})`);
    } catch (error) {
      const records = [
        timeout
          ? recordOf(error, { severity: 'WARNING', category: 'timeout', route: '/quote', status: 504, traceId: hex(16), spanId: hex(8), repeated: { count: 5, windowMs: 60_000, severity: 'CRITICAL' } })
          : recordOf(error, { traceId: hex(16), spanId: hex(8) }),
      ];
      alertInvocation(a, { ctx }, records, { settle: (occurrences) => settleLikeClassifier(records, occurrences) });
      return new Response('failed', { status: timeout ? 504 : 500 });
    }
  },
};
