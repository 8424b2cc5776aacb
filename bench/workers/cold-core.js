// A side of bench/cold-start.mjs between "cold-config" and "cold-telemetry": the first request
// validates the config and creates the core Telemetry (es_create, the redaction policy, the
// resource staged into the core) the way Telemetry's constructor does, without the export pipeline,
// the buffer and the API objects: it splits the first Telemetry's cost into the core's part and
// the rest.
import 'edgescope';
import { validateConfig } from '../../js/config.js';
import { CoreTelemetry } from '../../js/core/core-telemetry.js';
import { defaultResource } from '../../js/resource.js';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let core = null;

export default {
  async fetch(request, env) {
    if (core === null) {
      const config = validateConfig(coldConfig(env, { post: false }));
      core = new CoreTelemetry({ ...config, resource: { ...defaultResource(config), ...config.resource } });
    }
    if (core.dead) throw new Error('edgescope core is dead');
    return respond(env.KIND, new URL(request.url), env);
  },
};
