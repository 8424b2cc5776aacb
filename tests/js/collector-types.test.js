// The collector's type declarations: the documented configuration compiles, a mistyped one does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT as root, typeErrors } from './typecheck.js';


const compiles = (source) => typeErrors(`import { createCollector, INGEST_PATH } from '${root}js/collector/index.js';\n${source}`) === null;

test('the documented collector configuration type-checks', () => {
  assert.equal(
    compiles(`const path: '/api/observe/ingest' = INGEST_PATH;
    export default createCollector({ tokens: [{ name: 'current', secret: 'INGEST_TOKEN' }, { name: 'ci', token: 'x' }], maxBodyBytes: 1 << 20, maxDecodedBytes: 8 << 20, database: 'DB' });`),
    true,
  );
});

test('a collector configuration without tokens, or with a misspelled key, does not type-check', () => {
  assert.equal(compiles(`createCollector({ maxBodyBytes: 10 });`), false);
  assert.equal(compiles(`createCollector({ tokens: [{ name: 'a', token: 'x' }], maxBytes: 10 });`), false);
  assert.equal(compiles(`createCollector({ tokens: [{ token: 'x' }] });`), false);
});
