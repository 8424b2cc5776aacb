// A side of bench/cold-start.mjs: as ./cold-workload.js, exported by a real POST to
// env.COLLECTOR_URL: the manual API's full first request; the instrumented side adds instrument().
import { createTelemetry } from 'edgescope';
import { coldConfig, manualScope } from './cold-common.js';
import { recordWork } from './workload.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env, ctx) {
    telemetry ??= createTelemetry(coldConfig(env, { post: true }));
    const url = new URL(request.url);
    const root = telemetry.startSpan(request.method, { kind: 'server' });
    recordWork(manualScope(telemetry, root), url);
    root.end();
    ctx.waitUntil(telemetry.flush());
    return respond(env.KIND, url, env);
  },
};
