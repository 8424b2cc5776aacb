// createLedger(name, options): spend, tokens and requests per provider and model, with monthly
// budgets, alert tiers, depletion projection and rate limits (the core's CreditLedger policy,
// js/core/resilience-core.js), kept across invocations by `state` (js/resilience/options.js).
// The shim's options: state, onAlert(({ ledger, ...alert }) => void).
//
// record({ provider, model, spendMicros, inputTokens, outputTokens, requests }): spendMicros is an
// integer count of millionths of the budget's currency, so sums over any number of invocations
// and isolates are exact. Resolves to { applied, alerts } once the record is applied where the
// state lives (with a Durable Object: after the batch reached it, inside the invocation's
// waitUntil; pass the promise to ctx.waitUntil or await it). An alert fires only when its tier
// rises, once for the whole fleet with a Durable Object, and never again after a restore.
import { describe } from '../config.js';
import { EdgescopeConfigError } from '../config.js';
import { Definition } from './definition.js';
import { parseOp } from './operations.js';

class Ledger extends Definition {
  constructor(name, options) {
    super('ledger', 'createLedger', name, options, ['onAlert']);
    Definition.checkCallbacks('createLedger', this.shim, ['onAlert']);
  }

  bind(replica, inv) {
    return new BoundLedger(this.name, replica, inv);
  }
}

function checkEntry(name, what, entry, fields) {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TypeError(`edgescope ledger '${name}': ${what} needs an object like { provider, model } (got ${describe(entry)})`);
  for (const key of Object.keys(entry)) {
    if (!fields.includes(key)) throw new TypeError(`edgescope ledger '${name}': ${what}: unknown field ${describe(key)} (known: ${fields.join(', ')})`);
  }
}

const RECORD_FIELDS = ['provider', 'model', 'spendMicros', 'inputTokens', 'outputTokens', 'requests'];
const CHECK_FIELDS = ['provider', 'model', 'requests', 'tokens'];

class BoundLedger {
  constructor(name, replica, inv) {
    this.name = name;
    this.replica = replica;
    this.inv = inv;
  }

  async record(entry) {
    checkEntry(this.name, 'record()', entry, RECORD_FIELDS);
    const op = parseOp(
      'ledger',
      { type: 'record', spendMicros: 0, inputTokens: 0, outputTokens: 0, requests: 1, ...entry },
      `ledger '${this.name}': record()`,
    );
    const result = await this.replica.apply(this.inv, op);
    return { applied: result.applied, alerts: result.alerts ?? [], ...(result.error ? { error: result.error } : {}) };
  }

  // Whether a call of `requests` requests and `tokens` tokens fits the rate limits and budget now:
  // { allowed, reason, retryAfterMs }. Read from this isolate's copy.
  async check(request) {
    checkEntry(this.name, 'check()', request, CHECK_FIELDS);
    const { provider, model, requests = 1, tokens = 0 } = request;
    parseOp('ledger', { type: 'record', provider, model, spendMicros: 0, inputTokens: tokens, outputTokens: 0, requests }, `ledger '${this.name}': check()`);
    await this.replica.prepare(this.inv);
    return this.replica.view.ledgerCheck(Date.now(), { provider, model, requests, tokens });
  }

  // Spend, tokens and requests per provider and model, budgets and the alert tiers reached.
  async status() {
    await this.replica.prepare(this.inv);
    return this.replica.view.ledgerStatus(Date.now());
  }
}

export function createLedger(name, options) {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new EdgescopeConfigError('createLedger(options)', 'an options object', options);
  return new Ledger(name, options);
}
