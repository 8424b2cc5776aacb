// A Worker exporting OTLP/HTTP binary protobuf (format 'otlp-proto') to the collector's OTLP base
// URL, gzipped when env.COMPRESSION is 'gzip'. One span, a child, a metric and a log per request.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const path = new URL(request.url).pathname;
      await t.trace('load', (span) => span.setAttribute('item.count', 3));
      t.metrics.increment('app.requests', 1, { path });
      t.log.info('handled', { path });
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'proto-worker',
    requestMetrics: false,
    // COLLECTOR_URL is the collector's native ingest URL; OTLP takes its base (origin).
    exporter: exporters.http({
      url: new URL(env.COLLECTOR_URL).origin,
      format: 'otlp-proto',
      compression: env.COMPRESSION ?? 'none',
      retries: 0,
      timeoutMs: 2000,
    }),
  }),
);
