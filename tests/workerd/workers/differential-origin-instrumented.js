import { exporters, instrument } from 'edgescope';
import handler from './differential-origin-handler.js';

export default instrument(handler, (env) => ({
  service: 'differential-origin',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
}));
