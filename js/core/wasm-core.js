// One instance of the core per isolate, instantiated synchronously on first use. The module is
// glue-free (no Emscripten JS), so its only imports are the two below.
//
// A trap (WebAssembly.RuntimeError: out-of-bounds access, unreachable; or CoreTrap from abort())
// stops the core in the middle of a call, so its heap may be half-updated: an allocator list cut
// short, a table entry without its data. Nothing may run on that instance again. Whoever catches a
// trap marks the instance dead (markDead); the next getCore() instantiates a fresh one from the
// same WebAssembly.Module, and each CoreTelemetry re-creates its core on it (revive()).
import { requireModule } from './module-slot.js';
import { CoreMemory } from './core-memory.js';

let shared = null;

export class CoreTrap extends Error {
  constructor(message) {
    super(message);
    this.name = 'CoreTrap';
  }
}

// name: which core, for the abort message.
function imports(name) {
  return {
    env: {
      // Called after memory.grow; CoreMemory takes a fresh view of the buffer on every access.
      emscripten_notify_memory_growth() {},
    },
    wasi_snapshot_preview1: {
      // Only reached through abort() (e.g. allocation failure): surface it as an exception.
      proc_exit(code) {
        throw new CoreTrap(`${name} aborted (exit code ${code})`);
      },
    },
  };
}

// A fresh instance of a glue-free edgescope module: { exports, memory, dead }. Both modules (the
// telemetry core here, the resilience core in resilience-wasm.js) are made by this one function.
// A trap while starting marks the returned shape dead before rethrowing.
export function instantiateCore(module, name) {
  const core = { exports: null, memory: null, dead: false };
  try {
    const instance = new WebAssembly.Instance(module, imports(name));
    core.exports = instance.exports;
    core.memory = new CoreMemory(core.exports);
    core.exports._initialize(); // static constructors (STANDALONE_WASM --no-entry reactor)
  } catch (error) {
    if (isTrap(error)) core.dead = true;
    throw error;
  }
  return core;
}

// The live instance: { exports, memory, dead }. Instantiates one when there is none or the last
// one trapped.
export function getCore() {
  if (shared && !shared.dead) return shared;
  shared = instantiateCore(requireModule(), 'edgescope core');
  return shared;
}

// True for an exception that came out of the middle of a wasm call. A stack overflow inside the
// core surfaces as a RangeError and leaves the heap as undefined as any other trap.
export function isTrap(error) {
  return (
    error instanceof WebAssembly.RuntimeError ||
    error instanceof CoreTrap ||
    (error instanceof RangeError && /call stack/i.test(error.message))
  );
}

export function markDead(core) {
  core.dead = true;
}
