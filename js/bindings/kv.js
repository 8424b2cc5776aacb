// Workers KV (KvNamespace): get, getWithMetadata, put, list, delete as CLIENT spans in the
// database conventions (db.system.name 'cloudflare.kv', db.namespace = the binding name). A get
// is a lookup: source tier 'kv' when a value came back, 'miss' for null; its bytes are counted
// when the value is text or binary (a 'stream' value is passed on unread).
import { bindingProxy, dbAttributes } from './binding-proxy.js';
import { byteSize } from './byte-size.js';
import { recordLookup, tracedCall } from './call-span.js';

export function wrapKv(kv, name, scope) {
  const call = (operation, invoke, settled) =>
    tracedCall(scope, `${operation} ${name}`, 'client', dbAttributes('cloudflare.kv', 'kv', name, operation), invoke, settled);
  return bindingProxy(kv, {
    get: (...args) => call('get', () => kv.get(...args), (span, value, ms) => lookup(scope, span, value, ms)),
    getWithMetadata: (...args) =>
      call('getWithMetadata', () => kv.getWithMetadata(...args), (span, result, ms) =>
        // Several keys at once answer a Map of { value, metadata }: its values, as a bulk get's.
        lookup(scope, span, result instanceof Map ? valuesOf(result) : result?.value, ms),
      ),
    put: (...args) => call('put', () => kv.put(...args)),
    list: (...args) => call('list', () => kv.list(...args), (span, result) => {
      if (Array.isArray(result?.keys)) span.setAttribute('db.response.returned_rows', result.keys.length);
    }),
    delete: (...args) => call('delete', () => kv.delete(...args)),
  });
}

// A get of several keys at once (get([k1, k2])) returns a Map: one lookup, a hit when any key had
// a value; its bytes are not counted (the values may be parsed JSON).
function lookup(scope, span, value, durationMs) {
  if (value instanceof Map) {
    const hit = [...value.values()].some((entry) => entry !== null && entry !== undefined);
    recordLookup(scope, span, 'kv', hit, durationMs, undefined);
    return;
  }
  const hit = value !== null && value !== undefined;
  recordLookup(scope, span, 'kv', hit, durationMs, hit ? byteSize(value) : undefined);
}

function valuesOf(results) {
  const values = new Map();
  for (const [key, entry] of results) values.set(key, entry?.value ?? null);
  return values;
}
