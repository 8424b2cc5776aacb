// A Worker whose offline buffer leases entries for env.LEASE_MS: the package's Durable Object
// (env.STORE 'durable-object') or the isolate's memory ('memory'). /__replay is the drain a cron
// would run (buffer.replay()); every other request logs its sequence number.
import { exporters, instrument, scopeOf, stores } from 'edgescope';

export { EdgescopeState } from 'edgescope';

export default instrument(
  {
    async fetch(request) {
      const url = new URL(request.url);
      const t = scopeOf(request);
      if (url.pathname === '/__status') return Response.json(await t.telemetry.buffer.status());
      if (url.pathname === '/__replay') return Response.json(await t.telemetry.buffer.replay({ maxRetries: 0 }));
      if (url.pathname === '/__stats') return Response.json(t.telemetry.stats());
      t.log.info('seq', { seq: Number(url.searchParams.get('seq') ?? 0) });
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'drain-lease',
    requestMetrics: false,
    beforeSend: (record) => (record.type === 'span' ? null : record),
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0, timeoutMs: 10000, deadlineMs: 25000 }),
    buffer: {
      store: env.STORE === 'memory' ? stores.memory({ leaseMs: Number(env.LEASE_MS) }) : stores.durableObject(env.BUFFER_DO, { leaseMs: Number(env.LEASE_MS) }),
      maxEntries: 500,
      maxAttempts: 100,
      replay: { maxEntries: 0 },
    },
    maxSubrequests: 50,
  }),
);
