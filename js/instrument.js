// instrument(handler, config): wraps fetch, scheduled and queue so that every invocation
//   1. registers ctx.waitUntil(done) before anything else (nothing depends on code that runs
//      after the response),
//   2. opens a root span from the incoming trace context,
//   3. finalizes after the response body has been fully delivered or cancelled (or at once for a
//      null body, a 101 upgrade or a thrown handler), and
//   4. drains and delivers what it produced inside that same waitUntil.
// DESIGN.md section 3 is the long form.
import { EdgescopeConfigError, validateConfig } from './config.js';
import { watchBody } from './body-watcher.js';
import { ATTR, serverRequestAttributes } from './http-attributes.js';
import { InvocationScope, registerScope } from './invocation-scope.js';
import { Telemetry } from './telemetry.js';

export function instrument(handler, config) {
  if (!handler || typeof handler !== 'object') {
    throw new TypeError('edgescope: instrument(handler, config) expects the Worker export object as `handler`');
  }
  if (typeof config !== 'function') validateConfig(config); // up front: fail at deploy, not at the first request
  let telemetry = null;
  const resolve = (env) => {
    if (!telemetry) {
      const resolved = typeof config === 'function' ? config(env) : config;
      if (resolved === undefined) throw new EdgescopeConfigError('config(env)', 'a function returning a config object', resolved);
      telemetry = new Telemetry(resolved);
    }
    return telemetry;
  };

  const wrapped = Object.create(handler);
  if (typeof handler.fetch === 'function') {
    wrapped.fetch = (request, env, ctx) => runFetch(handler, resolve(env), request, env, ctx);
  }
  if (typeof handler.scheduled === 'function') {
    wrapped.scheduled = (controller, env, ctx) =>
      runEvent(handler, 'scheduled', resolve(env), controller, env, ctx, `scheduled ${controller.cron ?? ''}`.trim(), 'internal', {
        [ATTR.faasTrigger]: 'timer',
        [ATTR.faasCron]: controller.cron,
      });
  }
  if (typeof handler.queue === 'function') {
    wrapped.queue = (batch, env, ctx) =>
      runEvent(handler, 'queue', resolve(env), batch, env, ctx, `queue ${batch.queue}`, 'consumer', {
        [ATTR.faasTrigger]: 'pubsub',
        [ATTR.messagingSystem]: 'cloudflare_queues',
        [ATTR.messagingDestination]: batch.queue,
        [ATTR.messagingBatchCount]: batch.messages?.length,
      });
  }
  return wrapped;
}

function begin(telemetry, ctx) {
  telemetry.noteUnitOfWorkStart();
  telemetry.activeInvocations++;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  ctx.waitUntil(done);
  return settle;
}

async function runFetch(handler, telemetry, request, env, ctx) {
  const settle = begin(telemetry, ctx);
  const scope = new InvocationScope(telemetry, request.method);
  const { span, rejectedHeader } = telemetry.startRemoteSpan(request.method, {
    kind: 'server',
    traceparent: request.headers.get('traceparent') ?? '',
    tracestate: request.headers.get('tracestate') ?? '',
    attributes: serverRequestAttributes(request),
    scope,
  });
  scope.attach(span);
  if (rejectedHeader) span.setAttribute('edgescope.traceparent.rejected', true);
  registerScope(scope, request, ctx);

  let response;
  try {
    response = await handler.fetch(request, env, ctx);
  } catch (error) {
    span.recordException(error);
    span.setStatus('error', error?.message ?? String(error));
    scope.finalize({ outcome: 'threw', error }).then(settle);
    throw error; // unchanged, so the runtime (and passThroughOnException) behave as without us
  }
  if (!(response instanceof Response)) {
    scope.finalize({ outcome: 'invalid-response' }).then(settle);
    return response;
  }
  if (response.body === null || response.status === 101 || response.webSocket) {
    scope.finalize({ response, outcome: response.status === 101 ? 'upgrade' : 'no-body' }).then(settle);
    return response;
  }
  return watchBody(response, (outcome, error) => {
    if (outcome === 'error') span.recordException(error);
    scope.finalize({ response, outcome }).then(settle);
  });
}

async function runEvent(handler, method, telemetry, event, env, ctx, name, kind, attributes) {
  const settle = begin(telemetry, ctx);
  const scope = new InvocationScope(telemetry);
  scope.attach(telemetry.startSpan(name, { kind, attributes, scope }));
  registerScope(scope, event, ctx);
  try {
    return await handler[method](event, env, ctx);
  } catch (error) {
    scope.rootSpan.recordException(error);
    scope.rootSpan.setStatus('error', error?.message ?? String(error));
    throw error;
  } finally {
    scope.finalize({ outcome: 'complete' }).then(settle);
  }
}
