// Work that outlives the response, span trees across ended parents, concurrency and failures:
// the parts of an invocation's life that are not the handler's return value.
import { createTelemetry, exporters, instrument, scopeOf } from 'edgescope';

let other = null; // a second, unrelated Telemetry in the same isolate
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default instrument(
  {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      switch (url.pathname) {
        case '/background': {
          // Work handed to waitUntil that finishes well after the response.
          ctx.waitUntil(
            t.trace('background', async (span) => {
              await pause(150);
              span.setAttribute('late.attribute', 'set after the response');
              t.log.info('written after the response');
            }),
          );
          return new Response('accepted', { status: 202 });
        }
        case '/child-of-ended': {
          const parent = t.startSpan('parent');
          parent.end();
          ctx.waitUntil(
            (async () => {
              await pause(50);
              const child = parent.startSpan('late-child');
              child.end();
            })(),
          );
          return new Response('ok');
        }
        case '/forgotten': {
          t.startSpan('never-ended');
          return new Response('ok');
        }
        case '/foreign-parent': {
          other ??= createTelemetry({ service: 'other', exporter: exporters.http({ url: env.COLLECTOR_URL }) });
          const foreign = other.startSpan('foreign-root');
          const child = t.telemetry.startSpan('child-of-foreign', { parent: foreign });
          child.end();
          foreign.end();
          ctx.waitUntil(other.flush());
          return new Response('ok');
        }
        case '/slow': {
          await pause(Number(url.searchParams.get('ms') ?? 100));
          t.log.info('slow done', { id: url.searchParams.get('id') });
          return new Response(url.searchParams.get('id'));
        }
        case '/status-ok-500': {
          t.span.setStatus('ok');
          return new Response('fine, really', { status: 503 });
        }
        case '/stats':
          return Response.json(t.telemetry.stats());
        default:
          return new Response('not found', { status: 404 });
      }
    },
    async scheduled(controller) {
      if (controller.cron === 'throw') throw new Error('cron exploded');
    },
    async queue(batch) {
      if (batch.queue === 'throw') throw new Error('queue exploded');
      for (const m of batch.messages) m.ack();
    },
  },
  (env) => ({
    service: 'lifecycle-worker',
    requestMetrics: false,
    backgroundDeadlineMs: Number(env.BACKGROUND_DEADLINE_MS ?? 5000),
    exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
  }),
);
