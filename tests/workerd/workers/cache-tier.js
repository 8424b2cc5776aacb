// A streaming handler whose cache-deciding spans are all recorded after its promise resolved:
// chunk 0 goes out, then (after a timer) an `index` lookup that misses, then (after an awaited
// fetch to `?origin=`) a `file:*` span served from R2. The tier the scope reported when the
// handler resolved goes out in the `x-tier-at-resolve` header, so the test can assert that a read
// at that moment would have said 'none'. Lookup durations are fixed numbers: nothing is timed
// inside workerd (its clock does not advance during execution).
import { exporters, instrument, scopeOf } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const scope = scopeOf(request);
      const origin = new URL(request.url).searchParams.get('origin');
      const encoder = new TextEncoder();
      let step = 0;
      const body = new ReadableStream({
        async pull(controller) {
          step++;
          if (step === 1) {
            controller.enqueue(encoder.encode('chunk 0\n'));
          } else if (step === 2) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            scope.trace('index', () => scope.recordFetch({ tier: 'memory', hit: false, durationMs: 0.25 }), { source: 'miss' });
            controller.enqueue(encoder.encode('chunk 1\n'));
          } else if (step === 3) {
            const text = await scope.trace('file:/docs/a.md', async (span) => {
              const response = await scope.fetch(origin);
              const fetched = await response.text();
              span.setSource('r2');
              scope.recordFetch({ tier: 'r2', hit: true, durationMs: 12, bytes: fetched.length, status: response.status, key: 'docs/a.md' });
              return fetched;
            });
            scope.recordFetch({ tier: 'kv', hit: false, durationMs: 3 });
            controller.enqueue(encoder.encode(`${text}\n`));
            controller.enqueue(encoder.encode(`tier before finalize: ${scope.cacheTier}\n`));
          } else {
            controller.close();
          }
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/plain', 'x-tier-at-resolve': scope.cacheTier } });
    },
  },
  (env) => ({
    service: 'cache-tier-worker',
    exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }),
  }),
);
