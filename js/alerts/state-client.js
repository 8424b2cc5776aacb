// Where the fleet-wide de-duplication lives: the package's Durable Object (EdgescopeState, feature
// `alerts`, js/storage/alert-table.js). One object per service by default (`alerts:<service>`), or
// `name` to share one: all of a fingerprint's occurrences must reach the same object, and one
// object serves every isolate, one request per invocation that recorded errors.
//
// Strong: the object applies requests one at a time, so exactly one invocation per cooldown gets
// `send` for a fingerprint and channel, whichever isolate or colo it runs in.
// Or KV (`{ store: 'kv', namespace, prefix? }`, kv-state.js): no Durable Object needed, weaker
// (a few duplicates across colos; counts are lower bounds).
import { EdgescopeConfigError } from '../config.js';
import { STATE_PROTOCOL_VERSION } from '../storage/state-protocol.js';
import { kvAlertState } from './kv-state.js';

export function alertState(state, service) {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new EdgescopeConfigError('alerts.state', "{ store: 'durable-object', namespace: env.EDGESCOPE_STATE } or { store: 'kv', namespace: env.KV }", state);
  }
  const known = state.store === 'kv' ? ['store', 'namespace', 'prefix'] : ['store', 'namespace', 'name'];
  for (const key of Object.keys(state)) {
    if (!known.includes(key)) throw new EdgescopeConfigError(`alerts.state.${key}`, `one of ${known.join(', ')}`, key);
  }
  if (state.store === 'kv') return kvAlertState(state, service);
  if (state.store !== 'durable-object') throw new EdgescopeConfigError('alerts.state.store', "'durable-object' or 'kv'", state.store);
  const { namespace } = state;
  if (typeof namespace?.idFromName !== 'function' || typeof namespace?.get !== 'function') {
    throw new EdgescopeConfigError(
      'alerts.state.namespace',
      'the Durable Object namespace binding of the EdgescopeState class (export { EdgescopeState } from "edgescope"; [[durable_objects.bindings]] in wrangler config)',
      namespace,
    );
  }
  const name = state.name ?? `alerts:${service}`;
  if (typeof name !== 'string' || name === '' || name.length > 256) throw new EdgescopeConfigError('alerts.state.name', 'a non-empty string of at most 256 characters', name);
  const call = (op, args) => namespace.get(namespace.idFromName(name)).request({ v: STATE_PROTOCOL_VERSION, feature: 'alerts', op, args });
  return Object.freeze({
    store: 'durable-object',
    // args: see alert-table.js `note`. Rejects when the object is unreachable or refuses.
    note: (args) => call('note', args),
    // args: see alert-table.js `release`.
    release: (args) => call('release', args),
  });
}
