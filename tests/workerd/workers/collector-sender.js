// An instrumented Worker sending to the edgescope collector: native format, gzip, a bearer token.
// Each request makes three spans (the request, `load`, `db.query`), one log and one counter.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      if (new URL(request.url).pathname === '/__stats') return Response.json(t.telemetry.stats());
      await t.trace('load', async () => {
        await t.trace('db.query', () => 1);
      });
      t.metrics.increment('app.requests', 1);
      t.log.info('handled');
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'sender',
    requestMetrics: false,
    beforeSend: (record) => (record.type === 'span' && record.attributes?.['url.path'] === '/__stats' ? null : record),
    exporter: exporters.http({ url: env.COLLECTOR_URL, bearerToken: env.TOKEN, compression: 'gzip', retries: 0, timeoutMs: 5000 }),
  }),
);
