// A Worker wrapped by instrument(), exporting to the capture collector at COLLECTOR_URL, with
// `nativeTracing` from the NATIVE_TRACING binding ('join' or 'off') and `sampleRate` from
// SAMPLE_RATE (default 1).
import { exporters, instrument } from 'edgescope';

export default instrument({ fetch: () => new Response('ok') }, (env) => ({
  service: 'native-tracing-worker',
  requestMetrics: false,
  nativeTracing: env.NATIVE_TRACING,
  sampleRate: Number(env.SAMPLE_RATE ?? 1),
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
}));
