// The `resilience` feature of EdgescopeState (js/storage/state-object.js): breakers, exhaustion
// registries and credit ledgers owned by the Durable Object, the single writer, so no change from
// any isolate is lost (js/resilience/do-replica.js is the caller's side).
//
// One row per object (kind, name) holding the core's serialized state (versioned JSON, wall-clock
// times) and the policy it was made with. One op, `sync`:
//   args { kind, name, policy, ops: [change...], decide?: u }
//   1. the object is made from `policy` by the core (a policy it refuses fails the request) and
//      restored from its row;
//   2. the changes are applied in order at the object's clock (the outcomes of every isolate: the
//      breaker trips on the fleet's aggregate, with its policy's minimum volume);
//   3. with `decide`, the breaker decides one call (u: the caller's uniform draw in [0, 1), the
//      core has no entropy): the object admits at most the policy's half-open trial calls, counted
//      in its state, so exactly that many run at a time across every isolate;
//   4. the state is written back and returned with a version the caller uses to keep the newest.
// It all runs in one transactionSync (state-object.js) and nothing awaits, so requests never
// interleave; any error rolls the whole request back and nothing of it is applied. The core object
// lives only for the request: the row is the truth, and restoring a half-open breaker keeps its
// trial calls in flight (the core's snapshot), so a restart never admits a burst of them.
import { CoreObject } from '../resilience/core-object.js';
import { KINDS, applyOp, parseOp } from '../resilience/operations.js';
import { describe } from '../config.js';
import { checkKeys, isPlainObject } from './buffer-input.js';

const TABLE = 'edgescope_resilience';
export const MAX_SYNC_OPS = 1000;
const MAX_POLICY_CHARS = 16 * 1024;
const MAX_NAME = 200;

function fail(message) {
  return new TypeError(`edgescope state: resilience.sync: ${message}`);
}

// A policy is data: plain objects, arrays, strings, finite numbers, booleans (what the core reads).
function checkPolicy(policy) {
  if (!isPlainObject(policy)) throw fail(`args.policy must be an object (got ${describe(policy)})`);
  const walk = (value, path, depth) => {
    if (depth > 8) throw fail(`args.policy${path} is nested too deeply`);
    if (typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw fail(`args.policy${path} must be a finite number (got ${describe(value)})`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, depth + 1);
      return;
    }
    throw fail(`args.policy${path} must be a string, a finite number, a boolean, an array or a plain object (got ${describe(value)})`);
  };
  walk(policy, '', 0);
  const text = JSON.stringify(policy);
  if (text.length > MAX_POLICY_CHARS) throw fail(`args.policy is ${text.length} characters of JSON (at most ${MAX_POLICY_CHARS})`);
  return text;
}

const sync = {
  parse(args) {
    if (!isPlainObject(args)) throw fail(`args must be an object { kind, name, policy, ops, decide? } (got ${describe(args)})`);
    checkKeys(args, ['kind', 'name', 'policy', 'ops', 'decide'], 'resilience.sync', 'args');
    const { kind, name, ops, decide } = args;
    if (!KINDS.includes(kind)) throw fail(`args.kind must be one of ${KINDS.join(', ')} (got ${describe(kind)})`);
    if (typeof name !== 'string' || name === '' || name.length > MAX_NAME) throw fail(`args.name must be a non-empty string of at most ${MAX_NAME} characters (got ${describe(name)})`);
    const policyText = checkPolicy(args.policy);
    if (!Array.isArray(ops)) throw fail(`args.ops must be an array (got ${describe(ops)})`);
    if (ops.length > MAX_SYNC_OPS) throw fail(`args.ops holds ${ops.length} changes (at most ${MAX_SYNC_OPS} per request)`);
    const parsed = ops.map((op, i) => parseOp(kind, op, `resilience.sync args.ops[${i}]`));
    if (decide !== undefined) {
      if (kind !== 'breaker') throw fail(`args.decide is for breakers only (this is a ${kind})`);
      if (typeof decide !== 'number' || !(decide >= 0 && decide < 1)) throw fail(`args.decide must be a number in [0, 1) (got ${describe(decide)})`);
    }
    return { kind, name, policy: JSON.parse(policyText), policyText, ops: parsed, decide };
  },

  run(sql, { kind, name, policy, policyText, ops, decide }) {
    const now = Date.now();
    const row = sql.exec(`SELECT policy, state, version FROM ${TABLE} WHERE kind = ? AND name = ?`, kind, name).toArray()[0];
    if (row && ops.length === 0 && decide === undefined && row.policy === policyText) {
      return { state: row.state, version: row.version, at: now, results: [] }; // a read: nothing to write
    }
    let object;
    try {
      object = new CoreObject(kind, policy);
    } catch (error) {
      throw fail(`the core refused args.policy: ${error.message}`);
    }
    try {
      const notes = [];
      if (row) {
        try {
          object.deserialize(row.state, now);
        } catch (error) {
          // A row this build cannot read (damaged, or a policy change the state does not fit): the
          // object starts afresh rather than refusing every request forever. Said in the reply and
          // logged.
          notes.push(`stored state discarded: ${error.message}`);
          console.error(`[edgescope] resilience ${kind} '${name}': the stored state could not be restored and was discarded: ${error.message}`);
        }
      }
      const results = ops.map((op) => applyOp(object, kind, op, now));
      const reply = { results };
      if (decide !== undefined) {
        const decision = object.decide(now, decide);
        reply.decisionTransitions = decision.transitions ?? [];
        const { transitions: _t, ...rest } = decision;
        reply.decision = rest;
      }
      const state = object.serialize(now);
      const version = (row?.version ?? 0) + 1;
      sql.exec(
        `INSERT OR REPLACE INTO ${TABLE} (kind, name, policy, state, version, updated) VALUES (?, ?, ?, ?, ?, ?)`,
        kind, name, policyText, state, version, now,
      );
      return { state, version, at: now, ...reply, ...(notes.length ? { notes } : {}) };
    } finally {
      object.destroy();
    }
  },
};

export const resilienceTable = Object.freeze({
  // Bumped with a new step in migrate() whenever the table changes (state-object.js refuses a
  // table written by a newer edgescope).
  version: 1,
  migrate(sql, from) {
    if (from < 1) {
      sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        policy TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated REAL NOT NULL,
        PRIMARY KEY (kind, name)
      ) WITHOUT ROWID`);
    }
  },
  ops: Object.freeze({ sync }),
});
