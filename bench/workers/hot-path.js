// The sides of bench/hot-path.mjs, one Worker file picked by env.VARIANT, all answering the same
// short string body as ./plain.js, so the sides differ only in what runs around the handler:
//   plain      the handler alone.
//   tee        the handler's body teed and one branch read to its end in waitUntil (the core of
//              the body watcher, without its peek or its bookkeeping).
//   watch      the handler's response through js/body-watcher.js's watchBody, nothing recorded.
//   empty      instrument() with sampleRate 0 and no request metric around a handler that records
//              nothing: the scope, the unsampled root span, the watcher, finalize, an empty flush.
//   unsampled  the same with the bench workload (./workload.js): its spans are not recorded, its 3
//              metric updates and log line are, and are exported to env.COLLECTOR_URL.
// The baseline side of the bench bundles this same file against another checkout, so keep to the
// API every compared commit has.
import { exporters, instrument, scopeOf } from 'edgescope';
import { watchBody } from '../../js/body-watcher.js';
import { recordWork } from './workload.js';
import { respond } from './responses.js';

const config = (env) => ({
  service: 'bench',
  requestMetrics: false,
  sampleRate: 0,
  exporter: exporters.http({ url: env.COLLECTOR_URL, format: 'native', retries: 0 }),
});

const empty = instrument({ fetch: (request, env) => respond('string', new URL(request.url), env) }, config);

const emptyNoBody = instrument({ fetch: () => new Response(null, { status: 204 }) }, config);

const unsampled = instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      recordWork(scopeOf(request), url);
      return respond('string', url, env);
    },
  },
  config,
);

export default {
  async fetch(request, env, ctx) {
    switch (env.VARIANT) {
      case 'plain':
      case 'plain-again':
        return respond('string', new URL(request.url), env);
      case 'tee': {
        const response = respond('string', new URL(request.url), env);
        const [client, watched] = response.body.tee();
        const reader = watched.getReader();
        ctx.waitUntil((async () => {
          while (!(await reader.read()).done);
        })());
        return new Response(client, response);
      }
      case 'timer':
        await new Promise((r) => setTimeout(r, 0));
        return respond('string', new URL(request.url), env);
      case 'signal':
        request.signal.addEventListener('abort', () => {}, { once: true });
        return respond('string', new URL(request.url), env);
      case 'waituntil':
        ctx.waitUntil(Promise.resolve());
        return respond('string', new URL(request.url), env);
      case 'plain-nobody':
        return new Response(null, { status: 204 });
      case 'empty-nobody':
        return emptyNoBody.fetch(request, env, ctx);
      case 'watch':
        return watchBody(respond('string', new URL(request.url), env), () => {}, { signal: request.signal, request });
      case 'empty':
        return empty.fetch(request, env, ctx);
      case 'unsampled':
        return unsampled.fetch(request, env, ctx);
      default:
        throw new Error(`unknown VARIANT ${JSON.stringify(env.VARIANT)}`);
    }
  },
};
