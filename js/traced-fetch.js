// Outbound fetch with a CLIENT span and W3C trace context propagation (traceparent, tracestate).
// The span ends when the response headers arrive, as the OpenTelemetry HTTP client
// conventions define; the body stays the caller's to read.
import { ATTR, clientRequestAttributes } from './http-attributes.js';

export async function tracedFetch(telemetry, parent, input, init) {
  const request = new Request(input, init);
  const span = telemetry.startSpan(request.method, {
    parent,
    kind: 'client',
    attributes: clientRequestAttributes(request),
  });
  const headers = new Headers(request.headers);
  const context = span.spanContext();
  if (context) {
    headers.set('traceparent', context.traceparent);
    if (context.tracestate) headers.set('tracestate', context.tracestate);
    else headers.delete('tracestate');
  }
  try {
    const response = await globalThis.fetch(new Request(request, { headers }));
    span.setAttribute(ATTR.status, response.status);
    if (response.status >= 400) span.setStatus('error', `HTTP ${response.status}`);
    return response;
  } catch (error) {
    span.recordException(error);
    span.setStatus('error', error?.message ?? String(error));
    throw error;
  } finally {
    span.end();
  }
}
