// The platform's tracing object (`tracing` from 'cloudflare:workers'), handed in by the workerd
// entry (js/entry/workerd.js) — the only module that may import 'cloudflare:workers', which exists
// only inside workerd. Node entries provide nothing, so nothing here ever joins there.
//
// Support is decided once per isolate, from the object's shape (support.js): the per-request path
// (nativeParent) then costs one module-level check when joining is impossible.
import { nativeTracingSupport } from './support.js';

let joinable = null; // the tracing object, only when it has getActiveSpan() and spanContext()

export function providePlatformTracing(tracing) {
  joinable = nativeTracingSupport(tracing).canJoin ? tracing : null;
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';
const INVALID_SPAN_ID = '0000000000000000';
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

// The invocation's platform span as a W3C traceparent (Trace Context section 3.2:
// `00-<trace-id>-<parent-id>-<trace-flags>`), or null: no joinable runtime, no active span, an
// invocation the platform does not trace (`isTraced` false; workerd then reports all-zero ids,
// which section 3.2.2.3/3.2.2.4 declare invalid), or ids not in W3C form.
// getActiveSpan() returns the invocation's existing span: it opens no (billed) platform span.
//
// The sampled flag is `01`: `isTraced` is the platform's own recording decision (its head sampling
// said yes). spanContext().traceFlags is not used for it: workerd 1.20261123.1 reports 0 for an
// invocation it does trace, which would make edgescope (parent-based sampling, like any incoming
// traceparent) drop every joined trace.
export function nativeParent() {
  if (joinable === null) return null;
  const span = joinable.getActiveSpan();
  if (!span || span.isTraced !== true) return null;
  const context = span.spanContext();
  const traceId = context?.traceId;
  const spanId = context?.spanId;
  if (!TRACE_ID.test(traceId) || !SPAN_ID.test(spanId) || traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return null;
  return `00-${traceId}-${spanId}-01`;
}
