// A side of bench/cold-start.mjs without edgescope: the plain handler whose response body is teed
// and one branch read to its end, as instrument()'s body watcher does (js/body-watcher.js): what a
// fresh isolate's first use of the runtime's stream tee and reader costs by itself.
import { respond } from './responses.js';

export default {
  async fetch(request, env, ctx) {
    const response = respond(env.KIND, new URL(request.url), env);
    const [client, watched] = response.body.tee();
    const reader = watched.getReader();
    ctx.waitUntil(
      (async () => {
        while (!(await reader.read()).done);
      })(),
    );
    return new Response(client, response);
  },
};
