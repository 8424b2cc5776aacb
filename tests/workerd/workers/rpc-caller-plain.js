// The reference caller: the runtime's own Durable Object namespace and service binding, no
// edgescope. GET /<group>/<case>?run=<n> runs one case of rpc-scenarios.js.
import { runCase } from './rpc-scenarios.js';

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const [, group, name] = url.pathname.split('/');
    return runCase(group, name, { ns: env.DO, api: env.API }, url.searchParams.get('run'));
  },
};
