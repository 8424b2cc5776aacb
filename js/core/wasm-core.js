// One instance of the core per isolate, instantiated synchronously on first use. The module is
// glue-free (no Emscripten JS), so its only imports are the two below.
import { requireModule } from './module-slot.js';
import { CoreMemory } from './core-memory.js';

let shared = null;

class CoreTrap extends Error {}

function imports() {
  return {
    env: {
      // Called after memory.grow; CoreMemory takes a fresh view of the buffer on every access.
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      // Only reached through abort() (e.g. allocation failure): surface it as an exception.
      proc_exit(code) {
        throw new CoreTrap(`edgescope core aborted (exit code ${code})`);
      },
    },
  };
}

export function getCore() {
  if (shared) return shared;
  const instance = new WebAssembly.Instance(requireModule(), imports());
  const exports = instance.exports;
  exports._initialize(); // static constructors (STANDALONE_WASM --no-entry reactor)
  shared = { exports, memory: new CoreMemory(exports) };
  return shared;
}
