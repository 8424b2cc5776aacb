// The README (Durable Objects: "use `scope.ctx.waitUntil`") names a member of the invocation
// scope; the shipped types must have it, or a TypeScript user cannot follow that advice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test("scope.ctx.waitUntil, as the README advises inside a Durable Object, type-checks against index.d.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-scope-ctx-'));
  try {
    writeFileSync(
      join(dir, 'case.ts'),
      `import { instrumentDurableObject, scopeOf, exporters } from '${root}js/index.js';
      const config = (env: { URL: string }) => ({ service: 'app', exporter: exporters.http({ url: env.URL }) });
      class CounterImpl {
        n = 0;
        constructor(readonly ctx: { waitUntil(p: Promise<unknown>): void }, env: unknown) {}
        async increment(by: number) {
          const scope = scopeOf(this.ctx);
          scope.ctx.waitUntil(Promise.resolve());
          return scope.trace('count', async () => (this.n += by));
        }
      }
      export const Counter = instrumentDurableObject(CounterImpl, config);`,
    );
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom'];
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), [...args, join(dir, 'case.ts')], { stdio: 'pipe' });
    } catch (error) {
      assert.fail(String(error.stdout));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
