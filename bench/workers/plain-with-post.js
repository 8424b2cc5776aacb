// A second baseline for bench/workerd-overhead.mjs: the plain handler plus one POST of a fixed
// ~2 KB JSON body per request in waitUntil, the same I/O the instrumented Worker does. The
// difference between this and the instrumented Worker is what recording and encoding cost.
import { respond } from './responses.js';

const BODY = JSON.stringify({ service: 'bench-post', logs: Array.from({ length: 12 }, (_, i) => ({ timestamp: i, level: 'info', message: 'x'.repeat(120), context: {} })) });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    ctx.waitUntil(
      fetch(env.COLLECTOR_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }).then((r) => r.body?.cancel()),
    );
    return respond(env.KIND, url, env);
  },
};
