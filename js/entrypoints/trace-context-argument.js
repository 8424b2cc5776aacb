// The trace context of an RPC call (ARCHITECTURE.md, "Trace context over RPC"). Workers RPC has no
// headers, so an instrumented caller whose binding is selected by `bindings.rpcContext` appends
// ONE extra argument, `{ __edgescopeTraceContext: 1, traceparent, tracestate }` (W3C Trace
// Context values). An instrumented callee takes it off before the user's method runs, so the
// method sees exactly the arguments its caller wrote; an uninstrumented callee receives it as one
// more argument, which JavaScript ignores unless the method reads `arguments` or a rest parameter.
export const TRACE_CONTEXT_MARKER = '__edgescopeTraceContext';

// A plain object (what structured clone gives on the receiving side) with the marker set to 1.
export function isTraceContextArgument(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && value[TRACE_CONTEXT_MARKER] === 1;
}

// { args, traceparent, tracestate }: the arguments without a trailing context argument, and its
// headers ('' when absent or not strings; the core validates them like incoming HTTP headers).
// Only the LAST argument is looked at: a context object elsewhere is user data.
export function splitTraceContext(args) {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  if (!isTraceContextArgument(last)) return { args, traceparent: '', tracestate: '' };
  return {
    args: Array.prototype.slice.call(args, 0, -1),
    traceparent: typeof last.traceparent === 'string' ? last.traceparent : '',
    tracestate: typeof last.tracestate === 'string' ? last.tracestate : '',
  };
}
