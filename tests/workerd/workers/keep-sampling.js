// Head sampling at 10% with keep rules (README "Sampling that keeps what matters"). Every request
// logs its kind (logs are exported whether or not its trace is sampled, with its trace id), ends
// a `load` child before the response and a `background` span after it (ctx.waitUntil), so a kept
// trace must arrive with spans that ended before and after its keep decision.
//   /ok      200
//   /throw   the handler throws (error rule)
//   /fail    503 (a 5xx sets the root's error status: error rule)
//   /slow    a `db.system.name` CLIENT span and the request take SLOW_WAIT_MS of wall time
//            (setTimeout: workerd's clock only advances across I/O), past slowerThanMs
import { exporters, instrument, scopeOf } from 'edgescope';

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default instrument(
  {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      const kind = url.pathname.slice(1);
      t.log.info('request', { kind });
      await t.trace('load', () => 1);
      ctx.waitUntil(t.trace('background', () => wait(2)));
      if (kind === 'throw') throw new Error('handler exploded');
      if (kind === 'fail') return new Response('unavailable', { status: 503 });
      if (kind === 'slow') {
        await t.trace('SELECT users', () => wait(Number(env.SLOW_WAIT_MS)), {
          kind: 'client',
          attributes: { 'db.system.name': 'sqlite' },
        });
      }
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'keep-sampling',
    sampling: JSON.parse(env.SAMPLING),
    slow: { requestMs: Number(env.SLOW_MS) },
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0, timeoutMs: 5000 }),
  }),
);
