// A DurableObjectNamespace whose stubs are traced. Ids pass through untouched (idFromName,
// idFromString, newUniqueId are computed locally and carry no I/O); get(id[, options]) and
// getByName(name[, options]) return a wrapped stub; jurisdiction(j) returns a namespace wrapped
// the same way. Anything else the runtime adds later passes through, bound to the namespace.
import { wrapStub } from './rpc-stub.js';
import { remember } from './rpc-wrappers.js';

const STUB_FACTORIES = new Set(['get', 'getByName']);

export function wrapNamespace(namespace, site) {
  return remember(
    new Proxy(namespace, {
      get(target, key) {
        // The receiver is the namespace itself: native methods and accessors check `this`
        // ("Illegal invocation" otherwise).
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        if (STUB_FACTORIES.has(key)) return (...args) => wrapStub(Reflect.apply(value, target, args), site);
        if (key === 'jurisdiction') return (...args) => wrapNamespace(Reflect.apply(value, target, args), site);
        return value.bind(target);
      },
    }),
    namespace,
  );
}
