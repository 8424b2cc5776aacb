// A side of bench/cold-start.mjs: as ./cold-span-flush.js, with the bench workload under the root
// span (./workload.js: 5 child spans with 2 attributes each, 3 metric updates, 1 log line): the
// first use of attributes, metrics and logs, still without a subrequest.
import { createTelemetry } from 'edgescope';
import { coldConfig, manualScope } from './cold-common.js';
import { recordWork } from './workload.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env, ctx) {
    telemetry ??= createTelemetry(coldConfig(env, { post: false }));
    const url = new URL(request.url);
    const root = telemetry.startSpan(request.method, { kind: 'server' });
    recordWork(manualScope(telemetry, root), url);
    root.end();
    ctx.waitUntil(telemetry.flush());
    return respond(env.KIND, url, env);
  },
};
