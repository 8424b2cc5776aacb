// A Streaming Tail Worker (experimental) exporting the watched Worker's span trees, written as
// users write it: the handler built at module scope (COLLECTOR_URL and FORMAT are defined at
// bundle time by the test).
import { exporters } from 'edgescope';
import { tailStreamHandler } from '../../../js/tail/stream/index.js';

export default {
  tailStream: tailStreamHandler({ service: 'watched', exporters: [exporters.http({ url: COLLECTOR_URL, format: FORMAT })] }),
};
