// createExhaustionRegistry(name, options): providers marked exhausted (a quota ran out, a 429 with
// a long Retry-After) until a time, shared by every isolate through `state`
// (js/resilience/options.js). A mark expires on its own (lazily, at the next read); marks from
// different isolates are unioned, the later expiry winning. Policy (the core's):
// defaultMs (5 minutes).
import { describe } from '../config.js';
import { EdgescopeConfigError } from '../config.js';
import { Definition } from './definition.js';
import { parseOp } from './operations.js';

class ExhaustionRegistry extends Definition {
  constructor(name, options) {
    super('registry', 'createExhaustionRegistry', name, options, []);
  }

  bind(replica, inv) {
    return new BoundRegistry(this.name, replica, inv);
  }
}

class BoundRegistry {
  constructor(name, replica, inv) {
    this.name = name;
    this.replica = replica;
    this.inv = inv;
  }

  checkProvider(what, provider) {
    if (typeof provider !== 'string' || provider === '' || provider.length > 200) {
      throw new TypeError(`edgescope registry '${this.name}': ${what} needs a provider name, a non-empty string of at most 200 characters (got ${describe(provider)})`);
    }
  }

  // durationMs: how long the mark lasts (default: the registry's defaultMs). Resolves to
  // { applied } once the mark is where the state lives; this isolate sees it at once.
  async markExhausted(provider, durationMs) {
    this.checkProvider('markExhausted()', provider);
    const op = parseOp('registry', { type: 'mark', provider, durationMs: durationMs ?? 0 }, `registry '${this.name}': markExhausted()`);
    if (durationMs !== undefined && durationMs <= 0) throw new TypeError(`edgescope registry '${this.name}': markExhausted(): durationMs must be a positive number of milliseconds (got ${describe(durationMs)})`);
    const result = await this.replica.apply(this.inv, op);
    return { applied: result.applied, ...(result.error ? { error: result.error } : {}) };
  }

  async isExhausted(provider) {
    return (await this.exhaustedUntil(provider)) > 0;
  }

  // When the provider's mark expires (ms since the epoch), or 0 when it is not marked.
  async exhaustedUntil(provider) {
    this.checkProvider('exhaustedUntil()', provider);
    await this.replica.prepare(this.inv);
    return this.replica.view.exhausted(Date.now(), provider);
  }

  // [{ provider, until }] of the marks in force.
  async list() {
    await this.replica.prepare(this.inv);
    return this.replica.view.listExhausted(Date.now());
  }
}

export function createExhaustionRegistry(name, options) {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new EdgescopeConfigError('createExhaustionRegistry(options)', 'an options object', options);
  return new ExhaustionRegistry(name, options);
}
