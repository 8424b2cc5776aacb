// workerd (Cloudflare Workers, wrangler, Miniflare): the .wasm arrives as a compiled module
// import; Workers forbid compiling wasm from bytes at run time.
import wasmModule from '../../dist/edgescope.wasm';
import { provideModule } from '../core/module-slot.js';

provideModule(wasmModule);

export * from '../index.js';
export { EdgescopeState } from '../storage/state-object.js';
