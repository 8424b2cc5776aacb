// A side of bench/cold-start.mjs that measures what a wasm function's first call costs in a fresh
// isolate: the Worker carries a module whose exports are all functions (bench/cold-start.mjs puts
// a generated one in place of edgescope.wasm), instantiates it on the first request and calls every
// export on every request (EVERY) or only the first one. Two sides differing only in that, over
// the same module, tell apart what V8's lazy compilation charges each function on its first call
// (v8.dev, "WebAssembly compilation pipeline": functions compile on first call).
import wasmModule from '../../dist/edgescope.wasm';
import { respond } from './responses.js';

let functions = null;

export function callsWorker(every) {
  return {
    async fetch(request, env) {
      if (functions === null) {
        const { exports } = new WebAssembly.Instance(wasmModule, {});
        functions = Object.values(exports).filter((f) => typeof f === 'function');
        if (functions.length === 0) throw new Error('the module exports no function');
      }
      let sum = 0;
      for (const f of every ? functions : functions.slice(0, 1)) sum += f(1);
      if (!Number.isInteger(sum)) throw new Error('a wasm function returned a non-integer');
      return respond(env.KIND, new URL(request.url), env);
    },
  };
}
