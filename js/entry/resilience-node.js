// 'edgescope/resilience' under Node: reads edgescope-resilience.wasm from the package and
// compiles it synchronously (js/entry/resilience-workerd.js says why it is a module of its own).
import { readFileSync } from 'node:fs';
import { provideResilienceModule } from '../core/resilience-module-slot.js';
import { registerStateFeature } from '../storage/state-features.js';
import { resilienceTable } from '../storage/resilience-table.js';

provideResilienceModule(new WebAssembly.Module(readFileSync(new URL('../../dist/edgescope-resilience.wasm', import.meta.url))));
registerStateFeature('resilience', resilienceTable);

export * from '../resilience/index.js';
