// One RPC invocation of a Durable Object or WorkerEntrypoint method, as an InvocationScope: a
// SERVER span named "{class}/{method}" (OpenTelemetry RPC semantic conventions: span name
// `{rpc.service}/{rpc.method}`, attributes rpc.system, rpc.service, rpc.method), parented on the
// trailing trace-context argument when the caller sent one (trace-context-argument.js), ended and
// exported when the method's result settles.
//
// The method's result is returned exactly as the method returned it — the same promise, stream,
// stub or RpcPromise, never awaited and re-wrapped — so the runtime serializes, pipelines and
// disposes it as without edgescope. A throw or rejection is recorded (exception event, error
// status) and reaches the caller unchanged.
import { open } from '../instrument.js';
import { registerScope } from '../invocation-scope.js';
import { unavailableScope } from '../internal-failures.js';
import { splitTraceContext } from './trace-context-argument.js';

export const RPC_SYSTEM = 'cloudflare_workers_rpc';

// telemetry: from telemetryFor (null: run uninstrumented). ctx: the instance's DurableObjectState
// or ExecutionContext (has waitUntil). attributes: extra root-span attributes (the class, the
// object id).
export function runRpc(telemetry, ctx, instance, method, name, service, args, attributes) {
  const call = splitTraceContext(args);
  if (!telemetry) {
    registerScope(unavailableScope(null, ctx), ctx);
    return method.apply(instance, call.args);
  }
  const scope = open(telemetry, ctx, (s) => {
    const { span, rejectedHeader } = telemetry.startRemoteSpan(`${service}/${name}`, {
      kind: 'server',
      traceparent: call.traceparent,
      tracestate: call.tracestate,
      attributes: { 'rpc.system': RPC_SYSTEM, 'rpc.service': service, 'rpc.method': name, ...attributes },
      scope: s,
    });
    s.attach(span, null);
    if (rejectedHeader) span.setAttribute('edgescope.traceparent.rejected', true);
    // The latest invocation to start on this instance (ARCHITECTURE.md, "Durable Objects and
    // WorkerEntrypoints": why scopeOf(this.ctx) is read before the method's first await).
    registerScope(s, ctx, s.ctx);
  });
  if (!scope) {
    registerScope(unavailableScope(telemetry, ctx), ctx);
    return method.apply(instance, call.args);
  }
  let result;
  try {
    result = method.apply(instance, call.args);
  } catch (error) {
    scope.fail(error);
    scope.finalize({ outcome: 'threw', error });
    throw error;
  }
  const then = thenOf(result);
  if (then) {
    // Observed on the side: the runtime still gets (and awaits) the very object returned.
    then.call(
      result,
      () => scope.finalize({ outcome: 'complete' }),
      (error) => {
        scope.fail(error);
        scope.finalize({ outcome: 'threw', error });
      },
    );
  } else {
    scope.finalize({ outcome: 'complete' });
  }
  return result;
}

// A thenable's then, or null (an RPC stub answers undefined for `then`, so it is not awaited).
function thenOf(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return null;
  try {
    return typeof value.then === 'function' ? value.then : null;
  } catch {
    return null;
  }
}
