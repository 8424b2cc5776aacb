// The binding calls without edgescope: the reference run.
import { allCalls } from './bindings-calls.js';

export default {
  async fetch(request, env) {
    return Response.json(await allCalls(env, caches));
  },
};
