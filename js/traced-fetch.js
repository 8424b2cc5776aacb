// Outbound fetch with a CLIENT span and W3C trace context propagation (traceparent, tracestate).
// The span ends when the response headers arrive, as the OpenTelemetry HTTP client
// conventions define; the body stays the caller's to read. The same steps serve fetch through a
// service binding or a Durable Object stub (js/bindings/rpc-fetch.js).
import { ATTR, clientRequestAttributes } from './http-attributes.js';

export async function tracedFetch(telemetry, parent, input, init) {
  const request = new Request(input, init);
  const span = telemetry.startSpan(request.method, {
    parent,
    kind: 'client',
    attributes: clientRequestAttributes(request),
  });
  try {
    return noteResponse(span, await globalThis.fetch(withTraceContext(request, span)));
  } catch (error) {
    span.recordException(error);
    span.setStatus('error', error?.message ?? String(error));
    throw error;
  } finally {
    span.end();
  }
}

// A copy of `request` carrying the span's context: the caller's Request and Headers are never
// changed. A tracestate the caller set belongs to another traceparent, so it is replaced (or
// removed when the trace has none).
export function withTraceContext(request, span) {
  const context = span.spanContext();
  if (!context) return request;
  const headers = new Headers(request.headers);
  headers.set('traceparent', context.traceparent);
  if (context.tracestate) headers.set('tracestate', context.tracestate);
  else headers.delete('tracestate');
  return new Request(request, { headers });
}

// The response status on the span (OpenTelemetry HTTP client spans: 4xx and 5xx are errors).
export function noteResponse(span, response) {
  span.setAttribute(ATTR.status, response.status);
  if (response.status >= 400) span.setStatus('error', `HTTP ${response.status}`);
  return response;
}
