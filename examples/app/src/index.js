// An instrumented Worker: every request produces a root span, child spans, metrics and logs,
// exported after the response body has been delivered, inside the request's own waitUntil.
import { exporters, instrument, scopeOf } from 'edgescope';

const ITEMS = [
  { id: 1, name: 'tea' },
  { id: 2, name: 'coffee' },
  { id: 3, name: 'cocoa' },
];

async function listItems(t) {
  return t.trace('db.query', async (span) => {
    span.setAttributes({ 'db.system': 'memory', 'db.operation.name': 'SELECT' });
    await scheduler.wait(5); // stands in for I/O
    return ITEMS;
  });
}

function page() {
  return `edgescope example app

Try:
  /api/items   child spans, a counter, a histogram and a log line
  /stream      a streamed body; telemetry recorded while streaming is exported after it
  /error       a handler that throws (the runtime answers 500; the span records the exception)

Each request's telemetry is printed by the capture collector in the npm start terminal.
`;
}

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      switch (url.pathname) {
        case '/api/items': {
          t.setRoute('/api/items');
          const stop = t.metrics.startTimer('items.load.duration');
          const items = await listItems(t);
          stop();
          t.metrics.increment('items.listed', items.length, { source: 'memory' });
          t.log.info('listed items', { count: items.length });
          return Response.json(items);
        }
        case '/stream': {
          t.setRoute('/stream');
          let i = 0;
          const body = new ReadableStream({
            async pull(controller) {
              if (i === 5) return controller.close();
              await scheduler.wait(100);
              t.trace('stream.chunk', (span) => span.setAttribute('chunk.index', i));
              t.log.debug('chunk sent', { index: i });
              controller.enqueue(new TextEncoder().encode(`chunk ${i++}\n`));
            },
          });
          return new Response(body, { headers: { 'content-type': 'text/plain' } });
        }
        case '/error':
          t.setRoute('/error');
          throw new Error('something broke on purpose');
        default:
          t.setRoute('/');
          return new Response(page(), { headers: { 'content-type': 'text/plain; charset=utf-8' } });
      }
    },
  },
  (env) => ({
    service: 'example-app',
    resource: { 'deployment.environment': env.ENVIRONMENT ?? 'local' },
    exporters: [
      exporters.http({ url: env.COLLECTOR_URL }),
      ...(env.EDGESCOPE_CONSOLE === '1' ? [exporters.console()] : []),
    ],
  }),
);
