// The incoming W3C trace context of a fetch invocation. The platform redacts header values in a
// TraceItem by default (developers.cloudflare.com/workers/observability/logs/tail-workers/);
// `getUnredacted()` gives the request as received, which the user allows with config
// `readHeaders: true`. Without it the root span starts a trace of its own.
export function traceparentOf(request) {
  let source = request;
  try {
    if (typeof request.getUnredacted === 'function') source = request.getUnredacted();
  } catch {
    return null;
  }
  const traceparent = header(source?.headers, 'traceparent');
  if (!traceparent) return null;
  return { traceparent, tracestate: header(source.headers, 'tracestate') ?? '' };
}

// TraceItem headers are a plain object (Record<string, string>), names as the runtime gives them.
function header(headers, name) {
  if (!headers || typeof headers !== 'object') return null;
  if (typeof headers.get === 'function') return headers.get(name);
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name && typeof headers[key] === 'string') return headers[key];
  }
  return null;
}
