// A streaming Server-Sent Events Worker: GET /events answers at once with an event stream, and
// the work that decides where the answer came from (the `index` span, the `file:<name>` spans)
// happens while the stream is being written, after the handler has returned. The request's
// cache tier is read at finalize (after the last byte), so it is the real one; a tracer read right
// after `await handler()` would say "none" for every request.
//
// Tiers: an `index` or `file:*` span says where its data came from with span.setSource():
// memory (this isolate's Map), kv, r2, build (computed from scratch) or miss. The first matching
// span that is not a miss decides the request's tier (README "Cache tiers"). The KV and R2 calls
// go through env as instrument() hands it to the handler, so each is a traced client span and a
// recorded lookup without a line of telemetry code; the memory lookups are recorded by hand with
// scope.recordFetch().
//
//   POST /seed                       puts three files into R2 and forgets the KV index
//   GET  /events                     index (memory, kv or build), then every file (memory or r2)
//   GET  /events?files=a.md,b.md     only those files, no index
//   GET  /events?delay=50            waits 50 ms before the first lookup
import { exporters, instrument, scopeOf } from 'edgescope';

const FILES = {
  'a.md': '# A\nfirst file\n',
  'b.md': '# B\nsecond file\nwith two lines of text\n',
  'c.md': '# C\nthird file\n',
};

// Module-level caches: they live as long as the isolate.
const memory = new Map(); // file name -> text
let memoryIndex = null;

async function loadIndex(t, env) {
  return t.trace('index', async (span) => {
    if (memoryIndex) {
      t.recordFetch({ tier: 'memory', hit: true, durationMs: 0, key: 'index' });
      span.setSource('memory');
      return memoryIndex;
    }
    t.recordFetch({ tier: 'memory', hit: false, durationMs: 0, key: 'index' });
    const stored = await env.INDEX.get('index', 'json'); // a traced KV get
    if (stored) {
      span.setSource('kv');
      memoryIndex = stored;
      return stored;
    }
    const listing = await env.FILES.list(); // a traced R2 list
    const index = listing.objects.map((o) => o.key).sort();
    await env.INDEX.put('index', JSON.stringify(index));
    span.setSource('build');
    memoryIndex = index;
    return index;
  });
}

async function loadFile(t, env, name) {
  return t.trace(`file:${name}`, async (span) => {
    const cached = memory.get(name);
    t.recordFetch({ tier: 'memory', hit: cached !== undefined, durationMs: 0, bytes: cached?.length ?? 0, key: name });
    if (cached !== undefined) {
      span.setSource('memory');
      return cached;
    }
    const object = await env.FILES.get(name); // a traced R2 get
    if (!object) {
      span.setSource('miss'); // a miss never decides the tier: a later file still can
      return null;
    }
    const text = await object.text();
    memory.set(name, text);
    span.setSource('r2');
    return text;
  });
}

const sse = (event, data, id) => `event: ${event}\n${id ? `id: ${id}\n` : ''}${data.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`;

// The events of one stream, produced one by one as the client reads.
async function* events(t, env, url) {
  const delay = Number(url.searchParams.get('delay') ?? 0);
  if (delay > 0) await scheduler.wait(delay);
  const only = url.searchParams.get('files');
  const names = only ? only.split(',').filter(Boolean) : await loadIndex(t, env);
  if (!only) yield sse('index', JSON.stringify(names));
  let sent = 0;
  for (const name of names) {
    const text = await loadFile(t, env, name);
    if (text === null) {
      yield sse('missing', name, name);
      continue;
    }
    sent++;
    yield sse('file', text.trimEnd(), name);
  }
  yield sse('done', String(sent));
}

export default instrument(
  {
    async fetch(request, env) {
      const t = scopeOf(request);
      const url = new URL(request.url);
      if (request.method === 'POST' && url.pathname === '/seed') {
        t.setRoute('/seed');
        await Promise.all(Object.entries(FILES).map(([name, text]) => env.FILES.put(name, text)));
        await env.INDEX.delete('index');
        memoryIndex = null;
        memory.clear();
        return new Response(`seeded ${Object.keys(FILES).length} files\n`);
      }
      if (url.pathname !== '/events') return new Response('try POST /seed, then GET /events\n', { status: 404 });
      t.setRoute('/events');
      const encoder = new TextEncoder();
      const source = events(t, env, url);
      const body = new ReadableStream({
        async pull(controller) {
          const { value, done } = await source.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        },
        cancel() {
          return source.return();
        },
      });
      // Returned before any lookup ran: the tier is decided while the body streams.
      return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
    },
  },
  (env) => ({
    service: 'example-sse',
    exporters: [
      exporters.http({ url: env.COLLECTOR_URL }),
      // `--var CONSOLE:1`: each record also printed in the wrangler dev terminal.
      ...(env.CONSOLE === '1' ? [exporters.console()] : []),
      ...(env.TELEMETRY_AE ? [exporters.analyticsEngine({ dataset: env.TELEMETRY_AE, indexBy: 'route' })] : []),
    ],
  }),
);
