// The env a Durable Object or WorkerEntrypoint instance keeps as `this.env`: its bindings are
// traced under the invocation that uses them, as instrument()'s env is (js/bindings/env.js).
//
// An instance keeps one env for its whole life while its invocations interleave at every await
// (Durable Object input gates hold back new events only while storage operations are pending),
// and Workers give no async context without nodejs_compat. So a binding read is attributed only
// when it is unambiguous: exactly one invocation of this instance is running (started and its
// `done` not yet settled, background work included). While two or more run, the binding read
// returns the runtime's own binding, untraced, counted in stats().api.bindingsUnattributed and
// reported once: a span under the wrong invocation would be worse than none. Outside any
// invocation (the constructor, blockConcurrencyWhile) the binding is the runtime's own.
import { wrapEnv } from '../bindings/env.js';
import { bindingType } from '../bindings/binding-type.js';
import { registeredScope } from '../invocation-scope.js';

export class InstanceEnv {
  constructor(env) {
    this.raw = env;
    this.ctx = null; // set once the instance is constructed (the scopes are registered under it)
    this.running = new Set(); // InvocationScopes of this instance whose `done` has not settled
    this.wrapped = new WeakMap(); // scope -> wrapEnv(env, scope) for that invocation
    this.env = env !== null && typeof env === 'object' ? new Proxy(env, { get: (target, key) => this.read(target, key) }) : env;
  }

  // Called when an invocation has started on the instance (its scope is registered under ctx
  // synchronously, before the user's method runs), and on every binding read, so every running
  // invocation is known by the time another can start.
  noteStarted() {
    const scope = this.ctx ? registeredScope(this.ctx) : undefined;
    if (!scope || !(scope.done instanceof Promise) || scope.closed || this.running.has(scope)) return;
    this.running.add(scope);
    scope.done.then(() => this.running.delete(scope));
  }

  read(target, key) {
    const value = Reflect.get(target, key, target);
    if (typeof key !== 'string' || value === null || typeof value !== 'object') return value;
    this.noteStarted();
    if (this.running.size === 0 || bindingType(value) === null) return value;
    if (this.running.size > 1) {
      unattributed(this.running);
      return value;
    }
    const [scope] = this.running;
    let env = this.wrapped.get(scope);
    if (!env) {
      env = wrapEnv(target, scope, scope.telemetry.config);
      this.wrapped.set(scope, env);
    }
    return Reflect.get(env, key);
  }
}

function unattributed(running) {
  const [scope] = running;
  const telemetry = scope.telemetry;
  telemetry.repairs.bindingsUnattributed++;
  telemetry.reportOnce(
    'binding-unattributed',
    `a binding was read through this.env while ${running.size} invocations of the same object were running: ` +
      'it is not traced, since which of them uses it cannot be told (counted in stats().api.bindingsUnattributed)',
  );
}
