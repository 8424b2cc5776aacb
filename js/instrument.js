// instrument(handler, config): wraps fetch, scheduled, queue, email and tail so that every invocation
//   1. registers ctx.waitUntil(done) before anything else (nothing depends on code that runs
//      after the response),
//   2. opens a root span from the incoming trace context,
//   3. finalizes after the response body has been fully delivered or cancelled (or at once for a
//      null body, a 101 upgrade or a thrown handler),
//   4. drains and delivers what it produced inside that same waitUntil, then waits (bounded) for
//      the work the handler itself handed to ctx.waitUntil and delivers what that produced too.
// Telemetry fails open: if edgescope itself fails (a config function that throws, a trapped
// core), the handler runs exactly as without it and the failure is logged once and counted; its
// scopeOf() then returns a scope that records nothing (never a throw into the handler).
// ARCHITECTURE.md, "Request lifecycle", is the long form.
import { validateConfig } from './config.js';
import { watchBody } from './body-watcher.js';
import { ATTR, serverRequestAttributes } from './http-attributes.js';
import { InvocationScope, registerScope } from './invocation-scope.js';
import { SCOPE } from './telemetry.js';
import { telemetryFor } from './telemetry-for.js';
import { reportInternalFailure, unavailableScope } from './internal-failures.js';
import { wrapEnv } from './bindings/env.js';
import { emailAttributes } from './entrypoints/email-attributes.js';
import { tailAttributes } from './entrypoints/tail-attributes.js';
import { nativeParent } from './native-tracing/platform-slot.js';

const joinsPlatform = (config) => config.nativeTracing === 'join' && config.sampleRate >= 1;

export function instrument(handler, config) {
  if (!handler || typeof handler !== 'object') {
    throw new TypeError('edgescope: instrument(handler, config) expects the Worker export object as `handler`');
  }
  if (typeof config !== 'function') validateConfig(config); // up front: fail at deploy, not at the first request
  // One Telemetry per config per isolate, shared with instrumentDurableObject/instrumentEntrypoint
  // given the same config; null when unavailable for this invocation (the handler then runs
  // uninstrumented).
  const resolve = (env) => telemetryFor(config, env);

  const wrapped = Object.create(handler);
  if (typeof handler.fetch === 'function') {
    wrapped.fetch = function fetch(request, env, ctx) {
      const t = resolve(env);
      return t ? runFetch(handler, t, request, env, ctx) : uninstrumented(handler, 'fetch', request, env, ctx);
    };
  }
  if (typeof handler.scheduled === 'function') {
    wrapped.scheduled = function scheduled(controller, env, ctx) {
      const t = resolve(env);
      if (!t) return uninstrumented(handler, 'scheduled', controller, env, ctx);
      return runEvent(handler, 'scheduled', t, controller, env, ctx, `scheduled ${controller.cron ?? ''}`.trim(), 'internal', {
        [ATTR.faasTrigger]: 'timer',
        [ATTR.faasCron]: controller.cron,
      });
    };
  }
  if (typeof handler.queue === 'function') {
    wrapped.queue = function queue(batch, env, ctx) {
      const t = resolve(env);
      if (!t) return uninstrumented(handler, 'queue', batch, env, ctx);
      return runEvent(handler, 'queue', t, batch, env, ctx, `queue ${batch.queue}`, 'consumer', {
        [ATTR.faasTrigger]: 'pubsub',
        [ATTR.messagingSystem]: 'cloudflare_queues',
        [ATTR.messagingDestination]: batch.queue,
        [ATTR.messagingBatchCount]: batch.messages?.length,
      });
    };
  }
  // Email Workers (developers.cloudflare.com/email-routing/email-workers/runtime-api/): the sizes
  // of the message, its addresses only when `capture.clientAddress` asks (they identify people).
  if (typeof handler.email === 'function') {
    wrapped.email = function email(message, env, ctx) {
      const t = resolve(env);
      if (!t) return uninstrumented(handler, 'email', message, env, ctx);
      return runEvent(handler, 'email', t, message, env, ctx, 'email', 'consumer', emailAttributes(message, t.config.capture));
    };
  }
  // Tail Workers (developers.cloudflare.com/workers/observability/logs/tail-workers/): one span
  // per batch of trace events, with their count and the producing scripts' names.
  if (typeof handler.tail === 'function') {
    wrapped.tail = function tail(events, env, ctx) {
      const t = resolve(env);
      if (!t) return uninstrumented(handler, 'tail', events, env, ctx);
      return runEvent(handler, 'tail', t, events, env, ctx, 'tail', 'consumer', tailAttributes(events));
    };
  }
  return wrapped;
}

// Telemetry is unavailable for this invocation: the handler runs as without edgescope, and
// scopeOf(event or ctx) gives it a scope that records nothing.
function uninstrumented(handler, method, event, env, ctx, telemetry = null) {
  registerScope(unavailableScope(telemetry, ctx), event, ctx);
  return handler[method](event, env, ctx);
}

// Opens the invocation: waitUntil(done) first, then the scope and its root span. Returns null
// (and logs once) if any of it fails, so the caller runs the handler uninstrumented.
export function open(telemetry, ctx, makeRootSpan) {
  let scope = null;
  try {
    scope = new InvocationScope(telemetry, ctx);
    makeRootSpan(scope);
    return scope;
  } catch (error) {
    reportInternalFailure('invocation start', error);
    scope?.abandon();
    return null;
  }
}

export async function runFetch(handler, telemetry, request, env, ctx) {
  // Read once: each is a call into the runtime (a getter on the request), needed again below.
  const method = request.method;
  const scope = open(telemetry, ctx, (s) => {
    const headers = request.headers;
    const { span, rejectedHeader } = telemetry.startRemoteSpan(method, {
      kind: 'server',
      // An incoming traceparent wins; without one, the platform's traced invocation span (null
      // at once where the runtime cannot join), and only at sampleRate 1: a joined root follows the
      // platform's sampling decision, which must not override a lower ratio the user chose.
      // js/native-tracing/README.md says why.
      traceparent: headers.get('traceparent') ?? (joinsPlatform(telemetry.config) ? nativeParent() : null) ?? '',
      tracestate: headers.get('tracestate') ?? '',
      // Made only for a span that records (or for a beforeSend hook): nothing to read when unsampled.
      attributes: () => serverRequestAttributes(request, telemetry.config.capture),
      scope: s,
    });
    s.attach(span, method);
    s.request = request; // read only by an invocation exporter (js/invocation-summary.js: bytes in)
    if (rejectedHeader) span.setAttribute('edgescope.traceparent.rejected', true);
    registerScope(s, request, ctx, s.ctx);
  });
  if (!scope) return uninstrumented(handler, 'fetch', request, env, ctx, telemetry);

  let response;
  try {
    response = await handler.fetch(request, wrapEnv(env, scope, telemetry.config), scope.ctx);
  } catch (error) {
    scope.fail(error);
    scope.finalize({ outcome: 'threw', error });
    throw error; // unchanged, so the runtime (and passThroughOnException) behave as without us
  }
  try {
    if (!(response instanceof Response)) {
      scope.finalize({ outcome: 'invalid-response' });
      return response;
    }
    scope.noteResponse(response);
    // A HEAD response's body is never sent (the runtime frames it from the body and discards it):
    // it is returned untouched, so the framing stays the runtime's own.
    const upgrade = response.status === 101 || response.webSocket;
    if (upgrade || method === 'HEAD' || response.body === null) {
      scope.finalize({ response, outcome: upgrade ? 'upgrade' : 'no-body' });
      return response;
    }
    // The request's AbortSignal is read by the watcher only for a body that is still running
    // after its peek (js/body-watcher.js).
    return await watchBody(
      response,
      (outcome, error, bytes) => {
        if (outcome === 'error') scope.rootSpan.recordException(error);
        scope.finalize({ response, outcome, error, bytes });
      },
      { request },
    );
  } catch (error) {
    // Our own failure after the handler succeeded: the client still gets the handler's response.
    reportInternalFailure('response', error);
    scope.finalize({ response, outcome: 'unwatched' });
    return response;
  }
}

export async function runEvent(handler, method, telemetry, event, env, ctx, name, kind, attributes) {
  const scope = open(telemetry, ctx, (s) => {
    s.attach(telemetry.startSpan(name, { kind, attributes, [SCOPE]: s }), null);
    registerScope(s, event, ctx, s.ctx);
  });
  if (!scope) return uninstrumented(handler, method, event, env, ctx, telemetry);
  try {
    const result = await handler[method](event, wrapEnv(env, scope, telemetry.config), scope.ctx);
    scope.finalize({ outcome: 'complete' });
    return result;
  } catch (error) {
    scope.fail(error);
    scope.finalize({ outcome: 'threw', error });
    throw error;
  }
}
