// 'edgescope/tail' under Node: reads edgescope.wasm from the package and compiles it synchronously
// (as js/entry/node.js does for 'edgescope').
import { readFileSync } from 'node:fs';
import { provideModule } from '../core/module-slot.js';

provideModule(new WebAssembly.Module(readFileSync(new URL('../../dist/edgescope.wasm', import.meta.url))));

export * from '../tail/index.js';
