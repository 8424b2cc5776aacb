// The tail half of the combined setup (README "Which mode when"): the RED metrics and the CPU time
// of every invocation of tail-combined-watched.js, from the platform's TraceItems.
import { exporters, tailWorker } from 'edgescope/tail';

export default tailWorker((env) => ({ service: 'shop', exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }));
