// An instrumented Worker writing to Miniflare's real Analytics Engine binding (env.AE) next to the
// HTTP exporter. Miniflare's local dataset accepts writeDataPoint and discards the point (its
// local simulator's method is empty), so the dataset handed to the exporter forwards every call
// to the real binding and keeps what it forwarded, and whether the binding accepted it, for
// GET /points to return. `?tier` records two cache lookups and an `index` span while streaming.
import { exporters, instrument, scopeOf } from 'edgescope';

const recorded = [];
let ae = null;

function recordingDataset(binding) {
  return {
    writeDataPoint(point) {
      const entry = { point: structuredClone(point), accepted: false };
      recorded.push(entry);
      binding.writeDataPoint(point); // the real binding; a throw propagates to the exporter
      entry.accepted = true;
    },
  };
}

export default instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      if (url.pathname === '/points') {
        t.setRoute('/points');
        return Response.json({ recorded, stats: ae.stats() });
      }
      if (url.pathname === '/throw') throw new TypeError('handler failed on purpose');
      t.setRoute(url.searchParams.get('route') ?? '/items/:id');
      const tiered = url.searchParams.has('tier');
      const chunks = Number(url.searchParams.get('chunks') ?? 3);
      const encoder = new TextEncoder();
      let i = 0;
      const body = new ReadableStream({
        async pull(controller) {
          if (i === chunks) return controller.close();
          await scheduler.wait(2);
          // While streaming: a lookup in a module-level cache that missed, then one that hit, and
          // the `index` span that says where the answer came from.
          if (tiered && i === 1) {
            t.recordFetch({ tier: 'memory', hit: false, durationMs: 0, key: 'a' });
            t.recordFetch({ tier: 'kv', hit: true, durationMs: 3, bytes: 10, key: 'a' });
            t.trace('index', (span) => span.setSource('kv'));
          }
          controller.enqueue(encoder.encode(`chunk ${i++}\n`));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain' } });
    },
  },
  (env) => {
    ae = exporters.analyticsEngine({ dataset: recordingDataset(env.AE), indexBy: 'route' });
    return {
      service: 'ae-worker',
      versionMetadata: { id: 'version-id', tag: 'v3' },
      exporters: [exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0 }), ae],
    };
  },
);
