// A watched Worker with no edgescope in it: plain handlers whose invocations the platform hands to
// the tail Worker (tail-consumer.js). Each path is one case of tests/workerd/tail-worker.test.js.
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/ok':
        console.log('serving', 42);
        console.warn('slow path', { ms: 40 });
        return new Response('ok');
      case '/throw':
        console.error('about to fail');
        throw new TypeError('no such order');
      case '/many': {
        const lines = Number(url.searchParams.get('lines'));
        for (let i = 0; i < lines; i++) console.log(`line ${i} ${'x'.repeat(1000)}`);
        return new Response('many');
      }
      case '/waituntil':
        ctx.waitUntil(
          (async () => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            console.log('after the response');
          })(),
        );
        return new Response('soon');
      case '/callee-rpc':
        return Response.json(await env.CALLEE.profile('ann'));
      case '/callee-fetch':
        return env.CALLEE_HTTP.fetch('http://callee.internal/profile');
      default:
        return new Response('not found', { status: 404 });
    }
  },

  async scheduled(controller) {
    console.log('cron ran', controller.cron);
  },

  async queue(batch) {
    console.log('batch', batch.queue, batch.messages.length);
    for (const message of batch.messages) message.ack();
  },
};
