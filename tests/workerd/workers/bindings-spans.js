// Binding calls under instrument(), one kind per path, for the spans they export. EXCLUDE (a JSON
// value of the `bindings` option) configures what is traced, so one bundle serves every case.
import { env as runtimeEnv } from 'cloudflare:workers';
import { exporters, instrument, scopeOf } from 'edgescope';
import { wrapEnv } from '../../../js/bindings/env.js';

// Stand-ins for a binding Miniflare cannot run (Workers AI) and for bindings edgescope does not
// know. The class name is what the runtime's Workers AI binding is made with.
class Ai {
  constructor(result, error) {
    this.result = result;
    this.error = error;
  }
  async run(model, inputs) {
    if (inputs?.fail) throw this.error;
    return this.result;
  }
  models() {
    return this === undefined ? 'unbound' : 'bound';
  }
}

const SECRET = 'parameter-value-7f3a';

const routes = {
  async kv(env) {
    await env.KV.put('k', 'välue');
    const hit = await env.KV.get('k');
    const miss = await env.KV.get('missing');
    const meta = await env.KV.getWithMetadata('k');
    await env.KV.list();
    await env.KV.delete('k');
    const error = await env.KV.get('').catch((e) => e.name);
    return { hit, miss, meta: meta.value, error };
  },
  async r2(env) {
    await env.BUCKET.put('obj', 'twelve bytes');
    const got = await env.BUCKET.get('obj');
    const text = await got.text();
    const head = await env.BUCKET.head('missing');
    await env.BUCKET.list();
    const upload = await env.BUCKET.createMultipartUpload('multi');
    const part = await upload.uploadPart(1, 'part');
    await upload.complete([part]);
    await env.BUCKET.delete('obj');
    return { text, head };
  },
  async d1(env) {
    await env.DB.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT)');
    await env.DB.prepare('INSERT INTO t (label) VALUES (?)').bind(SECRET).run();
    const all = await env.DB.prepare('SELECT id FROM t WHERE label = ?').bind(SECRET).all();
    const none = await env.DB.prepare('SELECT id FROM t WHERE label = ?').bind('nothing').first();
    const raw = await env.DB.prepare('SELECT id FROM t').raw();
    await env.DB.batch([env.DB.prepare('INSERT INTO t (label) VALUES (?)').bind(SECRET), env.DB.prepare('SELECT 1')]);
    const error = await env.DB.prepare('SELEC broken').all().catch((e) => e.message);
    return { rows: all.results.length, none, raw, error };
  },
  async cache(env, scope) {
    const cache = scope.caches.default;
    await cache.put('https://example.com/c', new Response('cached!', { headers: { 'cache-control': 'max-age=60', 'content-length': '7' } }));
    const hit = await (await cache.match('https://example.com/c')).text();
    const miss = await cache.match('https://example.com/none');
    await cache.delete('https://example.com/c');
    const named = await scope.caches.open('pages');
    await named.match('https://example.com/p');
    return { hit, miss: miss ?? null };
  },
  async queue(env) {
    await env.QUEUE.send({ a: 1 });
    await env.QUEUE.sendBatch([{ body: 1 }, { body: 2 }, { body: 3 }]);
    return {};
  },
  async analytics(env) {
    env.ANALYTICS.writeDataPoint({ blobs: ['x', 'y'], doubles: [1], indexes: ['i'] });
    return {};
  },
  async ai(env, scope) {
    const result = { response: 'hi', usage: { prompt_tokens: 5, completion_tokens: 7 } };
    const thrown = new RangeError('model overloaded');
    const other = { get: () => 'not KV' };
    const standIn = new Ai(result, thrown);
    const wrapped = wrapEnv({ AI: standIn, OTHER: other }, scope, scope.telemetry.config);
    const value = await wrapped.AI.run('@cf/test/model', { prompt: 'p' });
    const caught = await wrapped.AI.run('@cf/test/model', { fail: true }).catch((e) => e);
    return {
      resultSame: value === result,
      errorSame: caught === thrown,
      instanceOf: wrapped.AI instanceof Ai,
      unknownMethod: wrapped.AI.models(),
      otherSame: wrapped.OTHER === other,
    };
  },
  // Cache API, KV, R2 and D1 lookups in one request: two of each kind, one hit and one miss.
  async mixed(env, scope) {
    const cache = scope.caches.default;
    await cache.match('https://example.com/mixed-miss');
    await cache.put('https://example.com/mixed', new Response('seven!!', { headers: { 'cache-control': 'max-age=60', 'content-length': '7' } }));
    await (await cache.match('https://example.com/mixed')).text();
    await env.KV.put('m', 'välue');
    await env.KV.get('m');
    await env.KV.get('mixed-miss');
    await env.BUCKET.put('m', 'twelve bytes');
    await (await env.BUCKET.get('m')).text();
    await env.BUCKET.head('mixed-miss');
    await env.DB.exec('CREATE TABLE IF NOT EXISTS m (v TEXT)');
    await env.DB.prepare('INSERT INTO m VALUES (?)').bind('x').run();
    await env.DB.prepare('SELECT v FROM m').all();
    await env.DB.prepare('SELECT v FROM m WHERE v = ?').bind('none').first();
    return scope.cacheFacts;
  },
  // One KV read after a wait, so that concurrent requests interleave their binding calls.
  async one(env) {
    await env.KV.get('one');
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { value: await env.KV.get('one') };
  },
  async identity(env, scope) {
    const same = (name) => env[name] === runtimeEnv[name];
    return { KV: same('KV'), BUCKET: same('BUCKET'), DB: same('DB'), QUEUE: same('QUEUE'), caches: scope.caches === caches };
  },
};

const handler = {
  async scheduled(controller, env) {
    await env.KV.get('from-cron');
    await env.QUEUE.send({ cron: controller.cron });
  },
  async fetch(request, env) {
    const route = routes[new URL(request.url).pathname.slice(1)];
    return route ? Response.json(await route(env, scopeOf(request))) : new Response('no such route', { status: 404 });
  },
};

export default instrument(handler, (env) => ({
  service: 'bindings-spans',
  requestMetrics: false,
  exporter: exporters.http({ url: env.COLLECTOR_URL, retries: 0, timeoutMs: 2000 }),
  ...(env.BINDINGS === undefined ? {} : { bindings: JSON.parse(env.BINDINGS) }),
}));
