// Which kind of binding a value in env is, from the class the runtime made it with. The names
// were read from Miniflare 4.20260730 / workerd 1.20260730 (tests/workerd/binding-differential.test.js
// asserts them): KvNamespace, R2Bucket, D1Database (a JavaScript wrapper, workerd's d1-api module),
// DurableObjectNamespace, Fetcher (service bindings), WorkerQueue (queue producers), Ai (a
// JavaScript wrapper), and for Analytics Engine AnalyticsEngine (workerd's C++ class in
// api/analytics-engine.h; AnalyticsEngineDataset is its TypeScript name) or
// LocalAnalyticsEngineDataset (Miniflare simulates the dataset in JavaScript). Anything else
// (vars, secrets, Vectorize, Hyperdrive, a user's own object) is null and passes through
// untouched. No duck typing on purpose: a user's object with a get() method is not a KV namespace.
const BY_CLASS = new Map([
  ['KvNamespace', 'kv'],
  ['R2Bucket', 'r2'],
  ['D1Database', 'd1'],
  ['DurableObjectNamespace', 'durable_object'],
  ['Fetcher', 'service'],
  ['WorkerQueue', 'queue'],
  ['Ai', 'ai'],
  ['AnalyticsEngine', 'analytics_engine'],
  ['AnalyticsEngineDataset', 'analytics_engine'],
  ['LocalAnalyticsEngineDataset', 'analytics_engine'],
]);

// Bindings are the same objects for every invocation of an isolate: their type is found once.
const known = new WeakMap();

export function bindingType(value) {
  if (value === null || typeof value !== 'object') return null;
  let type = known.get(value);
  if (type !== undefined) return type;
  type = null;
  try {
    // The prototype's own constructor, not value.constructor: an RPC stub answers any property.
    const proto = Object.getPrototypeOf(value);
    const ctor = proto && Object.hasOwn(proto, 'constructor') ? proto.constructor : undefined;
    type = BY_CLASS.get(typeof ctor === 'function' ? ctor.name : undefined) ?? BY_CLASS.get(proto?.[Symbol.toStringTag]) ?? null;
  } catch {
    type = null; // a Proxy that throws on inspection is not a binding we know
  }
  known.set(value, type);
  return type;
}
