// An instrumented Worker exporting one drain to three collectors at once: native JSON, OTLP JSON
// and OTLP protobuf, all gzip with a bearer token. The same records (same ids) reach each, so the
// test can compare what each collector stored. Each request makes three spans (one failing), two
// logs, a counter, an up-down counter, a gauge and two histograms (explicit and exponential).
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      if (new URL(request.url).pathname === '/__stats') return Response.json(t.telemetry.stats());
      await t.trace('load', async (span) => {
        span.setAttributes({ 'cart.items': 3, 'cart.total': 12.5, 'cart.tags': ['a', 'b'], 'cart.gift': false });
        await t.trace('db.query', async () => {
          throw new TypeError('connection reset');
        }, { kind: 'client' }).catch(() => {});
      });
      t.metrics.increment('app.requests', 1, { route: '/item' });
      t.metrics.add('app.inflight', -1, { pool: 'db' });
      t.metrics.gauge('app.queue', 7, {}, { unit: '{item}' });
      t.metrics.histogram('app.size', 512, { route: '/item' }, { unit: 'By' });
      t.metrics.histogram('app.wait', 0.25, { route: '/item' }, { unit: 's' });
      t.log.info('handled', { item: 1 });
      t.log.warn('slow');
      return new Response('ok');
    },
  },
  (env) => {
    const to = (url, format) => exporters.http({ url, format, bearerToken: env.TOKEN, compression: 'gzip', retries: 0, timeoutMs: 5000 });
    return {
      service: 'sender',
      requestMetrics: false,
      beforeSend: (record) => (record.type === 'span' && record.attributes?.['url.path'] === '/__stats' ? null : record),
      exporters: [to(env.NATIVE_URL, 'native'), to(env.OTLP_JSON_URL, 'otlp-json'), to(env.OTLP_PROTO_URL, 'otlp-proto')],
    };
  },
);
