// One instance of the resilience module (dist/edgescope-resilience.wasm) per isolate,
// instantiated synchronously on first use, and replaced after a trap: the same rules as the
// telemetry core's instance (js/core/wasm-core.js), on a module of its own. A trap leaves that
// instance's heap undefined, so it is marked dead and the next getResilienceCore() makes a fresh
// one; the objects on it re-create themselves from their last snapshot (js/resilience/core-object.js).
import { requireResilienceModule } from './resilience-module-slot.js';
import { CoreMemory } from './core-memory.js';
import { CoreTrap, isTrap } from './wasm-core.js';

let shared = null;

// The module is glue-free like the telemetry one, so its only imports are these two.
function imports() {
  return {
    env: {
      // Called after memory.grow; CoreMemory takes a fresh view of the buffer on every access.
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      // Only reached through abort() (e.g. allocation failure): surface it as an exception.
      proc_exit(code) {
        throw new CoreTrap(`edgescope resilience core aborted (exit code ${code})`);
      },
    },
  };
}

// The live instance: { exports, memory, dead }, the shape wasm-core.js's getCore() returns.
export function getResilienceCore() {
  if (shared && !shared.dead) return shared;
  const core = { exports: null, memory: null, dead: false };
  try {
    const instance = new WebAssembly.Instance(requireResilienceModule(), imports());
    core.exports = instance.exports;
    core.memory = new CoreMemory(core.exports);
    core.exports._initialize(); // static constructors (STANDALONE_WASM --no-entry reactor)
  } catch (error) {
    if (isTrap(error)) core.dead = true;
    throw error;
  }
  shared = core;
  return shared;
}
