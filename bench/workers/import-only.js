// The middle side of bench/cold-start.mjs: the plain handler (./plain.js) in a Worker that imports
// edgescope, so the bundle carries the package and its wasm module and workerd compiles both when
// it loads the Worker, but never creates a Telemetry: instantiate-and-first-Telemetry is what the
// instrumented side adds on top of this one. The import is used (the function is referenced), so
// no bundler drops it.
import { instrument } from 'edgescope';
import { respond } from './responses.js';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const response = respond(env.KIND, url, env);
    if (typeof instrument !== 'function') throw new Error('edgescope did not load');
    return response;
  },
};
