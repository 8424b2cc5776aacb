// A Worker whose errors are classified (js/monitoring/): a failing D1 query, a 429 response and a
// fatal log, each steered by the path; `id` varies what an error message carries.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      const id = url.searchParams.get('id') ?? '1';
      if (url.pathname === '/d1') {
        t.setRoute('/d1');
        // A real D1 error from the binding: the table does not exist ("D1_ERROR: no such table").
        await t.trace('d1.query', async (span) => {
          span.setAttribute('db.system', 'cloudflare.d1');
          await env.DB.prepare(`SELECT * FROM orders WHERE id = ${Number(id)}`).all();
        });
        return new Response('unreachable');
      }
      if (url.pathname === '/limited') {
        t.setRoute('/limited');
        return new Response('slow down', { status: 429 });
      }
      if (url.pathname === '/fatal') {
        t.setRoute('/fatal');
        t.log.fatal(`payment provider unreachable for order ${id}`);
        return new Response('ok');
      }
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'errors-worker',
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0, timeoutMs: 2000 }),
  }),
);
