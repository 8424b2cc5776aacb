// An instrumented Worker: every request produces a root span, child spans, metrics and logs,
// exported after the response body has been delivered, inside the request's own waitUntil.
import { instrument, scopeOf } from 'edgescope';
// Exporters by name from 'edgescope/exporters': the bundle keeps only the two this Worker uses.
import { console as consoleExporter, http } from 'edgescope/exporters';

const ITEMS = [
  { id: 1, name: 'tea' },
  { id: 2, name: 'coffee' },
  { id: 3, name: 'cocoa' },
];

// A price from the Cache API (scope.caches: match and put are spans, and a match counts as a
// 'cache' lookup, hit or miss) or built on a miss: the 'index' span's source decides the
// request's cache.tier.
async function price(t, sku) {
  return t.trace('index', async (span) => {
    const key = `https://prices.example/sku/${sku}`;
    const cached = await t.caches.default.match(key);
    span.setSource(cached ? 'cache' : 'build');
    if (cached) return cached.json();
    await scheduler.wait(20); // stands in for the origin
    const value = { sku, cents: 100 + sku * 7 };
    await t.caches.default.put(key, Response.json(value, { headers: { 'cache-control': 'max-age=300' } }));
    return value;
  });
}

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
  /api/items    child spans, a counter, a histogram and a log line
  /api/price    from the Cache API or built (cache.tier)
  /stream       a streamed body; telemetry recorded while streaming is exported after it
  /error        a handler that throws (the runtime answers 500; the span records the exception)

See it all on the dashboard whose URL npm start printed.
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
        case '/api/price': {
          t.setRoute('/api/price');
          const sku = url.searchParams.get('sku') ?? '1';
          if (!/^\d{1,3}$/.test(sku)) return Response.json({ error: 'sku: 0 to 999' }, { status: 400 });
          return Response.json(await price(t, Number(sku)));
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
      // COLLECTOR_TOKEN: the collector's ingest token (npm start generates one per run and passes
      // it as a local secret; deployed, `wrangler secret put COLLECTOR_TOKEN`).
      http({ url: env.COLLECTOR_URL, bearerToken: env.COLLECTOR_TOKEN || undefined }),
      ...(env.EDGESCOPE_CONSOLE === '1' ? [consoleExporter()] : []),
    ],
  }),
);
