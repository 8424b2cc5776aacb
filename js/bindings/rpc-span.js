// The CLIENT span of one call through a Durable Object stub or a service binding, a child of the
// invocation's root span. RPC attributes follow the OpenTelemetry RPC span conventions as of
// semconv 1.37 (rpc.system, rpc.service, rpc.method; span name "$service/$method"); the stable
// conventions after it rename rpc.system to rpc.system.name and fold the service into
// rpc.method, and instrumentations already emitting 1.37 keep it until opted in
// (OTEL_SEMCONV_STABILITY_OPT_IN). rpc.system is our own value: Workers RPC is not in the list.
import { reportInternalFailure } from '../internal-failures.js';

export const RPC_SYSTEM = 'cloudflare_workers_rpc';

// null when there is nothing to trace under (telemetry unavailable for this invocation): the call
// then goes through untraced. A failure to open the span never fails the call.
// A call through an env kept past its invocation (a module-level `kept ??= env`) is not traced:
// its spans would land in that finished invocation's trace (call-span.js does the same).
export function openBindingSpan(site, name, attributes) {
  if (site.scope?.closed) return null;
  const parent = site.scope?.rootSpan;
  if (typeof parent?.startSpan !== 'function') return null;
  try {
    return parent.startSpan(name, {
      kind: 'client',
      attributes: { ...attributes, 'cloudflare.binding.type': site.type, 'cloudflare.binding.name': site.name },
    });
  } catch (error) {
    reportInternalFailure('binding span', error);
    return null;
  }
}

export function rpcSpanName(site, method) {
  return `${site.name}/${method}`;
}

export function rpcAttributes(site, method) {
  return { 'rpc.system': RPC_SYSTEM, 'rpc.service': site.name, 'rpc.method': method };
}

// A call that threw or rejected: the exception event and error status on the span, which ends.
// The error itself is the caller's, untouched.
export function failSpan(span, error) {
  try {
    span.recordException(error);
    span.setStatus('error', error?.message ?? String(error));
  } catch (failure) {
    reportInternalFailure('binding span', failure);
  }
  span.end();
}
