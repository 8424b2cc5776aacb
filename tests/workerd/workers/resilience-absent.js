// A Worker that exports EdgescopeState from 'edgescope' but never imports 'edgescope/resilience'
// (tests/workerd/resilience-protocol.test.js): its Durable Object has no resilience feature, and
// a resilience request sent to it (as a Worker that does import it would send) must say so.
export { EdgescopeState } from 'edgescope';

export default {
  async fetch(request, env) {
    const stub = env.EDGESCOPE_STATE.get(env.EDGESCOPE_STATE.idFromName('absent'));
    try {
      return Response.json({ ok: true, reply: await stub.request(await request.json()) });
    } catch (error) {
      return Response.json({ ok: false, message: String(error?.message ?? error) });
    }
  },
};
