// A side of bench/cold-start.mjs for splitting the load: the plain handler in a Worker that carries
// edgescope's JavaScript (the public API, js/index.js, as the package's workerd entry re-exports it)
// but not its wasm module: "import only" minus this side is what the wasm module adds to a load,
// this side minus plain what the JavaScript adds. It never creates a Telemetry, so the core is
// never asked for (js/core/module-slot.js throws only when it is). The import is used, so no
// bundler drops it.
import { instrument } from '../../js/index.js';
import { respond } from './responses.js';

export default {
  async fetch(request, env) {
    if (typeof instrument !== 'function') throw new Error('edgescope did not load');
    return respond(env.KIND, new URL(request.url), env);
  },
};
