// The features EdgescopeState (js/storage/state-object.js) serves, by the name a request gives in
// `feature`. Each is { version, migrate(sql, fromVersion), ops: { name: { parse(args), run(sql, parsed) } } }:
// parse checks the arguments and throws before anything runs, run does the work inside one
// transaction. Later features (circuit breakers, alert de-duplication) add their line here.
import { bufferTable } from './buffer-table.js';
import { resilienceTable } from './resilience-table.js';

export const STATE_FEATURES = Object.freeze({
  buffer: bufferTable,
  // Breakers, exhaustion registries and credit ledgers (js/resilience/do-replica.js).
  resilience: resilienceTable,
});
