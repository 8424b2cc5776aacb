// The uninstrumented side of bench/bindings-overhead.mjs: ./bindings-work.js without edgescope.
import { bindingWork, seed } from './bindings-work.js';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/seed') return seed(env, caches);
    return bindingWork(env, caches, url);
  },
};
