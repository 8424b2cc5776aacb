// The object user code sees in place of a binding: a Proxy over the real binding whose traced
// methods are ours and whose every other member is the binding's own. Native bindings (KvNamespace,
// R2Bucket, ...) throw "Illegal invocation" when a method runs with a Proxy as `this`, so every
// method the Proxy hands out, traced or not, calls the real binding as `this`. The Proxy forwards
// getPrototypeOf, so `instanceof` and Symbol.toStringTag are the binding's; unknown methods are
// bound once per wrapper (stable identity: env.KV.foo === env.KV.foo within an invocation).
export function bindingProxy(target, traced) {
  const bound = new Map();
  return new Proxy(target, {
    get(real, key) {
      if (typeof key === 'string' && Object.hasOwn(traced, key)) return traced[key];
      const value = Reflect.get(real, key, real);
      // An own property is returned as it is: a Proxy must give back a non-configurable,
      // non-writable property unchanged (ECMAScript [[Get]] invariants), and only prototype
      // methods of native bindings need the real binding as `this`.
      if (typeof value !== 'function' || Object.hasOwn(real, key)) return value;
      let fn = bound.get(key);
      if (!fn || fn.original !== value) {
        fn = value.bind(real);
        fn.original = value;
        bound.set(key, fn);
      }
      return fn;
    },
  });
}

// The attributes every binding span carries: which binding it called (cloudflare.binding.*), and
// the database system in OpenTelemetry's database conventions (db.system.name, db.namespace).
export function dbAttributes(system, type, name, operation) {
  return {
    'db.system.name': system,
    'db.namespace': name,
    'db.operation.name': operation,
    'cloudflare.binding.type': type,
    'cloudflare.binding.name': name,
  };
}
