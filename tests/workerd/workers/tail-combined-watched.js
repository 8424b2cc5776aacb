// The in-isolate half of the combined setup (README "Which mode when"): instrument() records only
// what the tail Worker cannot see (a custom span, a business metric); `requestMetrics: false`
// leaves http.server.request.duration to the tail Worker (tail-combined-consumer.js), which
// watches this Worker, so each request is counted once; `errors: { count: false }` leaves the
// `errors` counter to it too.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      if (url.pathname === '/fail') throw new RangeError('cart is empty');
      const items = await t.trace('price cart', async (span) => {
        span.setAttribute('cart.items', 3);
        return 3;
      });
      t.metrics.increment('cart.checkouts', 1, { 'cart.items': items });
      return new Response(`checked out ${items}`);
    },
  },
  (env) => ({ service: 'shop', requestMetrics: false, errors: { count: false }, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }),
);
