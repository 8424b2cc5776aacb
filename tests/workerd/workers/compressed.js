// A Worker exporting through exporters.http({ compression: 'gzip' }): the request body is gzipped
// by workerd's own CompressionStream. One span, a child, a metric and a log per request.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      await t.trace('load', (span) => span.setAttribute('item.count', 3));
      t.metrics.increment('app.requests', 1, { path: new URL(request.url).pathname });
      t.log.info('handled', { path: new URL(request.url).pathname });
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'compressed-worker',
    requestMetrics: false,
    // COLLECTOR_URL is the collector's native ingest URL; OTLP takes its base (origin).
    exporter: exporters.http({
      url: env.FORMAT === 'otlp-json' ? new URL(env.COLLECTOR_URL).origin : env.COLLECTOR_URL,
      format: env.FORMAT,
      compression: 'gzip',
      retries: 0,
      timeoutMs: 2000,
    }),
  }),
);
