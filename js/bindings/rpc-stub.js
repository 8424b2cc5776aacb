// A Durable Object stub or a service binding (Fetcher) whose calls are traced. On such a stub
// every property name is an RPC property (workerd's JsRpcProperty): callable as a method, awaitable
// as a property getter, and a path to nested properties (`stub.a.b()`). So the wrapper is a Proxy
// that reads each property from the stub itself (never with the Proxy as receiver: native
// accessors check `this`, the "Illegal invocation" of other wrappers) and returns:
//   - fetch: traced as an HTTP CLIENT span with traceparent/tracestate (rpc-fetch.js);
//   - connect, symbols (Symbol.dispose), Object.prototype's members (toString, hasOwnProperty,
//     constructor: real functions on a stub, not RPC properties), the `then` the runtime leaves
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
        if (typeof key !== 'string' || key === 'connect' || key in Object.prototype) return value.bind(target);
        return tracedRpcProperty(value, key, site);
      },
    }),
    stub,
  );
}
