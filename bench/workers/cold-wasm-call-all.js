// bench/cold-start.mjs "wasm call-all": every function of the module called on every request
// (./cold-wasm-calls.js).
import { callsWorker } from './cold-wasm-calls.js';

export default callsWorker(true);
