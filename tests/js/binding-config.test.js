// The `bindings` option: every mistake fails at instrument() (deploy time) with an error naming
// the field; valid forms normalise to what env.js reads, and exclusion matches a type or a name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EdgescopeConfigError, exporters, instrument, validateConfig } from 'edgescope';
import { isTraced, carriesRpcContext } from '../../js/bindings/binding-config.js';

const base = { service: 'svc', exporter: exporters.console({ write() {} }) };
const handler = { fetch: () => new Response('ok') };

const invalid = [
  [null, 'bindings'],
  ['kv', 'bindings'],
  [['kv'], 'bindings'],
  [{ exclude: 'kv' }, 'bindings.exclude'],
  [{ exclude: ['kv', ''] }, 'bindings.exclude[1]'],
  [{ exclude: ['kv', 3] }, 'bindings.exclude[1]'],
  [{ exclude: Array.from({ length: 257 }, (_, i) => `B${i}`) }, 'bindings.exclude'],
  [{ rpcContext: 'yes' }, 'bindings.rpcContext'],
  [{ rpcContext: [null] }, 'bindings.rpcContext[0]'],
  [{ exlude: ['kv'] }, 'bindings.exlude'],
];

for (const [bindings, field] of invalid) {
  test(`instrument() refuses bindings: ${JSON.stringify(bindings)?.slice(0, 40)} naming ${field}`, () => {
    assert.throws(
      () => instrument(handler, { ...base, bindings }),
      (error) => error instanceof EdgescopeConfigError && error.field === field && error.message.includes(`\`${field}\``),
    );
  });
}

test('bindings defaults to every known binding traced and no RPC context argument', () => {
  assert.deepEqual(validateConfig(base).bindings, { enabled: true, exclude: [], rpcContext: false });
});

test('bindings: false turns binding instrumentation off', () => {
  const { bindings } = validateConfig({ ...base, bindings: false });
  assert.equal(bindings.enabled, false);
  assert.equal(isTraced(bindings, 'kv', 'KV'), false);
});

test('an exclude entry matches a binding type or a binding name', () => {
  const { bindings } = validateConfig({ ...base, bindings: { exclude: ['kv', 'ASSETS_BUCKET'] } });
  assert.equal(isTraced(bindings, 'kv', 'SESSIONS'), false, 'by type');
  assert.equal(isTraced(bindings, 'r2', 'ASSETS_BUCKET'), false, 'by name');
  assert.equal(isTraced(bindings, 'r2', 'UPLOADS'), true);
  assert.equal(isTraced(bindings, 'd1', 'DB'), true);
});

test('rpcContext selects every RPC binding (true) or the named ones', () => {
  const all = validateConfig({ ...base, bindings: { rpcContext: true } }).bindings;
  assert.equal(carriesRpcContext(all, 'ANY'), true);
  const some = validateConfig({ ...base, bindings: { rpcContext: ['AUTH'] } }).bindings;
  assert.equal(carriesRpcContext(some, 'AUTH'), true);
  assert.equal(carriesRpcContext(some, 'OTHER'), false);
  assert.equal(carriesRpcContext(validateConfig(base).bindings, 'AUTH'), false);
});

test('the validated lists are copies: changing the caller\'s array later changes nothing', () => {
  const exclude = ['kv'];
  const { bindings } = validateConfig({ ...base, bindings: { exclude } });
  exclude.push('r2');
  assert.equal(isTraced(bindings, 'r2', 'B'), true);
});
