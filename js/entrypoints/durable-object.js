// instrumentDurableObject(Class, config): the Durable Object class to export in place of Class
// (`export const Counter = instrumentDurableObject(CounterImpl, config)`), each invocation an
// InvocationScope with the object's DurableObjectState as ctx: fetch (a SERVER span continuing the
// request's traceparent), alarm, the WebSocket Hibernation handlers, and every RPC method (a
// SERVER span "{Class}/{method}", continuing the trailing trace-context argument when the caller
// sent one). The config is the same as instrument()'s; one Telemetry per config per isolate.
//
// scopeOf(this.ctx) is the scope of the invocation that started last on this object. Durable
// Object invocations interleave at every await (input gates only hold back new events while
// storage operations are pending), and Workers give no async context without nodejs_compat, so
// read it at the top of the method, before the first await, and keep it in a variable;
// scopeOf(request) in fetch and scopeOf(ws) in the WebSocket handlers are exact.
import { instrumentClass } from './instrument-class.js';
import {
  runAlarmHandler,
  runFetchHandler,
  runWebSocketClose,
  runWebSocketError,
  runWebSocketMessage,
} from './class-handlers.js';

const HANDLERS = Object.freeze({
  fetch: runFetchHandler,
  alarm: runAlarmHandler,
  webSocketMessage: runWebSocketMessage,
  webSocketClose: runWebSocketClose,
  webSocketError: runWebSocketError,
});

export function instrumentDurableObject(Class, config) {
  return instrumentClass(Class, config, {
    caller: 'instrumentDurableObject(Class, config)',
    handlers: HANDLERS,
    excluded: new Set(),
    attributesOf: durableObjectAttributes,
  });
}

// The class and this object's id (hex; its name too when the id was made with idFromName and
// the runtime exposes it).
function durableObjectAttributes(service, ctx) {
  const attributes = { 'edgescope.durable_object.class': service };
  const id = ctx.id;
  if (id && typeof id.toString === 'function') attributes['edgescope.durable_object.id'] = id.toString();
  if (typeof id?.name === 'string') attributes['edgescope.durable_object.name'] = id.name;
  return attributes;
}
