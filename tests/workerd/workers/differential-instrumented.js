// The differential handler wrapped by instrument(), exporting each request's telemetry to the
// capture collector at COLLECTOR_URL.
import { exporters, instrument } from 'edgescope';
import handler from './differential-handler.js';

export default instrument(handler, (env) => ({
  service: 'differential-worker',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
}));
