// A Worker whose exporter gets an API key header from a binding, given in the form HEADERS_AS
// names: a Headers, [name, value] pairs or a plain object, each as a Worker would write it.
// /__stats answers with the telemetry stats.
import { exporters, instrument, scopeOf } from 'edgescope';

const forms = {
  headers: (key) => new Headers({ 'X-Api-Key': key }),
  pairs: (key) => [['X-Api-Key', key]],
  object: (key) => ({ 'X-Api-Key': key }),
};

export default instrument(
  {
    async fetch(request) {
      const t = scopeOf(request);
      if (new URL(request.url).pathname === '/__stats') return Response.json(t.telemetry.stats());
      t.log.info('handled');
      return new Response('ok');
    },
  },
  (env) => ({
    service: 'headers-worker',
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, headers: forms[env.HEADERS_AS](env.API_KEY), retries: 0, timeoutMs: 2000 }),
  }),
);
