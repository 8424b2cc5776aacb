// Durable Object namespace stubs and service bindings (fetch and RPC methods), traced as CLIENT
// spans with the trace context carried to instrumented callees. wrapRpcBinding(binding, type,
// name, scope, options) returns what the handler sees in env for a binding of `type`
// ('durable_object' | 'service'). The pieces: rpc-namespace.js (DurableObjectNamespace),
// rpc-stub.js (a stub or a Fetcher), rpc-call.js (one RPC method call), rpc-fetch.js (fetch
// through a binding), rpc-context.js (what carries the trace context), rpc-wrappers.js (which
// objects are ours).
import { wrapNamespace } from './rpc-namespace.js';
import { wrapStub } from './rpc-stub.js';
import { originalOf } from './rpc-wrappers.js';

// options: { rpcContext?: boolean | string[] } (config `bindings`): which bindings get the trace
// context as a trailing RPC argument. Wrapping one of our wrappers wraps the original again (never
// two spans per call); a binding that is not an object passes through untouched.
export function wrapRpcBinding(binding, type, name, scope, options) {
  const original = originalOf(binding);
  if (original === null || (typeof original !== 'object' && typeof original !== 'function')) return binding;
  const site = { type, name: String(name), scope, rpcContext: selectsContext(options?.rpcContext, name) };
  if (type === 'durable_object') return wrapNamespace(original, site);
  if (type === 'service') return wrapStub(original, site);
  return binding;
}

// config `bindings.rpcContext`: true (every RPC binding) or the binding names that get it.
function selectsContext(rpcContext, name) {
  if (rpcContext === true) return true;
  return Array.isArray(rpcContext) && rpcContext.includes(name);
}
