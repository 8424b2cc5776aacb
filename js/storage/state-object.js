// EdgescopeState: the package's Durable Object class, re-exported by the Worker entry
// (js/entry/workerd.js) so a Worker binds it with
//   export { EdgescopeState } from 'edgescope';
//   [[durable_objects.bindings]] name = "EDGESCOPE_STATE", class_name = "EdgescopeState"
//   [[migrations]] tag = "v1", new_sqlite_classes = ["EdgescopeState"]
// One RPC method, request({ v, feature, op, args }), so later features (circuit breakers, alert
// de-duplication) reuse the class, the binding and the protocol (js/storage/state-features.js;
// `resilience` is there when the Worker imports 'edgescope/resilience').
// Storage is the object's SQLite database (ctx.storage.sql); each op is one transactionSync, and
// nothing in it awaits, so the object's input gate keeps concurrent requests from interleaving.
import { DurableObject } from 'cloudflare:workers';
import { STATE_FEATURES, missingFeatureError } from './state-features.js';
import { parseStateMessage } from './state-protocol.js';

const VERSIONS_TABLE = 'edgescope_features';

export class EdgescopeState extends DurableObject {
  #ready = new Set(); // features whose tables are at this build's version

  request(message) {
    // A feature whose entry this Worker did not import (js/storage/state-features.js).
    const missing = missingFeatureError(message?.feature);
    if (missing) throw missing;
    const { name, feature, op, args } = parseStateMessage(message, STATE_FEATURES);
    const storage = this.ctx.storage;
    let sql;
    try {
      sql = storage.sql;
    } catch {
      sql = undefined;
    }
    if (!sql) {
      throw new Error('edgescope state: EdgescopeState needs SQLite storage: declare it with new_sqlite_classes = ["EdgescopeState"] in a wrangler migration');
    }
    if (!this.#ready.has(name)) {
      storage.transactionSync(() => migrate(sql, name, feature));
      this.#ready.add(name);
    }
    return storage.transactionSync(() => op.run(sql, args));
  }
}

// Brings a feature's tables to this build's version. A table written by a newer edgescope is
// left alone and every request fails naming the versions: older code must not misread it.
function migrate(sql, name, feature) {
  sql.exec(`CREATE TABLE IF NOT EXISTS ${VERSIONS_TABLE} (feature TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)`);
  const row = sql.exec(`SELECT version FROM ${VERSIONS_TABLE} WHERE feature = ?`, name).toArray()[0];
  const current = row ? row.version : 0;
  if (current > feature.version) {
    throw new Error(
      `edgescope state: the ${name} tables are at schema version ${current}, written by a newer edgescope; this build reads up to ${feature.version}`,
    );
  }
  if (current < feature.version) {
    feature.migrate(sql, current);
    sql.exec(`INSERT OR REPLACE INTO ${VERSIONS_TABLE} (feature, version) VALUES (?, ?)`, name, feature.version);
  }
}
