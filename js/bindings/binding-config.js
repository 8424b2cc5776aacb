// The `bindings` option: which bindings instrument() traces, and which RPC bindings carry the trace
// context as a trailing argument (js/bindings/rpc.js).
//   bindings: true (the default)         every known binding is traced
//   bindings: false                      nothing is wrapped: env and scope.caches are the runtime's own
//   bindings: { exclude?: string[],      binding types (BINDING_TYPES) or binding names left untouched
//               rpcContext?: boolean | string[] }   default false; true = every DO/service binding
// A binding name is whatever the wrangler configuration calls it, so any non-empty string is a
// valid entry; a type and a name are told apart only when a binding is looked up (env.js).
import { checkKnownKeys, checkObject, EdgescopeConfigError } from '../config.js';

export const BINDING_TYPES = ['kv', 'r2', 'd1', 'durable_object', 'service', 'queue', 'ai', 'analytics_engine', 'cache'];

// Workers allow at most a few thousand bindings per Worker; a longer list is a mistake.
const MAX_ENTRIES = 256;

export function validateBindings(bindings) {
  if (bindings === undefined || bindings === true) return { enabled: true, exclude: [], rpcContext: false };
  if (bindings === false) return { enabled: false, exclude: [], rpcContext: false };
  checkObject('bindings', bindings, 'a boolean, or an object like { exclude: [\'kv\', \'MY_BUCKET\'], rpcContext: false }');
  checkKnownKeys(bindings, ['exclude', 'rpcContext'], 'bindings', 'exclude or rpcContext');
  const exclude = names(bindings.exclude ?? [], 'bindings.exclude', `binding types (${BINDING_TYPES.join(', ')}) or binding names`);
  const rpcContext = bindings.rpcContext ?? false;
  if (typeof rpcContext === 'boolean') return { enabled: true, exclude, rpcContext };
  return { enabled: true, exclude, rpcContext: names(rpcContext, 'bindings.rpcContext', 'Durable Object or service binding names') };
}

function names(list, field, what) {
  if (!Array.isArray(list) || list.length > MAX_ENTRIES) {
    throw new EdgescopeConfigError(field, `${field === 'bindings.rpcContext' ? 'a boolean or ' : ''}an array of at most ${MAX_ENTRIES} ${what}`, list);
  }
  list.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry.trim() === '') throw new EdgescopeConfigError(`${field}[${i}]`, `a non-empty string (one of the ${what})`, entry);
  });
  return [...list];
}

// Whether `name` (a binding of `type`) is traced under the validated option.
export function isTraced(bindings, type, name) {
  return bindings.enabled && !bindings.exclude.includes(type) && !bindings.exclude.includes(name);
}

// Whether RPC calls on binding `name` get the trace context argument.
export function carriesRpcContext(bindings, name) {
  return bindings.rpcContext === true || (Array.isArray(bindings.rpcContext) && bindings.rpcContext.includes(name));
}
