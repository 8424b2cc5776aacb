// What the cold-* sides of bench/cold-start.mjs share: the config every side's Telemetry gets (the
// instrumented side's, bench/workers/formats-instrumented.js, native format), with either the real
// HTTP exporter (a POST to env.COLLECTOR_URL per flush) or the same exporter over a fetch that
// answers at once without I/O, so a side can include the export's JavaScript and encoding but not
// its subrequest. And a scope for the manual API that makes recordWork()'s spans children of the
// root span, as instrument()'s scope does.
import { exporters } from 'edgescope';

const answered = () => Promise.resolve(new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));

export function coldConfig(env, { post }) {
  return {
    service: 'bench',
    requestMetrics: false,
    exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0, ...(post ? {} : { fetch: answered }) }),
  };
}

export function manualScope(t, root) {
  return { trace: (name, fn) => t.trace(name, fn, { parent: root }), metrics: t.metrics, log: t.log };
}
