// 'edgescope/tail' under workerd (Cloudflare Workers, wrangler, Miniflare): the .wasm arrives as a
// compiled module import (Workers forbid compiling wasm from bytes at run time), as js/entry/workerd.js.
import wasmModule from '../../dist/edgescope.wasm';
import { provideModule } from '../core/module-slot.js';

provideModule(wasmModule);

export * from '../tail/index.js';
