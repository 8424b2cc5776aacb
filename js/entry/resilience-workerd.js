// 'edgescope/resilience' under workerd (Cloudflare Workers, wrangler, Miniflare): breakers,
// exhaustion registries and credit ledgers, on their own wasm module so a Worker that imports only
// 'edgescope' never bundles them. The .wasm arrives as a compiled module import (Workers forbid
// compiling wasm from bytes at run time), as js/entry/workerd.js does for the telemetry module.
// Importing this entry also registers the `resilience` feature of EdgescopeState, so the Worker
// that exports the Durable Object serves breakers in it (a side effect: package.json "sideEffects").
import wasmModule from '../../dist/edgescope-resilience.wasm';
import { provideResilienceModule } from '../core/resilience-module-slot.js';
import { registerStateFeature } from '../storage/state-features.js';
import { resilienceTable } from '../storage/resilience-table.js';

provideResilienceModule(wasmModule);
registerStateFeature('resilience', resilienceTable);

export * from '../resilience/index.js';
