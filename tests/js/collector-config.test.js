// createCollector validates its configuration when the module loads, naming the bad field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCollector } from '../../js/collector/index.js';
import { validateCollectorConfig } from '../../js/collector/config.js';

const ok = { tokens: [{ name: 'ci', token: 'secret-value' }] };

test('defaults: 1 MiB on the wire, 8 MiB decoded, the D1 binding DB', () => {
  const c = validateCollectorConfig(ok);
  assert.equal(c.maxBodyBytes, 1024 * 1024);
  assert.equal(c.maxDecodedBytes, 8 * 1024 * 1024);
  assert.equal(c.database, 'DB');
  assert.equal(typeof createCollector(ok).fetch, 'function');
});

const BAD = [
  [undefined, /`collector` must be an object/],
  [{}, /`collector\.tokens` must be a non-empty array/],
  [{ tokens: [] }, /`collector\.tokens` must be a non-empty array/],
  [{ tokens: ['abc'] }, /`collector\.tokens\[0\]` must be \{ name, token \}/],
  [{ tokens: [{ token: 'x' }] }, /`collector\.tokens\[0\]\.name` must be a non-empty string/],
  [{ tokens: [{ name: 'a', token: 'x' }, { name: 'a', token: 'y' }] }, /`collector\.tokens\[1\]\.name` must be unique/],
  [{ tokens: [{ name: 'a' }] }, /`collector\.tokens\[0\]` must be exactly one of `token`/],
  [{ tokens: [{ name: 'a', token: 'x', secret: 'S' }] }, /`collector\.tokens\[0\]` must be exactly one of/],
  [{ tokens: [{ name: 'a', token: '' }] }, /`collector\.tokens\[0\]\.token` must be a non-empty string/],
  [{ tokens: [{ name: 'a', secret: 'not a name' }] }, /`collector\.tokens\[0\]\.secret` must be the name of an env binding/],
  [{ tokens: [{ name: 'a', token: 'x', tokn: 1 }] }, /`collector\.tokens\[0\]\.tokn` must be absent/],
  [{ ...ok, maxBodyBytes: 0 }, /`collector\.maxBodyBytes` must be a positive integer/],
  [{ ...ok, maxDecodedBytes: 1.5 }, /`collector\.maxDecodedBytes` must be a positive integer/],
  [{ ...ok, database: '' }, /`collector\.database` must be the name of a D1 binding/],
  [{ ...ok, maxBytes: 10 }, /`collector\.maxBytes` must be absent \(known keys: tokens, readTokens, publicRead, /],
  [{ ...ok, publicRead: 'yes' }, /`collector\.publicRead` must be a boolean/],
  [{ ...ok, readTokens: [] }, /`collector\.readTokens` must be a non-empty array/],
  [{ ...ok, readTokens: [{ name: 'r', secret: 'no such' }] }, /`collector\.readTokens\[0\]\.secret` must be the name of an env binding/],
];

for (const [config, message] of BAD) {
  test(`createCollector(${JSON.stringify(config)}) throws ${message}`, () => {
    assert.throws(() => createCollector(config), (e) => e.name === 'EdgescopeConfigError' && message.test(e.message));
  });
}
