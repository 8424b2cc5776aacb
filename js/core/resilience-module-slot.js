// The compiled resilience module (dist/edgescope-resilience.wasm), provided by a resilience entry
// (js/entry/resilience-*.js). It is a module of its own so that a Worker importing only
// 'edgescope' never bundles the breaker, registry and ledger code (bundle size is a user-facing
// cost; the Workers upload limit counts it). Like js/core/module-slot.js, the workerd entry
// imports the .wasm as a module (Workers refuse to compile wasm from bytes at run time) and the
// Node entry reads the file next to it.
let compiledModule = null;

export function provideResilienceModule(module) {
  if (!(module instanceof WebAssembly.Module)) {
    throw new TypeError('edgescope: provideResilienceModule expects a WebAssembly.Module');
  }
  compiledModule = module;
}

export function requireResilienceModule() {
  if (!compiledModule) {
    throw new Error(
      "edgescope: the resilience wasm module was not provided. Import 'edgescope/resilience' through the package's " +
        'exports (conditions workerd/node), not a file inside it.',
    );
  }
  return compiledModule;
}
