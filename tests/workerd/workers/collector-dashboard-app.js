// The traffic the dashboard test shows: an instrumented Worker reporting to the collector
// (native format, gzip, bearer token) as the service env.SERVICE names, with routes, cache lookups, a slow route, thrown errors
// and logs. Durations come from real waits (workerd's clock advances across awaited timers;
// nothing here is timed inside workerd).
//   GET /items/:id   200 with a child span; a memory lookup that hits for even ids, then KV (hit, 512 bytes) on a miss
//   GET /slow        200 after a 40 ms wait; one log line
//   GET /boom        throws (a 500) after an error log and a child span
import { exporters, instrument, scopeOf } from 'edgescope';

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default instrument(
  {
    async fetch(request) {
      const scope = scopeOf(request);
      const { pathname } = new URL(request.url);
      const item = /^\/items\/(\d+)$/.exec(pathname);
      if (item) {
        scope.setRoute('/items/:id');
        const hot = Number(item[1]) % 2 === 0;
        scope.recordFetch({ tier: 'memory', hit: hot, durationMs: 0.1 });
        if (!hot) scope.recordFetch({ tier: 'kv', hit: true, durationMs: 4, bytes: 512 });
        await scope.trace('load item', () => wait(5));
        scope.log.info('item served', { id: item[1] });
        return Response.json({ id: item[1] });
      }
      if (pathname === '/slow') {
        scope.setRoute('/slow');
        await wait(40);
        scope.log.warn('slow path taken');
        return new Response('slow');
      }
      if (pathname === '/boom') {
        scope.setRoute('/boom');
        scope.log.error('about to fail');
        await scope.trace('check stock', () => wait(2));
        throw new TypeError('the widget is missing');
      }
      return new Response('not found', { status: 404 });
    },
  },
  (env) => ({
    service: env.SERVICE,
    exporter: exporters.http({ url: env.COLLECTOR_URL, bearerToken: env.TOKEN, compression: 'gzip', retries: 0, timeoutMs: 5000 }),
  }),
);
