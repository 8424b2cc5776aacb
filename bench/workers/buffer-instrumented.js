// The Worker of bench/buffer-overhead.mjs: the same recording as ./instrumented.js (a root span
// and 5 child spans with 2 attributes each, 3 metric updates, 1 log line, exported every request)
// with a short string response, and the offline buffer in the store env.STORE names (memory, kv,
// durable-object). Every side of that bench runs this file with the same bindings; they differ
// only in STORE and in whether a collector listens at COLLECTOR_URL.
//
// Paths under /__ are the bench's probes (stats, buffer status, invocations still running). They
// are answered before instrument() sees the request, so they record nothing, export nothing and
// start no replay: they do not change what the measured requests do.
import { recordWork } from './workload.js';
import { exporters, instrument, scopeOf, stores } from 'edgescope';
import { respond } from './responses.js';

// The package's Durable Object, for stores.durableObject (bound as EDGESCOPE_STATE).
export { EdgescopeState } from 'edgescope';

function storeOf(env) {
  if (env.STORE === 'memory') return stores.memory();
  if (env.STORE === 'kv') return stores.kv(env.BUFFER_KV);
  if (env.STORE === 'durable-object') return stores.durableObject(env.EDGESCOPE_STATE);
  throw new Error(`STORE must be memory, kv or durable-object (got ${JSON.stringify(env.STORE)})`);
}

// The isolate's Telemetry, known once an instrumented request has run (the bench warms up first).
let telemetry = null;

const instrumented = instrument(
  {
    async fetch(request, env) {
      const t = scopeOf(request);
      telemetry ??= t.telemetry;
      const url = new URL(request.url);
      recordWork(t, url);
      return respond('string', url, env);
    },
  },
  (env) => ({
    service: 'bench',
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }),
    buffer: {
      store: storeOf(env),
      maxEntries: Number(env.MAX_ENTRIES),
      replay: { maxEntries: Number(env.REPLAY_MAX_ENTRIES) },
    },
  }),
);

async function probe(pathname) {
  if (!telemetry) return new Response('no instrumented request yet', { status: 409 });
  if (pathname === '/__stats') return Response.json(telemetry.stats());
  if (pathname === '/__status') return Response.json(await telemetry.buffer.status());
  // Invocations still running, their exports and buffer writes included.
  if (pathname === '/__active') return Response.json(telemetry.activeInvocations);
  return new Response(`unknown probe ${pathname}`, { status: 404 });
}

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/__')) return probe(pathname);
    return instrumented.fetch(request, env, ctx);
  },
};
