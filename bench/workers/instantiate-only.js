// A side of bench/cold-start.mjs between "import only" and "instrumented": the plain handler in a
// Worker that imports edgescope and, on its first request, instantiates the wasm core (the
// package's own getCore(): new WebAssembly.Instance and the module's static constructors) without
// creating a Telemetry. It splits the first request's cost into instantiating the module and
// creating and using the first Telemetry. getCore() comes from the package's internal file: the
// bundle resolves `edgescope` to the same checkout, so both share the one module slot the
// workerd entry fills.
import 'edgescope';
import { getCore } from '../../js/core/wasm-core.js';
import { respond } from './responses.js';

export default {
  async fetch(request, env) {
    const core = getCore(); // instantiates once per isolate, then returns the same instance
    if (core.dead) throw new Error('edgescope core is dead');
    return respond(env.KIND, new URL(request.url), env);
  },
};
