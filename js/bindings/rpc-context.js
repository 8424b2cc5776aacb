// How the trace context crosses a Workers RPC call. Workers RPC has no headers, so when config
// `bindings.rpcContext` selects the binding the caller appends ONE trailing argument:
//   { __edgescopeTraceContext: 1, traceparent, tracestate }
// (W3C Trace Context values as strings; tracestate '' when there is none). An instrumented callee
// (instrumentDurableObject / instrumentEntrypoint) strips it before calling the user's method and
// parents its server span on it. An uninstrumented callee receives it as a plain last argument, so
// it is off by default: a method that checks arguments.length or takes rest parameters would see
// it. fetch through a binding carries the headers instead and needs no opt-in. The marker is the
// one the callee side reads (js/entrypoints/trace-context-argument.js).
import { TRACE_CONTEXT_MARKER } from '../entrypoints/trace-context-argument.js';

export function traceContextArgument(span, fallback) {
  const context = span?.spanContext() ?? fallback?.spanContext() ?? null;
  return { [TRACE_CONTEXT_MARKER]: 1, traceparent: context?.traceparent ?? '', tracestate: context?.tracestate ?? '' };
}
