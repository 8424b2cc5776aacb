// The watched Worker of the streaming-tail test: plain Worker code with no edgescope in it. Its
// fetch makes a subrequest, a KV put and get, a log line, an RPC call to a service binding, a queue send
// (consumed by its own queue handler) and,
// where the runtime has `tracing` (cloudflare:workers), a custom span around the KV calls.
import * as workers from 'cloudflare:workers';

export default {
  async fetch(request, env) {
    const origin = await fetch(env.ORIGIN_URL);
    await origin.text();
    const tracing = workers.tracing;
    const kv = async () => {
      await env.KV.put('greeting', 'hello');
      return env.KV.get('greeting');
    };
    const value = typeof tracing?.enterSpan === 'function' ? await tracing.enterSpan('load-greeting', () => kv()) : await kv();
    console.log('greeting', { value });
    const sum = await env.CALLEE.add(2, 3);
    await env.JOBS.send({ order: 7 });
    return Response.json({ value, sum, customSpans: typeof tracing?.enterSpan === 'function' });
  },

  async queue(batch) {
    console.log('processed', batch.messages.length);
  },
};
