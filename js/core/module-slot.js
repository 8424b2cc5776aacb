// The compiled WebAssembly.Module, provided by a runtime entry (js/entry/*.js). Everything else in
// the package is platform-free and only asks for it here. Keeping the slot separate lets the
// workerd entry import the .wasm as a module (Workers refuse to compile wasm from bytes at run
// time) while the Node entry reads the file next to it.
let compiledModule = null;

export function provideModule(module) {
  if (!(module instanceof WebAssembly.Module)) {
    throw new TypeError('edgescope: provideModule expects a WebAssembly.Module');
  }
  compiledModule = module;
}

export function requireModule() {
  if (!compiledModule) {
    throw new Error(
      "edgescope: the wasm core was not provided. Import 'edgescope' through the package's exports " +
        '(conditions workerd/node), not a file inside it.',
    );
  }
  return compiledModule;
}
