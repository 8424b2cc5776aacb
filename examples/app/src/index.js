// An instrumented Worker: every request produces a root span, child spans, metrics and logs,
// exported after the response body has been delivered, inside the request's own waitUntil.
import { exporters, instrument, scopeOf } from 'edgescope';

const ITEMS = [
  { id: 1, name: 'tea' },
  { id: 2, name: 'coffee' },
  { id: 3, name: 'cocoa' },
];

// A small memory tier in front of the Cache API: module scope lives as long as the isolate, and a
// Workers isolate may be evicted at any time, so it only ever holds a few entries.
const MEMO_ENTRIES = 4;
const memo = new Map();

function remember(sku, price) {
  memo.delete(sku);
  memo.set(sku, price);
  if (memo.size > MEMO_ENTRIES) memo.delete(memo.keys().next().value);
}

// A price from memory, from the Cache API (scope.caches: match and put are spans, a match counts
// as a 'cache' lookup), or built: the 'index' span's source decides the request's cache.tier.
async function price(t, sku) {
  return t.trace('index', async (span) => {
    const held = memo.get(sku);
    t.recordFetch({ tier: 'memory', hit: held !== undefined, durationMs: 0 }); // a Map lookup
    if (held !== undefined) {
      span.setSource('memory');
      return held;
    }
    const key = new Request(`https://prices.example/sku/${sku}`);
    const cached = await t.caches.default.match(key);
    if (cached) {
      const value = await cached.json();
      remember(sku, value);
      span.setSource('cache');
      return value;
    }
    await scheduler.wait(20); // stands in for the origin
    const value = { sku, cents: 100 + sku * 7 };
    await t.caches.default.put(key, Response.json(value, { headers: { 'cache-control': 'max-age=300' } }));
    remember(sku, value);
    span.setSource('build');
    return value;
  });
}

function intParam(url, name, fallback, min, max) {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

const badParam = (name, min, max) => Response.json({ error: `${name} must be an integer from ${min} to ${max}` }, { status: 400 });

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
  /api/items       child spans, a counter, a histogram and a log line
  /api/items/9     an unknown item: 404
  /api/price?sku=3 a memory tier in front of the Cache API (cache.tier memory, cache or build)
  /slow?ms=800     a slow upstream call (at most 5000 ms)
  /stream          a streamed body; telemetry recorded while streaming is exported after it
  /error           a handler that throws (the runtime answers 500; the span records the exception)

Each request's telemetry goes to the collector; npm start prints its dashboard's URL.
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
          const sku = intParam(url, 'sku', 1, 1, 1000);
          if (sku === null) return badParam('sku', 1, 1000);
          return Response.json(await price(t, sku));
        }
        case '/slow': {
          t.setRoute('/slow');
          const ms = intParam(url, 'ms', 800, 0, 5000);
          if (ms === null) return badParam('ms', 0, 5000);
          await t.trace('upstream.call', () => scheduler.wait(ms));
          return Response.json({ waitedMs: ms });
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
          if (url.pathname.startsWith('/api/items/')) {
            t.setRoute('/api/items/:id');
            const item = ITEMS.find((it) => `/api/items/${it.id}` === url.pathname);
            return item ? Response.json(item) : Response.json({ error: 'no such item' }, { status: 404 });
          }
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
      exporters.http({ url: env.COLLECTOR_URL, bearerToken: env.COLLECTOR_TOKEN || undefined }),
      ...(env.EDGESCOPE_CONSOLE === '1' ? [exporters.console()] : []),
    ],
  }),
);
