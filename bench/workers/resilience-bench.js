// The Worker of bench/resilience-overhead.mjs: one call per request, through a breaker or not.
// env.MODE picks the side; every side runs this file with the same bindings:
//   none          the call runs directly (the reference)
//   memory        breaker.execute with the state in the isolate
//   do-fresh      breaker.execute with the state in the package's Durable Object and a local copy
//                 that stays fresh (maxStalenessMs 60 s): decisions are local, outcomes go to the
//                 object in a batch inside waitUntil
//   do-roundtrip  the same with maxStalenessMs 0: every call asks the object (one round trip), and
//                 its outcome goes in waitUntil
//   do-request    no breaker: the call, and by hand the one request (c) sends to the object per
//                 invocation (an outcome batch) inside waitUntil: (c) minus this is what the
//                 breaker's own work costs on top of the round trip
// /__stats answers the breaker's counters (outside the measured windows).
import { createBreaker } from 'edgescope/resilience';

export { EdgescopeState } from 'edgescope';

const breakers = {
  memory: createBreaker('bench', { failureThreshold: 5 }),
  'do-fresh': createBreaker('bench-fresh', { failureThreshold: 5, state: (env) => ({ store: 'durable-object', namespace: env.EDGESCOPE_STATE, maxStalenessMs: 60_000 }) }),
  'do-roundtrip': createBreaker('bench-roundtrip', { failureThreshold: 5, state: (env) => ({ store: 'durable-object', namespace: env.EDGESCOPE_STATE, maxStalenessMs: 0 }) }),
};

const call = (path) => `hello ${path}`;

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    const breaker = breakers[env.MODE];
    if (pathname === '/__stats') return Response.json(breaker ? breaker.stats() : {});
    if (env.MODE === 'none') return new Response(call(pathname));
    if (env.MODE === 'do-request') {
      const stub = env.EDGESCOPE_STATE.get(env.EDGESCOPE_STATE.idFromName('breaker:bench-request'));
      const args = { kind: 'breaker', name: 'bench-request', policy: { failureThreshold: 5 }, ops: [{ type: 'outcome', ok: true, durationMs: 0, probe: false }] };
      ctx.waitUntil(stub.request({ v: 1, feature: 'resilience', op: 'sync', args }));
      return new Response(call(pathname));
    }
    const body = await breaker.use(env, ctx).execute(() => call(pathname));
    return new Response(body);
  },
};
