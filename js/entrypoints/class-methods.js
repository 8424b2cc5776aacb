// Which methods of a Durable Object or WorkerEntrypoint class the runtime calls, and how.
//
// workerd's RPC rules (worker-rpc.c++; developers.cloudflare.com/workers/runtime-apis/rpc/visibility/):
// a method is callable over RPC when it is a function found on the class's prototype chain —
// never an own property of the instance, never one of Object.prototype — and its name is not
// reserved. Reserved names are the lifecycle handlers the runtime calls itself.
const RESERVED = new Set(['constructor', 'fetch', 'connect', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError', 'dup']);

// Event handlers a WorkerEntrypoint class may define (called by the runtime with the event only);
// left to the runtime and never wrapped as RPC methods.
export const ENTRYPOINT_EVENT_HANDLERS = new Set(['scheduled', 'queue', 'email', 'tail', 'tailStream', 'trace', 'test']);

// The DurableObject and WorkerEntrypoint base classes of `cloudflare:workers` are the runtime's
// own (native) classes: the walk stops there, since nothing of theirs is the user's to trace.
function isRuntimeClass(ctor) {
  return typeof ctor === 'function' && Function.prototype.toString.call(ctor).includes('[native code]');
}

// name -> the function the class defines for it (the nearest on the prototype chain, as a
// method call finds it), for every RPC-callable method. Getters are left alone: reading one is a
// property access, not an invocation.
export function rpcMethods(Class, excluded = new Set()) {
  const methods = new Map();
  const shadowed = new Set();
  for (let proto = Class.prototype; proto && proto !== Object.prototype && !isRuntimeClass(proto.constructor); proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (shadowed.has(name)) continue;
      shadowed.add(name);
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor.value !== 'function' || RESERVED.has(name) || excluded.has(name)) continue;
      methods.set(name, descriptor.value);
    }
  }
  return methods;
}

// The function the runtime would call for `name` on an instance of Class (a handler such as
// fetch or alarm), or null when the class has none.
export function handlerOf(Class, name) {
  for (let proto = Class.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return typeof descriptor.value === 'function' ? descriptor.value : null;
  }
  return null;
}
