// A Worker shaped like the ones users write: instrument() around fetch, with child spans, a
// metric and a log per request. Behaviour is steered by query parameters so one bundle serves
// several tests.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      if (url.pathname === '/throw') throw new Error('handler exploded');
      if (url.pathname === '/sized') return new Response('12345', { headers: { 'content-length': '5' } });
      if (url.pathname === '/__stats') return Response.json(t.telemetry.stats());
      if (url.pathname === '/bad-strings') {
        t.span.setAttributes({ lone: 'a\uD800b', huge: 'x'.repeat(100_000) });
        t.log.warn('m'.repeat(1_000_000));
        return new Response('ok');
      }
      await t.trace('load', async (span) => {
        span.setAttribute('item.count', 3);
        await t.trace('db.query', () => 1);
      });
      t.metrics.increment('app.requests', 1, { path: url.pathname });
      t.log.info('handled', { path: url.pathname });
      return new Response(`hello from ${url.pathname}`, { headers: { 'content-type': 'text/plain' } });
    },
  },
  (env) => ({
    service: 'basic-worker',
    sampleRate: Number(env.SAMPLE_RATE ?? 1),
    maxBatchSize: env.MAX_BATCH_SIZE ? Number(env.MAX_BATCH_SIZE) : undefined,
    requestMetrics: false,
    buffer: env.BUFFER === 'off' ? false : undefined,
    // The tests' /__stats probe leaves no span, so polling it adds no payload of its own.
    beforeSend: (record) => (record.type === 'span' && record.attributes?.['url.path'] === '/__stats' ? null : record),
    exporter: exporters.http({
      url: env.COLLECTOR_URL,
      format: env.FORMAT ?? 'native',
      retries: Number(env.RETRIES ?? 0),
      timeoutMs: 2000,
    }),
  }),
);
