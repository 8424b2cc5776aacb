// The uninstrumented side of bench/workerd-overhead.mjs: the handler without edgescope, returning
// the response of kind env.KIND (./responses.js).
import { respond } from './responses.js';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return respond(env.KIND, url, env);
  },
};
