// What createBreaker / createLedger / createExhaustionRegistry return: a named object defined once
// per isolate (module scope), and bound to each invocation with use(env, ctx):
//
//   const openai = createBreaker('openai', { failureThreshold: 5, state: (env) => ({ store: 'kv', namespace: env.STATE }) });
//   export default instrument({ async fetch(request, env, ctx) {
//     const breaker = openai.use(env, ctx);          // loads, saves and sends inside ctx.waitUntil
//     return breaker.execute(() => fetch(...));
//   } }, config);
//
// `ctx` is needed for KV and Durable Object state (their saves and batches run in its waitUntil);
// memory state works without it. Transitions and alerts go to the invocation's telemetry when the
// handler is wrapped by instrument() (found through ctx), on the span given as { span } or else
// the root span. A Worker has no implicit async context, which is why the invocation is named.
import { EdgescopeConfigError } from '../config.js';
import { scopeOf } from '../invocation-scope.js';
import { Span } from '../span.js';
import { checkName, checkState, checkStateOption, optionalFunction, splitOptions } from './options.js';
import { MemoryReplica } from './memory-replica.js';
import { KvReplica } from './kv-replica.js';
import { DurableObjectReplica } from './do-replica.js';
import { Reporter } from './reporter.js';

const SHARED_FIELDS = ['state'];

export class Definition {
  constructor(kind, factory, name, options, shimFields) {
    this.kind = kind;
    this.factory = factory;
    this.name = checkName(factory, name);
    const { shim, policy } = splitOptions(`${factory}(options)`, options, [...SHARED_FIELDS, ...shimFields]);
    this.shim = shim;
    this.policy = policy;
    this.stateOption = checkStateOption(`${factory}(options)`, shim.state);
    this.replica = null;
    this.bound = new WeakMap(); // ctx -> the invocation's bound object
  }

  // The isolate's replica, made at the first use (a state function gets env then).
  replicaFor(env) {
    if (this.replica) return this.replica;
    const where = `${this.factory}(options)`;
    let state = this.stateOption;
    if (typeof state === 'function') {
      if (env === undefined) throw new EdgescopeConfigError(`${where}.state`, 'given env: call use(env, ctx) when state is a function of env', env);
      state = checkState(where, state(env));
    }
    const Kind = { memory: MemoryReplica, kv: KvReplica, 'durable-object': DurableObjectReplica }[state.store];
    let replica;
    try {
      replica = new Kind(this.kind, this.name, this.policy, state);
    } catch (error) {
      if (error instanceof TypeError || error instanceof RangeError) {
        throw new TypeError(`edgescope ${this.kind} '${this.name}': ${error.message}`, { cause: error });
      }
      throw error;
    }
    this.replica = replica;
    return replica;
  }

  // The invocation binding: { ctx, reporter, loaded } for the replica, and the public object.
  use(env, ctx, options = {}) {
    if (options === null || typeof options !== 'object') throw new EdgescopeConfigError(`${this.name}.use(env, ctx, options)`, 'an options object like { span }', options);
    const { span } = options;
    if (span !== undefined && !(span instanceof Span)) throw new EdgescopeConfigError(`${this.name}.use(env, ctx, { span })`, 'a Span', span);
    const cacheable = ctx && typeof ctx === 'object' && span === undefined;
    if (cacheable && this.bound.has(ctx)) return this.bound.get(ctx);
    const replica = this.replicaFor(env);
    if (replica.store !== 'memory' && (!ctx || typeof ctx.waitUntil !== 'function')) {
      throw new EdgescopeConfigError(`${this.name}.use(env, ctx)`, `the invocation's ctx (its waitUntil carries the ${replica.store} writes)`, ctx);
    }
    const inv = { ctx: ctx ?? null, reporter: this.reporter(ctx, span), loaded: new Set() };
    const bound = this.bind(replica, inv);
    if (cacheable) this.bound.set(ctx, bound);
    return bound;
  }

  reporter(ctx, span) {
    let scope = null;
    if (ctx && typeof ctx === 'object') {
      try {
        scope = scopeOf(ctx);
      } catch {
        scope = null; // not an instrumented invocation: no telemetry, callbacks only
      }
    }
    const telemetry = span?.telemetry ?? scope?.telemetry ?? null;
    const active = span ?? scope?.span ?? null;
    return new Reporter({ telemetry, span: active, onTransition: this.shim.onTransition, onAlert: this.shim.onAlert });
  }

  // Counters of this isolate's replica: { store, localDecisions, roundTrips, loads, saves,
  // storeErrors, corrupt, dropped } (all 0 before the first use).
  stats() {
    return this.replica ? this.replica.stats() : { store: null, localDecisions: 0, roundTrips: 0, loads: 0, saves: 0, storeErrors: 0, corrupt: 0, dropped: 0 };
  }

  static checkCallbacks(factory, shim, names) {
    for (const name of names) optionalFunction(`${factory}(options).${name}`, shim[name]);
  }
}
