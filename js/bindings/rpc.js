// Durable Object namespace stubs and service bindings (fetch and RPC methods), traced as CLIENT
// spans with the trace context carried to instrumented callees. wrapRpcBinding(binding, type,
// name, scope, options) returns what the handler sees in env for a binding of `type`
// ('durable_object' | 'service'); until those wrappers exist the binding passes through untouched.
export function wrapRpcBinding(binding) {
  return binding;
}
