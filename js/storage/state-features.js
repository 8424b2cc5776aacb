// The features EdgescopeState (js/storage/state-object.js) serves, by the name a request gives in
// `feature`. Each is { version, migrate(sql, fromVersion), ops: { name: { parse(args), run(sql, parsed) } } }:
// parse checks the arguments and throws before anything runs, run does the work inside one
// transaction.
//
// The offline buffer is built in. A feature with code of its own registers itself when the Worker
// imports its entry, so the Durable Object's Worker bundles only what it imports: `resilience`
// (breakers, registries and ledgers, with their own wasm module) comes with
// `import 'edgescope/resilience'` (js/entry/resilience-*.js), and `alerts` (fleet-wide alert
// de-duplication) with `import 'edgescope/alerts'` (js/entry/alerts-*.js).
import { bufferTable } from './buffer-table.js';

export const STATE_FEATURES = { buffer: bufferTable };

// What to import for a feature that exists but is not in this Worker: named in the error a
// request for it gets, so the fix is in the message.
const FEATURE_ENTRIES = Object.freeze({ resilience: 'edgescope/resilience', alerts: 'edgescope/alerts' });

// Called once by a feature's entry module; registering the same feature again is a no-op (an
// entry may be reached through more than one import path), a different one under a taken name is
// refused.
export function registerStateFeature(name, feature) {
  const existing = STATE_FEATURES[name];
  if (existing === feature) return;
  if (existing) throw new Error(`edgescope state: feature ${JSON.stringify(name)} is already registered`);
  STATE_FEATURES[name] = feature;
}

// The error for a request naming a feature this Worker did not import; null when it is registered
// or is not a feature edgescope has at all (the protocol's "unknown feature" error covers that).
export function missingFeatureError(name) {
  if (typeof name !== 'string' || !Object.hasOwn(FEATURE_ENTRIES, name) || Object.hasOwn(STATE_FEATURES, name)) return null;
  return new Error(
    `edgescope state: the ${name} feature is not registered in this Durable Object: ` +
      `import '${FEATURE_ENTRIES[name]}' in the Worker that exports EdgescopeState`,
  );
}
