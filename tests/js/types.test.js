// The type declarations compile and describe the API as used in the README example.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README example type-checks against js/index.d.ts, and misuse does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgescope-types-'));
  try {
    const good = `import { instrument, scopeOf, exporters } from '${root}js/index.js';
      declare const ctxLike: object;
      export default instrument({
        async fetch(request: Request) {
          const t = scopeOf(request);
          const n: number = await t.trace('load', async (span) => { span.setAttribute('k', 1); return 1; });
          t.metrics.increment('hits', 1, { route: '/' });
          t.log.info('ok', { n });
          return new Response('ok');
        },
      }, (env: { URL: string }) => ({ service: 'app', exporter: exporters.http({ url: env.URL }) }));
      scopeOf(ctxLike).setRoute('/x');
      // headers as fetch takes them: a Headers or [name, value] pairs as well as an object.
      exporters.http({ url: 'https://c.example', headers: new Headers({ 'x-api-key': 'k' }) });
      exporters.direct({ url: 'https://c.example', headers: [['x-api-key', 'k']] });`;
    const bad = `import { createTelemetry } from '${root}js/index.js';
      createTelemetry({ service: 1 });`;
    writeFileSync(join(dir, 'good.ts'), good);
    writeFileSync(join(dir, 'bad.ts'), bad);
    const tsc = join(root, 'node_modules/.bin/tsc');
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    execFileSync(tsc, [...args, join(dir, 'good.ts')], { stdio: 'pipe' });
    assert.throws(() => execFileSync(tsc, [...args, join(dir, 'bad.ts')], { stdio: 'pipe' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
