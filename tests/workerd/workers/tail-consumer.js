// The tail Worker under test: edgescope/tail exporting to the capture collector. It is the
// `tails` consumer of tail-watched.js and tail-callee.js, neither of which imports edgescope.
import { exporters, tailWorker } from 'edgescope/tail';

export default tailWorker((env) => ({
  service: 'tail-fallback',
  readHeaders: env.READ_HEADERS === 'true',
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }),
}));
