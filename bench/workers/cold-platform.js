// A side of bench/cold-start.mjs without edgescope: the plain handler plus, on every request, the
// platform calls edgescope's first Telemetry and first export make (crypto.randomUUID for the
// resource, crypto.getRandomValues for the core's seed, TextEncoder.encodeInto and TextDecoder at
// the boundary): what their first use in a fresh isolate costs by itself.
import { respond } from './responses.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = new Uint8Array(64);

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const id = crypto.randomUUID();
    crypto.getRandomValues(new Uint32Array(8));
    const { written } = encoder.encodeInto(id, bytes);
    if (decoder.decode(bytes.subarray(0, written)) !== id) throw new Error('TextEncoder/TextDecoder round trip failed');
    return respond(env.KIND, url, env);
  },
};
