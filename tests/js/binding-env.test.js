// wrapEnv() without a runtime: which values it wraps and which it hands back as they are. The
// bindings themselves are exercised through Miniflare in tests/workerd/binding-*.test.js; here
// the stand-ins carry the class names workerd gives its bindings (binding-type.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig, exporters } from 'edgescope';
import { wrapEnv } from '../../js/bindings/env.js';

const base = { service: 'svc', exporter: exporters.console({ write() {} }) };
const config = validateConfig(base);
const scope = { rootSpan: null }; // never reached: no traced method is called here

class KvNamespace {
  async get() {
    return 'v';
  }
}
class Unknown {
  get() {
    return 'not a binding';
  }
}

test('vars, secrets, functions and unknown objects come back as the very same values', () => {
  const fn = function bound() {
    return this;
  };
  const env = { TEXT: 'x', NUM: 3, FN: fn, OBJ: new Unknown(), LIST: ['a'], NULL: null };
  const wrapped = wrapEnv(env, scope, config);
  for (const key of Object.keys(env)) assert.equal(wrapped[key], env[key], key);
  assert.deepEqual(Object.keys(wrapped), Object.keys(env));
  assert.equal('TEXT' in wrapped, true);
  assert.deepEqual({ ...wrapped, KV: undefined }, { ...env, KV: undefined });
});

test('a known binding is wrapped once per wrapEnv() call and keeps instanceof', () => {
  const env = { KV: new KvNamespace() };
  const first = wrapEnv(env, scope, config);
  assert.notEqual(first.KV, env.KV);
  assert.equal(first.KV, first.KV, 'one wrapper per binding per invocation');
  assert.ok(first.KV instanceof KvNamespace);
  assert.notEqual(wrapEnv(env, scope, config).KV, first.KV, 'a new invocation gets its own wrapper');
});

test('a binding replaced in env during the invocation is looked at again', () => {
  const env = { KV: new KvNamespace() };
  const wrapped = wrapEnv(env, scope, config);
  const before = wrapped.KV;
  wrapped.KV = 'replaced';
  assert.equal(env.KV, 'replaced', 'assignment reaches the runtime env');
  assert.equal(wrapped.KV, 'replaced');
  assert.notEqual(before, wrapped.KV);
});

test('a non-configurable, read-only binding is returned as it is (Proxy invariants hold)', () => {
  const kv = new KvNamespace();
  const env = {};
  Object.defineProperty(env, 'KV', { value: kv, writable: false, configurable: false, enumerable: true });
  assert.equal(wrapEnv(env, scope, config).KV, kv);
});

test('bindings: false and excluded names hand back env and the binding untouched', () => {
  const env = { KV: new KvNamespace(), OTHER_KV: new KvNamespace() };
  assert.equal(wrapEnv(env, scope, validateConfig({ ...base, bindings: false })), env);
  const excluded = wrapEnv(env, scope, validateConfig({ ...base, bindings: { exclude: ['OTHER_KV'] } }));
  assert.equal(excluded.OTHER_KV, env.OTHER_KV);
  assert.notEqual(excluded.KV, env.KV);
});
