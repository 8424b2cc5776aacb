// fetch() through a Durable Object stub or a service binding as an HTTP CLIENT span (OpenTelemetry
// HTTP client conventions, the steps of js/traced-fetch.js), with W3C traceparent/tracestate headers on a
// copy of the request: the caller's Request and Headers are never changed. The span ends when the
// response headers arrive; the body stays the caller's to read.
import { clientRequestAttributes } from '../http-attributes.js';
import { noteResponse, withTraceContext } from '../traced-fetch.js';
import { failSpan, openBindingSpan } from './rpc-span.js';

export async function tracedBindingFetch(stub, fetch, site, input, init) {
  let request;
  try {
    request = new Request(input, init);
  } catch {
    // Input the runtime would refuse too: its own error, as without the wrapper.
    return Reflect.apply(fetch, stub, [input, init]);
  }
  const span = openBindingSpan(site, request.method, clientRequestAttributes(request));
  if (!span) return Reflect.apply(fetch, stub, [request]);
  try {
    const response = noteResponse(span, await Reflect.apply(fetch, stub, [withTraceContext(request, span)]));
    span.end();
    return response;
  } catch (error) {
    failSpan(span, error);
    throw error;
  }
}
