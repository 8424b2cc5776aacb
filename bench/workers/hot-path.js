// The sides of bench/hot-path.mjs, one Worker file picked by env.VARIANT (bench/hot-path.mjs lists
// what each one is). All but the -nobody sides answer the same short string body as ./plain.js,
// so the sides differ only in what runs around the handler.
// The baseline side of the bench bundles this same file against another checkout, so keep to the
// API every compared commit has.
import { createTelemetry, exporters, instrument, scopeOf } from 'edgescope';
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

// An exporter that accepts every payload without sending it: recording, drain and encode without
// the subrequest.
const nullExporter = {
  name: 'null',
  format: 'native',
  endpoint: 'null',
  async send(payloads) {
    return payloads.map((p) => ({ ok: true, records: p.records }));
  },
};
const recordOnly = instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      recordWork(scopeOf(request), url);
      return respond('string', url, env);
    },
  },
  () => ({ service: 'bench', requestMetrics: false, sampleRate: 0, exporter: nullExporter }),
);
// The same workload exported through the pipeline by an exporter that makes one bare fetch per
// payload (no retries, timeout, redirect rule or reply handling): the HTTP exporter's own share.
const bareFetchExporter = (url) => ({
  name: 'bare-fetch',
  format: 'native',
  endpoint: 'bare',
  async send(payloads) {
    return Promise.all(
      payloads.map(async (p) => {
        const reply = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: p.body });
        await reply.text();
        return { ok: true, records: p.records };
      }),
    );
  },
});
const unsampledBareFetch = instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      recordWork(scopeOf(request), url);
      return respond('string', url, env);
    },
  },
  (env) => ({ service: 'bench', requestMetrics: false, sampleRate: 0, exporter: bareFetchExporter(env.COLLECTOR_URL) }),
);
// Multiplied workloads, to read one API call's cost in workerd from outside: 50 unsampled child
// spans with 2 attributes each / 20 log lines / 30 metric updates, exported to nowhere.
const REPEAT = {
  spans50: (t) => {
    for (let i = 0; i < 50; i++) t.trace('step', (span) => { span.setAttribute('step.index', i); span.setAttribute('step.kind', 'compute'); });
  },
  logs20: (t, url) => {
    for (let i = 0; i < 20; i++) t.log.info('handled', { path: url.pathname });
  },
  log1: (t, url) => {
    t.log.info('handled', { path: url.pathname });
  },
  metrics30: (t, url) => {
    for (let i = 0; i < 10; i++) {
      t.metrics.increment('bench.requests', 1, { path: url.pathname });
      t.metrics.gauge('bench.inflight', 1);
      t.metrics.histogram('bench.size', 42, undefined, { unit: 'By' });
    }
  },
};
const repeated = instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      REPEAT[env.VARIANT](scopeOf(request), url);
      return respond('string', url, env);
    },
  },
  () => ({ service: 'bench', requestMetrics: false, sampleRate: 0, exporter: nullExporter }),
);
const repeatedNoBuffer = instrument(
  {
    async fetch(request, env) {
      const url = new URL(request.url);
      REPEAT.log1(scopeOf(request), url);
      return respond('string', url, env);
    },
  },
  () => ({ service: 'bench', requestMetrics: false, sampleRate: 0, buffer: false, exporter: nullExporter }),
);
// The manual API without instrument(), to split a non-empty flush into its pieces (no scope, no
// body watcher): an unsampled root span and then one of
//   flush-empty   flush() with nothing recorded;
//   flush-log     one log line, flush() to the null exporter (drain, encode, the pipeline);
//   drain-encode  one log line, then the core's drain, native encode and release, no pipeline;
//   drain-only    one log line, then drain and release: no encode.
//   flush-log-nobuffer  flush-log with `buffer: false`;
//   encode-send   drain, encode, release, then the null exporter's send() awaited in waitUntil:
//                 the pipeline's own bookkeeping left out.
let manual = null;
let manualNoBuffer = null;
function manualRequest(variant, ctx) {
  const t =
    variant === 'flush-log-nobuffer'
      ? (manualNoBuffer ??= createTelemetry({ service: 'bench', requestMetrics: false, sampleRate: 0, buffer: false, exporter: nullExporter }))
      : (manual ??= createTelemetry({ service: 'bench', requestMetrics: false, sampleRate: 0, exporter: nullExporter }));
  const root = t.startSpan('GET', { kind: 'server' });
  if (variant !== 'flush-empty') root.logger.info('handled', { path: '/item' });
  root.end();
  if (variant === 'flush-empty' || variant === 'flush-log' || variant === 'flush-log-nobuffer') {
    ctx.waitUntil(t.flush());
  } else if (variant === 'encode-send') {
    t.core.drain();
    const payloads = t.core.encode('native');
    t.core.release();
    ctx.waitUntil(nullExporter.send(payloads));
  } else {
    t.core.drain();
    if (variant === 'drain-encode') t.core.encode('native');
    t.core.release();
  }
}

// One log line's message is "handled", the marker bench/counting-collector.mjs counts, so a round
// of a side that posts waits until its POSTs have arrived, as the exporting sides do.
const POST_BODY = JSON.stringify({ service: 'bench-post', logs: Array.from({ length: 4 }, (_, i) => ({ timestamp: i, level: 'info', message: i === 0 ? 'handled' : 'x'.repeat(120), context: {} })) });

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
      case 'now20': {
        let t = 0;
        for (let i = 0; i < 20; i++) t += Date.now();
        return respond(t > 0 ? 'string' : 'none', new URL(request.url), env);
      }
      case 'plain-nobody':
        return new Response(null, { status: 204 });
      case 'empty-nobody':
        return emptyNoBody.fetch(request, env, ctx);
      case 'watch':
        return watchBody(respond('string', new URL(request.url), env), () => {}, { signal: request.signal, request });
      case 'empty':
        return empty.fetch(request, env, ctx);
      case 'spans50':
      case 'logs20':
      case 'log1':
      case 'metrics30':
        return repeated.fetch(request, env, ctx);
      case 'log1-nobuffer':
        return repeatedNoBuffer.fetch(request, env, ctx);
      case 'unsampled-noexport':
        return recordOnly.fetch(request, env, ctx);
      case 'post':
        ctx.waitUntil(fetch(env.COLLECTOR_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: POST_BODY }).then((r) => r.text()));
        return respond('string', new URL(request.url), env);
      case 'unsampled':
        return unsampled.fetch(request, env, ctx);
      case 'unsampled-barefetch':
        return unsampledBareFetch.fetch(request, env, ctx);
      case 'noexport-post':
        ctx.waitUntil(fetch(env.COLLECTOR_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: POST_BODY }).then((r) => r.text()));
        return recordOnly.fetch(request, env, ctx);
      case 'flush-empty':
      case 'flush-log':
      case 'drain-encode':
      case 'drain-only':
      case 'flush-log-nobuffer':
      case 'encode-send':
        manualRequest(env.VARIANT, ctx);
        return respond('string', new URL(request.url), env);
      default:
        throw new Error(`unknown VARIANT ${JSON.stringify(env.VARIANT)}`);
    }
  },
};
