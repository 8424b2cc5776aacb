// A side of bench/cold-start.mjs: instrument() around a handler that records nothing itself, so
// each request exports only instrument()'s root span, by a real POST to env.COLLECTOR_URL.
import { instrument } from 'edgescope';
import { coldConfig } from './cold-common.js';
import { respond } from './responses.js';

export default instrument(
  {
    async fetch(request, env) {
      return respond(env.KIND, new URL(request.url), env);
    },
  },
  (env) => coldConfig(env, { post: true }),
);
