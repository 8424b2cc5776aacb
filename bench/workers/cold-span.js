// A side of bench/cold-start.mjs: as ./cold-telemetry.js, and every request records one server
// span (started and ended) that is never exported: the first recording's cost, without a drain.
import { createTelemetry } from 'edgescope';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env) {
    telemetry ??= createTelemetry(coldConfig(env, { post: false }));
    telemetry.startSpan(request.method, { kind: 'server' }).end();
    return respond(env.KIND, new URL(request.url), env);
  },
};
