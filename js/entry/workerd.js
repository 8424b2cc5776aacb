// workerd (Cloudflare Workers, wrangler, Miniflare): the .wasm arrives as a compiled module
// import; Workers forbid compiling wasm from bytes at run time.
import wasmModule from '../../dist/edgescope.wasm';
import { provideModule } from '../core/module-slot.js';
// Namespace import, never `import { tracing }`: workerd 1.20260401 has no `tracing` export and a
// named import of a missing export fails module linking (see js/native-tracing/README.md).
import * as workers from 'cloudflare:workers';
import { providePlatformTracing } from '../native-tracing/platform-slot.js';
import { providePlatformWaitUntil } from '../late-records.js';

provideModule(wasmModule);
providePlatformTracing(workers.tracing);
providePlatformWaitUntil(workers.waitUntil);

export * from '../index.js';
export { EdgescopeState } from '../storage/state-object.js';
