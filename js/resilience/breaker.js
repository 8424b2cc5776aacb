// createBreaker(name, options): a circuit breaker whose state can outlive the isolate.
//
// Policy (the core's, js/core/resilience-core.js): policy 'classic' | 'graduated',
// failureThreshold, failureRate, slowCallRate, slowCallMs, window { type, size }, minimumCalls,
// openMs, openBackoff { multiplier, maxMs }, halfOpenCalls, halfOpenMaxWaitMs, curve, quietMs.
// The shim's options:
//   state          where the state lives (js/resilience/options.js)
//   retries        how often execute() calls fn again after a `.retryable` error (default 0);
//                  each attempt asks the breaker again and counts as an outcome
//   isFailure      (value) => boolean: a resolved value that is a failure all the same (a 5xx
//                  Response); it is still returned to the caller
//   onTransition   ({ breaker, from, to, at }) => void
//
// execute(fn): asks the breaker; refused → CircuitOpenError (fn does not run). Admitted → runs fn;
// a throw or rejection is a failure and is rethrown unchanged. An error a Durable Object stub marks
// `.overloaded` is a failure and is never retried (retrying an overloaded object makes it worse);
// one marked `.retryable` (and not overloaded) is retried up to `retries` times.
import { describe } from '../config.js';
import { EdgescopeConfigError } from '../config.js';
import { reportInternalFailure } from '../internal-failures.js';
import { Definition } from './definition.js';
import { CircuitOpenError, isRetryable } from './errors.js';
import { integer } from './options.js';

const SHIM_FIELDS = ['retries', 'isFailure', 'onTransition'];

class Breaker extends Definition {
  constructor(name, options) {
    super('breaker', 'createBreaker', name, options, SHIM_FIELDS);
    Definition.checkCallbacks('createBreaker', this.shim, ['isFailure', 'onTransition']);
    this.retries = integer('createBreaker(options).retries', this.shim.retries, 0, 0, 10);
  }

  bind(replica, inv) {
    return new BoundBreaker(this, replica, inv);
  }
}

class BoundBreaker {
  constructor(definition, replica, inv) {
    this.definition = definition;
    this.name = definition.name;
    this.replica = replica;
    this.inv = inv;
  }

  async execute(fn) {
    if (typeof fn !== 'function') throw new TypeError(`edgescope breaker '${this.name}': execute(fn) needs a function (got ${describe(fn)})`);
    const { retries, shim } = this.definition;
    for (let attempt = 0; ; attempt++) {
      const decision = await this.decide();
      if (!decision.admit) throw new CircuitOpenError(this.name, decision.state, decision.retryAfterMs ?? 0);
      const started = Date.now();
      let value;
      try {
        value = await fn();
      } catch (error) {
        this.outcome(false, started, decision.probe);
        if (attempt < retries && isRetryable(error)) continue;
        throw error;
      }
      let failed = false;
      if (shim.isFailure) {
        try {
          failed = Boolean(shim.isFailure(value));
        } catch (error) {
          reportInternalFailure('isFailure callback', error); // the call counts as a success
        }
      }
      this.outcome(!failed, started, decision.probe);
      return value;
    }
  }

  // The breaker's decision. If edgescope itself fails here (a trapped core), the call is admitted:
  // the breaker fails open, like the telemetry, and the failure is counted and logged once.
  async decide() {
    try {
      return await this.replica.decide(this.inv, Math.random());
    } catch (error) {
      reportInternalFailure('breaker decision', error);
      return { admit: true, probe: false, state: 'CLOSED', retryAfterMs: 0 };
    }
  }

  // primary through the breaker; fallback(error) when the breaker refuses it (CircuitOpenError;
  // with the graduated policy, the share of calls the curve sends elsewhere) or when it fails.
  async executeWithFallback(primary, fallback) {
    for (const [what, fn] of [['primary', primary], ['fallback', fallback]]) {
      if (typeof fn !== 'function') throw new TypeError(`edgescope breaker '${this.name}': executeWithFallback(primary, fallback) needs a ${what} function (got ${describe(fn)})`);
    }
    try {
      return await this.execute(primary);
    } catch (error) {
      return fallback(error);
    }
  }

  outcome(ok, started, probe) {
    this.replica.note(this.inv, { type: 'outcome', ok, durationMs: Math.max(0, Date.now() - started), probe: Boolean(probe) });
  }

  // { state, retryAfterMs, consecutiveFailures, calls, failures, step? } as this isolate sees it
  // (with a Durable Object: its local copy, at most maxStalenessMs old).
  async state() {
    await this.replica.prepare(this.inv);
    return this.replica.view.state(Date.now());
  }

  // Operator actions; applied where the state lives before they resolve (with a Durable Object:
  // one round trip). Resolve to { applied, transitions }.
  forceOpen() {
    return this.replica.apply(this.inv, { type: 'forceOpen' });
  }

  reset() {
    return this.replica.apply(this.inv, { type: 'reset' });
  }
}

export function createBreaker(name, options) {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new EdgescopeConfigError('createBreaker(options)', 'an options object', options);
  return new Breaker(name, options);
}
