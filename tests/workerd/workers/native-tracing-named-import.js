// The pattern edgescope avoids: a named import of `tracing`, which fails module linking (the
// Worker does not load) on a runtime whose 'cloudflare:workers' has no such export.
import { tracing } from 'cloudflare:workers';

export default {
  async fetch() {
    return Response.json({ present: tracing !== undefined });
  },
};
