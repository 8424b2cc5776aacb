// A Durable Object stub or a service binding (Fetcher) whose calls are traced. On such a stub
// every property name is an RPC property (workerd's JsRpcProperty): callable as a method, awaitable
// as a property getter, and a path to nested properties (`stub.a.b()`). So the wrapper is a Proxy
// that reads each property from the stub itself (never with the Proxy as receiver: native
// accessors check `this`, the "Illegal invocation" of other wrappers) and returns:
//   - fetch: traced as an HTTP CLIENT span with traceparent/tracestate (rpc-fetch.js);
//   - connect, symbols (Symbol.dispose), the stub's own native methods found on its prototype
//     chain (Fetcher's queue and scheduled, get/put/delete before the fetcher_no_get_put_delete
//     compatibility date; Object.prototype's toString, hasOwnProperty, constructor): real
//     functions that check `this`, not RPC properties, so they are bound to the stub, untraced and
//     given their arguments as they are (no trace-context argument); the `then` the runtime leaves
//     undefined, and non-function values (a Durable Object stub's `id` and `name`): what the stub
//     itself returns, functions bound to it;
//   - any other RPC property: rpc-call.js's traced property, which calls through to the original
//     and behaves like it for every use that is not a call.
import { tracedRpcProperty } from './rpc-call.js';
import { tracedBindingFetch } from './rpc-fetch.js';
import { remember } from './rpc-wrappers.js';

export function wrapStub(stub, site) {
  if (stub === null || (typeof stub !== 'object' && typeof stub !== 'function')) return stub;
  return remember(
    new Proxy(stub, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        if (key === 'fetch') return (input, init) => tracedBindingFetch(target, value, site, input, init);
        if (typeof key !== 'string' || key === 'connect' || isNativeMethod(target, key)) return value.bind(target);
        return tracedRpcProperty(value, key, site);
      },
    }),
    stub,
  );
}

// RPC properties come from the stub's wildcard property handler, never from its prototype chain,
// where the runtime's own methods live (workerd's Fetcher: fetch, connect, queue, scheduled, and
// get/put/delete at older compatibility dates).
function isNativeMethod(stub, key) {
  const proto = Object.getPrototypeOf(stub);
  return key in Object.prototype || (proto !== null && key in proto);
}
