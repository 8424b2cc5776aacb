// The changes a caller makes to a breaker, exhaustion registry or ledger, as plain data: applied at
// once to this isolate's copy (memory and KV state), or queued and sent in a batch to the Durable
// Object that owns the object (js/storage/resilience-table.js), which applies them as the single
// writer. The same parser checks them on both sides, so a batch the object accepts is one the
// caller could have built, and a malformed one is refused whole before anything is applied.
import { describe } from '../config.js';

export const KINDS = Object.freeze(['breaker', 'registry', 'ledger']);

const MAX_TEXT = 200; // provider and model names

const OPS = {
  breaker: {
    // One call's outcome: ok, how long it took (for the slow-call rate), and whether it was the
    // half-open trial call the breaker admitted.
    outcome: { ok: 'boolean', durationMs: 'duration', probe: 'boolean' },
    forceOpen: {},
    reset: {},
  },
  registry: {
    // durationMs 0 means the registry's default (5 minutes unless configured).
    mark: { provider: 'text', durationMs: 'duration' },
  },
  ledger: {
    // spendMicros: integer millionths of the budget's currency, so sums are exact.
    record: { provider: 'text', model: 'optionalText', spendMicros: 'count', inputTokens: 'count', outputTokens: 'count', requests: 'count' },
  },
};

function fail(where, message) {
  return new TypeError(`edgescope resilience: ${where}: ${message}`);
}

function checkField(where, field, type, value) {
  const bad = (expected) => fail(where, `${field} must be ${expected} (got ${describe(value)})`);
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('true or false');
      return value;
    case 'duration':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 366 * 24 * 3600 * 1000) throw bad('a number of milliseconds from 0 to one year');
      return value;
    case 'count':
      if (!Number.isSafeInteger(value) || value < 0) throw bad('a non-negative integer');
      return value;
    case 'optionalText':
      if (value === undefined) return undefined;
    // falls through
    case 'text':
      if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT) throw bad(`a non-empty string of at most ${MAX_TEXT} characters`);
      return value;
    default:
      throw new Error(`unknown field type ${type}`);
  }
}

// Returns a fresh, checked copy of `op` for an object of `kind`; throws a TypeError naming the
// field otherwise.
export function parseOp(kind, op, where) {
  const ops = OPS[kind];
  if (op === null || typeof op !== 'object' || Array.isArray(op)) throw fail(where, `an operation must be an object { type, ... } (got ${describe(op)})`);
  if (typeof op.type !== 'string' || !Object.hasOwn(ops, op.type)) {
    throw fail(where, `unknown operation type ${describe(op.type)} for a ${kind} (known: ${Object.keys(ops).join(', ')})`);
  }
  const fields = ops[op.type];
  for (const key of Object.keys(op)) {
    if (key !== 'type' && !Object.hasOwn(fields, key)) throw fail(where, `${op.type} has an unknown field ${describe(key)} (known: ${['type', ...Object.keys(fields)].join(', ')})`);
  }
  const out = { type: op.type };
  for (const [field, type] of Object.entries(fields)) {
    const value = checkField(`${where} ${op.type}`, field, type, op[field]);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

// Applies one checked op to a core object at `now`. Returns what the caller reports: the breaker
// transitions it caused, or the ledger alerts it fired.
export function applyOp(object, kind, op, now) {
  if (kind === 'breaker') {
    if (op.type === 'outcome') return { transitions: object.record(now, op.ok, op.durationMs, op.probe).transitions ?? [] };
    return { transitions: (op.type === 'forceOpen' ? object.forceOpen(now) : object.reset(now)).transitions };
  }
  if (kind === 'registry') {
    object.markExhausted(now, op.provider, op.durationMs > 0 ? op.durationMs : undefined);
    return {};
  }
  const { type: _type, ...entry } = op;
  return { alerts: object.ledgerRecord(now, entry).alerts ?? [] };
}

// Whether an op changes what other isolates must see at once (KV writes it without waiting for
// the write interval): a transition, a mark, a ledger alert, an operator's forceOpen/reset.
export function isUrgent(kind, op, result) {
  if (kind === 'registry') return true;
  if (kind === 'ledger') return result.alerts.length > 0;
  return op.type !== 'outcome' || result.transitions.length > 0;
}
