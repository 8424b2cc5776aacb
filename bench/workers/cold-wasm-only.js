// A side of bench/cold-start.mjs between plain and "import only": the plain handler in a Worker
// that carries edgescope's wasm module (a compiled-module import, as the package's workerd entry
// does) but none of its JavaScript: what loading the module alone adds to a start, so "import
// only" minus this side is what loading the JavaScript adds.
import wasmModule from '../../dist/edgescope.wasm';
import { respond } from './responses.js';

export default {
  async fetch(request, env) {
    if (!(wasmModule instanceof WebAssembly.Module)) throw new Error('the wasm module did not load');
    return respond(env.KIND, new URL(request.url), env);
  },
};
