// bench/cold-start.mjs "wasm call-one": the same module as "wasm call-all", only its first function
// called on every request (./cold-wasm-calls.js).
import { callsWorker } from './cold-wasm-calls.js';

export default callsWorker(false);
