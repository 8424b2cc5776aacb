// A side of bench/cold-start.mjs: as ./cold-workload.js with `buffer: false` (no offline buffer),
// so each flush skips the buffer's replay check: ./cold-workload.js minus this side is what the
// default in-memory buffer adds to a first request whose backlog is empty.
import { createTelemetry } from 'edgescope';
import { coldConfig, manualScope } from './cold-common.js';
import { recordWork } from './workload.js';
import { respond } from './responses.js';

let telemetry = null;

export default {
  async fetch(request, env, ctx) {
    telemetry ??= createTelemetry({ ...coldConfig(env, { post: false }), buffer: false });
    const url = new URL(request.url);
    const root = telemetry.startSpan(request.method, { kind: 'server' });
    recordWork(manualScope(telemetry, root), url);
    root.end();
    ctx.waitUntil(telemetry.flush());
    return respond(env.KIND, url, env);
  },
};
