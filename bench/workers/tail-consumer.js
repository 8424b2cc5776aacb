// The tail Worker of bench/tail-overhead.mjs: edgescope/tail recording each watched invocation
// (root span, request and CPU histograms, invocation counter) and exporting it, one payload per
// tail() call, to the bench's loopback collector.
import { exporters, tailWorker } from 'edgescope/tail';

export default tailWorker((env) => ({ service: 'bench', exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) }));
