// Streams `chunks` chunks, `delay` ms apart, recording a span, a metric and a log per chunk while
// the body is being delivered: all of it must be in the export.
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      const chunks = Number(url.searchParams.get('chunks') ?? 5);
      const delay = Number(url.searchParams.get('delay') ?? 5);
      const failAt = Number(url.searchParams.get('fail') ?? -1);
      const encoder = new TextEncoder();
      let i = 0;
      const body = new ReadableStream({
        async pull(controller) {
          if (i >= chunks) {
            t.log.info('stream done');
            controller.close();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (i === failAt) {
            controller.error(new Error('stream source failed'));
            return;
          }
          t.trace('chunk', (span) => span.setAttribute('chunk.index', i));
          t.metrics.increment('chunks.sent');
          t.log.info('chunk', { index: i });
          controller.enqueue(encoder.encode(`chunk ${i}\n`));
          i++;
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    },
  },
  (env) => ({
    service: 'streaming-worker',
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }),
  }),
);
