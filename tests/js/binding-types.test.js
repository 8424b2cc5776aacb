// The `bindings` option and scope.caches are in the type declarations: valid use compiles,
// a wrong binding option does not.
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
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-binding-types-'));
  try {
    writeFileSync(join(dir, 'case.ts'), `import { instrument, scopeOf, exporters } from '${root}js/index.js';\n${source}`);
    execFileSync(tsc, [...args, join(dir, 'case.ts')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('bindings options and scope.caches type-check as documented', () => {
  assert.equal(
    compiles(`export default instrument({
      async fetch(request: Request) {
        const hit: Response | undefined = await scopeOf(request).caches.default.match(request);
        const named: Cache = await scopeOf(request).caches.open('pages');
        return hit ?? (await named.match(request)) ?? new Response('miss');
      },
    }, { service: 'app', exporter: exporters.console(), bindings: { exclude: ['kv', 'MY_BUCKET'], rpcContext: ['AUTH'] } });
    instrument({ fetch: () => new Response('') }, { service: 'app', exporter: exporters.console(), bindings: false });`),
    true,
  );
});

test('a wrong bindings option does not type-check', () => {
  assert.equal(compiles(`instrument({ fetch: () => new Response('') }, { service: 'a', exporter: exporters.console(), bindings: 'kv' });`), false);
  assert.equal(compiles(`instrument({ fetch: () => new Response('') }, { service: 'a', exporter: exporters.console(), bindings: { exclude: 'kv' } });`), false);
  assert.equal(compiles(`instrument({ fetch: () => new Response('') }, { service: 'a', exporter: exporters.console(), bindings: { rpcContext: 'yes' } });`), false);
});
