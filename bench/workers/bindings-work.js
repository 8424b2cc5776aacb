// What every side of bench/bindings-overhead.mjs does per request: one KV get, one Cache API match
// and one D1 query, all hits (GET /seed fills them first), then the answer drive() expects
// (bench/workerd-cpu.mjs: `hello /item/<k>`). `caches` is the CacheStorage the side uses: the
// global one uninstrumented, scope.caches under instrument().
export const CACHE_ORIGIN = 'https://bench.example';

export async function bindingWork(env, caches, url) {
  const k = url.pathname.slice('/item/'.length);
  const [kv, cached, row] = await Promise.all([
    env.KV.get(`item:${k}`),
    caches.default.match(`${CACHE_ORIGIN}/item/${k}`),
    env.DB.prepare('SELECT name FROM items WHERE id = ?1').bind(Number(k)).first(),
  ]);
  // Read the cached body too, as a real handler would; a miss anywhere is a wrong answer.
  const text = cached ? await cached.text() : null;
  if (kv !== `value ${k}` || text !== `cached ${k}` || row?.name !== `item ${k}`) {
    return new Response(`a lookup missed: kv=${kv} cache=${text} d1=${row?.name}`, { status: 500 });
  }
  return new Response(`hello ${url.pathname}`);
}

// Fills KV, the cache and D1 for keys 0..9 (drive() asks for /item/0 .. /item/9).
export async function seed(env, caches) {
  await env.DB.exec('CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  for (let k = 0; k < 10; k++) {
    await env.KV.put(`item:${k}`, `value ${k}`);
    await env.DB.prepare('INSERT OR REPLACE INTO items (id, name) VALUES (?1, ?2)').bind(k, `item ${k}`).run();
    await caches.default.put(`${CACHE_ORIGIN}/item/${k}`, new Response(`cached ${k}`, { headers: { 'cache-control': 'max-age=86400' } }));
  }
  return new Response('seeded');
}
