// Temporary probe: the first request runs the first env.PROBE steps of creating a Telemetry.
import 'edgescope';
import { exporters } from 'edgescope';
import { validateConfig } from '../../js/config.js';
import { defaultResource } from '../../js/resource.js';
import { CoreTelemetry } from '../../js/core/core-telemetry.js';
import { getCore } from '../../js/core/wasm-core.js';
import { ExportPipeline } from '../../js/export-pipeline.js';
import { Telemetry } from '../../js/telemetry.js';
import { respond } from './responses.js';

let done = false;
export default {
  async fetch(request, env) {
    if (!done) {
      done = true;
      const n = Number(env.PROBE);
      getCore();
      if (n >= 1) {
        const raw = { service: 'bench', requestMetrics: false, exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0 }) };
        let config, resource, core;
        if (n >= 2) config = validateConfig(raw);
        if (n >= 3) resource = { ...defaultResource(config), ...config.resource };
        if (n >= 4) core = new CoreTelemetry({ ...config, resource: n >= 5 ? resource : undefined, redact: n >= 6 ? config.redact : undefined });
        if (n >= 7) new ExportPipeline(core, config.exporters, { maxSubrequests: config.maxSubrequests, buffer: config.buffer });
        if (n >= 8) new Telemetry(raw);
      }
    }
    return respond(env.KIND, new URL(request.url), env);
  },
};
