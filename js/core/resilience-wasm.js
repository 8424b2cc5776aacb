// One instance of the resilience module (dist/edgescope-resilience.wasm) per isolate,
// instantiated synchronously on first use, and replaced after a trap: the same rules as the
// telemetry core's instance (js/core/wasm-core.js), on a module of its own. A trap leaves that
// instance's heap undefined, so it is marked dead and the next getResilienceCore() makes a fresh
// one; the objects on it re-create themselves from their last snapshot (js/resilience/core-object.js).
import { requireResilienceModule } from './resilience-module-slot.js';
import { instantiateCore } from './wasm-core.js';

let shared = null;

// The live instance: { exports, memory, dead }, the shape wasm-core.js's getCore() returns.
export function getResilienceCore() {
  if (shared && !shared.dead) return shared;
  shared = instantiateCore(requireResilienceModule(), 'edgescope resilience core');
  return shared;
}
