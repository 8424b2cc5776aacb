// wrapEnv(env, scope, config): the env a handler sees under instrument(). A Proxy over the
// runtime's env, not a copy: every key, `in`, Object.keys, spreading and assignment behave as on
// env itself, vars and secrets are the same values, and nothing is read before the handler asks
// for it. A binding of a known type (binding-type.js) comes back wrapped, the wrapper made at the
// first access and kept for the invocation (one per binding per invocation; none for a binding
// the handler never touches). Bindings excluded by `bindings.exclude` and `bindings: false` get
// no wrapper and no span work at all.
import { reportInternalFailure } from '../internal-failures.js';
import { carriesRpcContext, isTraced } from './binding-config.js';
import { bindingType } from './binding-type.js';
import { wrapAi } from './ai.js';
import { wrapAnalyticsEngine } from './analytics-engine.js';
import { wrapD1 } from './d1.js';
import { wrapKv } from './kv.js';
import { wrapQueue } from './queue.js';
import { wrapR2 } from './r2.js';
import { wrapRpcBinding } from './rpc.js';

const WRAPPERS = {
  kv: wrapKv,
  r2: wrapR2,
  d1: wrapD1,
  queue: wrapQueue,
  ai: wrapAi,
  analytics_engine: wrapAnalyticsEngine,
};

export function wrapEnv(env, scope, config) {
  const bindings = config?.bindings;
  if (!bindings?.enabled || env === null || typeof env !== 'object') return env;
  let wrappers = null; // key -> { original, wrapped }, made at the first binding read
  try {
    return new Proxy(env, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof key !== 'string' || value === null || typeof value !== 'object') return value;
        wrappers ??= new Map();
        const cached = wrappers.get(key);
        if (cached && cached.original === value) return cached.wrapped;
        const wrapped = wrapBinding(target, key, value, scope, bindings);
        wrappers.set(key, { original: value, wrapped });
        return wrapped;
      },
    });
  } catch (failure) {
    reportInternalFailure('bindings', failure);
    return env;
  }
}

function wrapBinding(env, name, value, scope, bindings) {
  try {
    const type = bindingType(value);
    if (type === null || !isTraced(bindings, type, name)) return value;
    // A non-configurable, non-writable property must be returned as it is (Proxy [[Get]] invariant).
    const descriptor = Reflect.getOwnPropertyDescriptor(env, name);
    if (descriptor && !descriptor.configurable && !descriptor.writable) return value;
    if (type === 'durable_object' || type === 'service') {
      return wrapRpcBinding(value, type, name, scope, { rpcContext: carriesRpcContext(bindings, name) });
    }
    return WRAPPERS[type](value, name, scope);
  } catch (failure) {
    reportInternalFailure('bindings', failure);
    return value;
  }
}
