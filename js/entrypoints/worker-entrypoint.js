// instrumentEntrypoint(Class, config): a WorkerEntrypoint class (the default export, or a named
// entrypoint a service binding names) whose fetch and RPC methods are traced, each invocation an
// InvocationScope with the instance's ExecutionContext (this.ctx) as ctx: fetch continues the
// request's traceparent, an RPC method the trailing trace-context argument when the caller sent
// one. The config is the same as instrument()'s; one Telemetry per config per isolate.
//
// The class's event handlers (scheduled, queue, email, tail, ...; called with the event only)
// run untouched: export an object wrapped by instrument() for those.
// scopeOf(this.ctx) is the scope of the invocation that started last on this instance (read it
// before the method's first await: see durable-object.js); scopeOf(request) in fetch is exact.
import { ENTRYPOINT_EVENT_HANDLERS } from './class-methods.js';
import { runFetchHandler } from './class-handlers.js';
import { instrumentClass } from './instrument-class.js';

const HANDLERS = Object.freeze({ fetch: runFetchHandler });

export function instrumentEntrypoint(Class, config) {
  return instrumentClass(Class, config, {
    caller: 'instrumentEntrypoint(Class, config)',
    handlers: HANDLERS,
    excluded: ENTRYPOINT_EVENT_HANDLERS,
    attributesOf: (service) => ({ 'edgescope.entrypoint': service }),
  });
}
