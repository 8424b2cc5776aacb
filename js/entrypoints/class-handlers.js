// The handlers the runtime itself calls on a Durable Object or WorkerEntrypoint instance, each
// one invocation run through instrument()'s own runners (js/instrument.js), so the lifecycle is
// the same as a Worker's fetch/scheduled/queue: waitUntil(done) first, root span, finalize
// (fetch: after the body was delivered or cancelled; the others: when the handler settles), a
// throw recorded and rethrown unchanged, then the export inside that waitUntil.
//
// Each run(telemetry, instance, method, args, ctx, env, attributes) calls the user's method with
// `this` = the instance and exactly the arguments the runtime passed. telemetry null: edgescope
// is unavailable, the method runs as without it and scopeOf(ctx) answers a scope that records
// nothing.
import { runEvent, runFetch } from '../instrument.js';
import { registerScope, scopeOf } from '../invocation-scope.js';
import { reportInternalFailure, unavailableScope } from '../internal-failures.js';
import { websocketCloseAttributes, websocketMessageAttributes } from './websocket-attributes.js';

function unavailable(instance, method, args, ctx) {
  registerScope(unavailableScope(null, ctx), ctx);
  return method.apply(instance, args);
}

// instrument()'s runners call handler[name](event, env, scopeCtx); the scope is registered under
// scopeCtx by then, so the class attributes go on its root span before the user's method runs.
function adapter(name, instance, method, args, attributes, before) {
  return {
    [name](_event, _env, scopeCtx) {
      try {
        const scope = scopeOf(scopeCtx);
        scope.span.setAttributes(attributes);
        before?.(scope);
      } catch (error) {
        reportInternalFailure('invocation start', error);
      }
      return method.apply(instance, args);
    },
  };
}

// fetch(request): a SERVER span from the request's traceparent/tracestate headers, body watched.
export function runFetchHandler(telemetry, instance, method, args, ctx, env, attributes) {
  if (!telemetry) return unavailable(instance, method, args, ctx);
  return runFetch(adapter('fetch', instance, method, args, attributes), telemetry, args[0], env, ctx);
}

// alarm(alarmInfo): a timer-triggered span; alarmInfo ({ retryCount, isRetry }) when the runtime
// passes it (developers.cloudflare.com/durable-objects/api/alarms/).
export function runAlarmHandler(telemetry, instance, method, args, ctx, env, attributes) {
  if (!telemetry) return unavailable(instance, method, args, ctx);
  const info = args[0];
  const alarm = { 'faas.trigger': 'timer' };
  if (typeof info?.retryCount === 'number') alarm['edgescope.alarm.retry_count'] = info.retryCount;
  if (typeof info?.isRetry === 'boolean') alarm['edgescope.alarm.is_retry'] = info.isRetry;
  return runEvent(adapter('alarm', instance, method, args, attributes), 'alarm', telemetry, info, env, ctx, 'alarm', 'internal', alarm);
}

// The WebSocket Hibernation API handlers (developers.cloudflare.com/durable-objects/api/websockets/):
// webSocketMessage(ws, message), webSocketClose(ws, code, reason, wasClean), webSocketError(ws, error).
// Each is a span of its own; scopeOf(ws) finds the latest one on that socket. The close reason is
// user text and is not recorded.
export function runWebSocketMessage(telemetry, instance, method, args, ctx, env, attributes) {
  if (!telemetry) return unavailable(instance, method, args, ctx);
  return runEvent(adapter('webSocketMessage', instance, method, args, attributes), 'webSocketMessage', telemetry, args[0], env, ctx, 'webSocketMessage', 'server', websocketMessageAttributes(args[1]));
}

export function runWebSocketClose(telemetry, instance, method, args, ctx, env, attributes) {
  if (!telemetry) return unavailable(instance, method, args, ctx);
  return runEvent(adapter('webSocketClose', instance, method, args, attributes), 'webSocketClose', telemetry, args[0], env, ctx, 'webSocketClose', 'server', websocketCloseAttributes(args[1], args[3]));
}

// The socket's error is recorded on the span (exception event); the span's status stays the
// handler's: an error the handler dealt with is not a failed invocation.
export function runWebSocketError(telemetry, instance, method, args, ctx, env, attributes) {
  if (!telemetry) return unavailable(instance, method, args, ctx);
  const recordSocketError = (scope) => scope.span.recordException(args[1]);
  return runEvent(adapter('webSocketError', instance, method, args, attributes, recordSocketError), 'webSocketError', telemetry, args[0], env, ctx, 'webSocketError', 'server', {});
}
