// Reports what the runtime's `tracing` (from 'cloudflare:workers') offers for joining its trace,
// read the way edgescope's workerd entry reads it: a namespace import, so it loads on runtimes
// without the export.
import * as workers from 'cloudflare:workers';
import { describeSupport, nativeTracingSupport } from '../../../js/native-tracing/support.js';

export default {
  async fetch() {
    const support = nativeTracingSupport(workers.tracing);
    return Response.json({ ...support, reason: describeSupport(support) });
  },
};
