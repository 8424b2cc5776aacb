// A side of bench/cold-start.mjs between "cold-config" and "cold-core": as cold-config, plus the
// core's es_create called directly (the service name written, a fixed seed), with no redaction
// policy, resource or JavaScript around it: what the first core instance itself costs.
import 'edgescope';
import { validateConfig } from '../../js/config.js';
import { getCore } from '../../js/core/wasm-core.js';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

let handle = 0;

export default {
  async fetch(request, env) {
    const core = getCore();
    if (core.dead) throw new Error('edgescope core is dead');
    if (handle === 0) {
      const config = validateConfig(coldConfig(env, { post: false }));
      const length = core.memory.writeString(config.service);
      handle = core.exports.es_create(length, config.sampleRate, config.maxPayloadBytes, 0, 1, 2, 3, 4, 5, 6, 7, 8);
      if (handle < 0) throw new Error(`es_create refused: ${core.memory.lastError()}`);
    }
    return respond(env.KIND, new URL(request.url), env);
  },
};
