// The class-wrapping shared by instrumentDurableObject and instrumentEntrypoint.
//
// What the runtime requires of the class (workerd; developers.cloudflare.com/durable-objects/api/base/
// and /workers/runtime-apis/rpc/): it is constructed as `new Class(ctx, env)`; RPC methods are
// callable only when it extends DurableObject / WorkerEntrypoint from `cloudflare:workers`; its
// exported name is the binding's `class_name`. So the wrapper is a SUBCLASS (the base class,
// `instanceof`, static members and the prototype chain stay the user's; the name is copied), whose
// constructor returns a Proxy over the real instance. The runtime holds that Proxy and calls the
// handlers and RPC methods through it; the user's code runs with `this` = the real instance, so
// its calls to its own methods (`this.helper()`) are plain calls, not traced as invocations, and
// private fields (`#x`) work.
//
// handlers: name -> run(telemetry, instance, method, args, ctx, env, attributes) for the
// handlers the runtime calls itself (fetch, alarm, the WebSocket ones); every other method found
// by rpcMethods() is an RPC method, run by runRpc().
import { rpcMethods } from './class-methods.js';
import { runRpc } from './run-rpc.js';
import { checkConfig, telemetryFor } from '../telemetry-for.js';
import { InstanceEnv } from './instance-env.js';

const INSTRUMENTED = Symbol.for('edgescope.instrumentedClass');

export function instrumentClass(Class, config, { caller, handlers, excluded, attributesOf }) {
  if (typeof Class !== 'function' || typeof Class.prototype !== 'object' || Class.prototype === null) {
    throw new TypeError(`edgescope: ${caller} expects a class as its first argument (got ${Class === null ? 'null' : typeof Class})`);
  }
  if (Object.hasOwn(Class, INSTRUMENTED)) {
    throw new TypeError(`edgescope: ${caller}: ${Class.name || 'this class'} is already instrumented; wrap the original class once`);
  }
  checkConfig(config, caller);
  const service = Class.name || 'anonymous';
  const rpc = rpcMethods(Class, excluded);

  // Named by a computed key, so the class (and stack traces through its instances) carry the
  // user's class name.
  const Instrumented = {
    [Class.name]: class extends Class {
      constructor(...args) {
        // The runtime passes (ctx, env): DurableObjectState or ExecutionContext, and the bindings.
        // The user's constructor (and so this.env) gets an env whose bindings are traced under the
        // invocation using them, when that is unambiguous (instance-env.js).
        const instanceEnv = args.length >= 2 ? new InstanceEnv(args[1]) : null;
        if (instanceEnv) super(args[0], instanceEnv.env, ...args.slice(2));
        else super(...args);
        return instrumentInstance(this, args[0], args[1], instanceEnv);
      }
    },
  }[Class.name];
  Object.defineProperty(Instrumented, INSTRUMENTED, { value: true });

  function instrumentInstance(instance, ctx, env, instanceEnv) {
    if (!ctx || typeof ctx.waitUntil !== 'function') return instance; // not constructed by the runtime
    if (instanceEnv) instanceEnv.ctx = ctx;
    const wrappers = new Map(); // one wrapper per (name, function): stable identity across reads
    const invoke = (name, method, args) => {
      const telemetry = telemetryFor(config, env);
      const attributes = safeAttributes(attributesOf, service, ctx);
      const run = Object.hasOwn(handlers, name) ? handlers[name] : null;
      try {
        return run
          ? run(telemetry, instance, method, args, ctx, env, attributes)
          : runRpc(telemetry, ctx, instance, method, name, service, args, attributes);
      } finally {
        // The invocation's scope was registered under ctx before the method ran: from now on a
        // binding read through this.env knows this invocation is running.
        instanceEnv?.noteStarted();
      }
    };
    return new Proxy(instance, {
      get(target, key) {
        // The real instance as receiver: getters and methods see `this` = the instance.
        const value = Reflect.get(target, key, target);
        if (typeof key !== 'string' || typeof value !== 'function') return value;
        // Handlers may be own properties (class fields, `this.fetch = ...`): the runtime calls
        // those. RPC methods only from the prototype chain, as the runtime exposes them.
        if (!Object.hasOwn(handlers, key) && rpc.get(key) !== value) return value;
        let wrapper = wrappers.get(key);
        if (!wrapper || wrapper.original !== value) {
          wrapper = named(key, value, (args) => invoke(key, value, args));
          wrappers.set(key, wrapper);
        }
        return wrapper;
      },
    });
  }
  return Instrumented;
}

// A function with the original's name and length (as the runtime and stack traces see it).
function named(name, original, call) {
  const wrapper = {
    [name](...args) {
      return call(args);
    },
  }[name];
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  wrapper.original = original;
  return wrapper;
}

function safeAttributes(attributesOf, service, ctx) {
  try {
    return attributesOf(service, ctx);
  } catch {
    return {};
  }
}
