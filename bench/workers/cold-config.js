// A side of bench/cold-start.mjs between "instantiate" and "cold-telemetry": the first request
// instantiates the wasm core and validates the config the Telemetry would get (the exporter made,
// every option checked), without creating the Telemetry: it splits the first Telemetry's cost into
// its config validation and the rest (the core Telemetry, the resource, the export pipeline).
import 'edgescope';
import { validateConfig } from '../../js/config.js';
import { getCore } from '../../js/core/wasm-core.js';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let config = null;

export default {
  async fetch(request, env) {
    if (getCore().dead) throw new Error('edgescope core is dead');
    config ??= validateConfig(coldConfig(env, { post: false }));
    return respond(env.KIND, new URL(request.url), env);
  },
};
