// The collector's type declarations: the documented configuration compiles, a mistyped one does not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/.bin/tsc');
const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];

function compiles(source) {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-collector-types-'));
  try {
    writeFileSync(join(dir, 'case.ts'), `import { createCollector, INGEST_PATH } from '${root}js/collector/index.js';\n${source}`);
    execFileSync(tsc, [...args, join(dir, 'case.ts')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
