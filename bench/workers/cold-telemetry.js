// A side of bench/cold-start.mjs: the first request creates the isolate's Telemetry from the
// config (validation, resource, the wasm core's instance and the core Telemetry, the export
// pipeline) and records nothing: what creating the first Telemetry adds to instantiating the core.
import { createTelemetry } from 'edgescope';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env) {
    telemetry ??= createTelemetry(coldConfig(env, { post: false }));
    if (telemetry.core.dead) throw new Error('edgescope core is dead');
    return respond(env.KIND, new URL(request.url), env);
  },
};
