// One RPC method call through a stub, as a CLIENT span. The call returns the runtime's own
// RpcPromise, never a new Promise: promise pipelining (`stub.method().field`,
// `stub.method().other()`) and disposal of the result (`using r = await stub.method()`) work on
// that object only. The span ends when it settles, observed with a second .then(): workerd hands
// every .then() the same result object and disposing it (explicitly or with `using`) still
// releases the callee's stubs (tests/workerd/rpc-differential.test.js checks both). A consequence:
// a rejection nobody awaits is handled by that .then() and raises no unhandledrejection.
import { reportInternalFailure } from '../internal-failures.js';
import { traceContextArgument } from './rpc-context.js';
import { failSpan, openBindingSpan, rpcAttributes, rpcSpanName } from './rpc-span.js';
import { unwrapArguments } from './rpc-wrappers.js';

// The promise methods of an RPC property used as a property getter (`await stub.prop`): called on
// the original property, as the runtime requires.
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

// `property` is the stub's own RPC property at `path` ('method', or 'a.b' for stub.a.b). The
// returned Proxy is callable (a traced call) and otherwise reads through to the original:
// awaiting it reads the remote property, untraced, exactly as without the wrapper.
export function tracedRpcProperty(property, path, site) {
  return new Proxy(property, {
    apply(target, _thisArg, args) {
      return callTraced(target, path, site, args);
    },
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (typeof key !== 'string' || PROMISE_METHODS.has(key)) return value.bind(target);
      return tracedRpcProperty(value, `${path}.${key}`, site);
    },
  });
}

function callTraced(property, path, site, args) {
  const span = openBindingSpan(site, rpcSpanName(site, path), rpcAttributes(site, path));
  let callArgs = unwrapArguments(args);
  // Only a top-level method gets the context: instrumented callees strip it from the methods of
  // their class, not from methods of objects those return.
  if (site.rpcContext && !path.includes('.')) callArgs = [...callArgs, traceContextArgument(span, site.scope?.rootSpan)];
  let result;
  try {
    // The RPC property does not depend on `this` (it carries its stub), so none is passed.
    result = Reflect.apply(property, undefined, callArgs);
  } catch (error) {
    if (span) failSpan(span, error);
    throw error;
  }
  if (span) endWhenSettled(result, span);
  return result;
}

function endWhenSettled(result, span) {
  try {
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
      result.then(
        () => span.end(),
        (error) => failSpan(span, error),
      );
      return;
    }
  } catch (error) {
    reportInternalFailure('binding span', error);
  }
  span.end();
}
