// A side of bench/cold-start.mjs: as ./cold-span.js, and every request flushes (ctx.waitUntil) to
// the HTTP exporter over a fetch that answers at once, without I/O: the first drain, native
// encode and the exporter's JavaScript, without a subrequest.
import { createTelemetry } from 'edgescope';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env, ctx) {
    telemetry ??= createTelemetry(coldConfig(env, { post: false }));
    telemetry.startSpan(request.method, { kind: 'server' }).end();
    ctx.waitUntil(telemetry.flush());
    return respond(env.KIND, new URL(request.url), env);
  },
};
