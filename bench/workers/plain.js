// Baseline for bench/workerd-overhead.mjs: the same handler without edgescope.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    return new Response(`hello ${url.pathname}`, { headers: { 'content-type': 'text/plain' } });
  },
};
