// A watched Worker: no edgescope import, no wrapper. Its wrangler.jsonc names the tail Worker in
// `tail_consumers`, and the platform reports each invocation (logs, exceptions, outcome, CPU time)
// to it.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/orders') {
      console.log('listing orders');
      return Response.json([{ id: 1 }, { id: 2 }]);
    }
    if (url.pathname === '/fail') throw new RangeError('order id out of range');
    return new Response('not found', { status: 404 });
  },
};
