// The Cache API as scope.caches: caches.default and caches.open(name), whose match, put and
// delete are CLIENT spans (db.system.name 'cloudflare.cache', db.namespace = the cache's name,
// 'default' for caches.default). A match is a lookup: source tier 'cache' on a hit, 'miss' when
// it resolves to undefined; bytes from Content-Length when the response states it (the body is
// never read: it is the caller's).
//
// Why scope.caches and not a patched global `caches`: Workers have no implicit async context
// without nodejs_compat (no AsyncLocalStorage), so a patched global could not tell which
// invocation called it, and one isolate serves many requests concurrently: their spans would be
// attributed to whichever request happened to be current. The scope knows its invocation.
import { bindingProxy, dbAttributes } from './binding-proxy.js';
import { isTraced } from './binding-config.js';
import { recordLookup, tracedCall } from './call-span.js';

export function instrumentCaches(storage, scope) {
  let defaultCache = null;
  return bindingProxy(storage, {
    get default() {
      defaultCache ??= wrapCache(storage.default, 'default', scope);
      return defaultCache;
    },
    open: (cacheName, ...rest) => storage.open(cacheName, ...rest).then((cache) => wrapCache(cache, String(cacheName), scope)),
  });
}

function wrapCache(cache, name, scope) {
  if (cache === null || typeof cache !== 'object') return cache;
  const call = (operation, invoke, settled) =>
    tracedCall(scope, `${operation} ${name}`, 'client', dbAttributes('cloudflare.cache', 'cache', name, operation), invoke, settled);
  return bindingProxy(cache, {
    match: (...args) =>
      call('match', () => cache.match(...args), (span, response, ms) => {
        const hit = response !== undefined && response !== null;
        recordLookup(scope, span, 'cache', hit, ms, hit ? contentLength(response) : undefined);
      }),
    put: (...args) => call('put', () => cache.put(...args)),
    delete: (...args) =>
      call('delete', () => cache.delete(...args), (span, deleted) => {
        if (typeof deleted === 'boolean') span.setAttribute('cloudflare.cache.deleted', deleted);
      }),
  });
}

function contentLength(response) {
  const header = response.headers?.get('content-length');
  if (header === null || header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

// What scope.caches is for this invocation's config (InvocationScope.caches).
export function scopeCaches(scope) {
  const storage = globalThis.caches;
  if (storage === null || typeof storage !== 'object') return storage;
  const bindings = scope.telemetry.config.bindings;
  if (!isTraced(bindings, 'cache', 'caches')) return storage;
  return instrumentCaches(storage, scope);
}
