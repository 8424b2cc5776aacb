// A Worker whose telemetry waits in the offline buffer when its collector is down. The store is
// chosen by env.STORE (memory, kv, durable-object); every request logs its sequence number and
// counts one point of the `app.seq` series, so a test can check each record arrives once and in
// order. Re-exports the package's Durable Object, as a user's Worker does.
import { exporters, instrument, scopeOf, stores } from 'edgescope';

export { EdgescopeState } from 'edgescope';

function storeOf(env) {
  if (env.STORE === 'kv') return stores.kv(env.BUFFER_KV);
  if (env.STORE === 'durable-object') return stores.durableObject(env.BUFFER_DO);
  return stores.memory();
}

export default instrument(
  {
    async fetch(request) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      if (url.pathname === '/__stats') return Response.json(t.telemetry.stats());
      // Other invocations still running (their exports included): this one is not counted.
      if (url.pathname === '/__active') return Response.json(t.telemetry.activeInvocations - 1);
      if (url.pathname === '/__status') return Response.json(await t.telemetry.buffer.status());
      if (url.pathname === '/__replay') {
        const maxRetries = Number(url.searchParams.get('maxRetries') ?? 0);
        return Response.json(await t.telemetry.buffer.replay({ maxRetries, maxSubrequests: 100 }));
      }
      if (url.pathname === '/__clear') return Response.json(await t.telemetry.buffer.clear());
      const seq = Number(url.searchParams.get('seq') ?? 0);
      t.log.info('seq', { seq });
      t.metrics.gauge('app.seq', seq, { series: 'a' });
      return new Response(`ok ${seq}`);
    },
  },
  (env) => ({
    service: 'buffered-worker',
    requestMetrics: false,
    // The test's own probes (/__active, /__stats ...) leave no span, so they add no payload.
    beforeSend: (record) => (record.type === 'span' && String(record.attributes?.['url.path']).startsWith('/__') ? null : record),
    exporter: exporters.http({
      url: env.COLLECTOR_URL,
      format: env.FORMAT ?? 'native',
      retries: Number(env.RETRIES ?? 0),
      timeoutMs: 2000,
      deadlineMs: Number(env.DEADLINE_MS ?? 5000),
    }),
    buffer: {
      store: storeOf(env),
      maxEntries: Number(env.MAX_ENTRIES ?? 200),
      replay: { maxEntries: Number(env.REPLAY_MAX_ENTRIES ?? 4), maxSubrequests: 6 },
    },
    maxSubrequests: 12,
  }),
);
